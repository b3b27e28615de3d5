import { KeyholdError, isKeyholdError } from '../../shared/errors.js';
import { SERVER_OWNER } from '../ops/objects.js';
import type { Vault } from '../vault/index.js';
import type { AttributeValue, ManagedObject } from '../vault/model.js';
import type { Grant } from './access.js';

/**
 * Where grants live: one server-owned Opaque Object (never visible over KMIP, like the server's
 * PKI) whose `x-keyhold-grant` attribute holds one structure per grant. Every change is one
 * vault write, so it is audited and survives a restart.
 */
const RULES_NAME = 'keyhold-access-rules';
const GRANT_FIELD = 'x-keyhold-grant';

async function rulesObject(vault: Vault): Promise<ManagedObject | undefined> {
  const found = await vault.locate({
    owner: SERVER_OWNER,
    attributes: { Name: [{ NameValue: RULES_NAME, NameType: 'UninterpretedTextString' }] },
  });
  const uid = found.uniqueIdentifiers[0];
  return uid === undefined ? undefined : vault.getObject(uid);
}

function grantOf(v: AttributeValue): Grant | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || v instanceof Uint8Array || v instanceof Date)
    return undefined;
  const { Identity, UniqueIdentifier, Operations } = v;
  if (typeof Identity !== 'string' || typeof UniqueIdentifier !== 'string') return undefined;
  const ops = typeof Operations === 'string' && Operations !== '' ? Operations.split(',') : [];
  return { identity: Identity, uniqueIdentifier: UniqueIdentifier, operations: ops };
}

/** The grants recorded in the vault. */
export async function loadGrants(vault: Vault): Promise<Grant[]> {
  const rules = await rulesObject(vault);
  return (rules?.attributes[GRANT_FIELD] ?? []).map(grantOf).filter((g): g is Grant => g !== undefined);
}

/** Replaces the grants recorded in the vault (one audited write). */
export async function saveGrants(vault: Vault, grants: readonly Grant[]): Promise<void> {
  const values: AttributeValue[] = grants.map((g) => ({
    Identity: g.identity,
    UniqueIdentifier: g.uniqueIdentifier,
    Operations: g.operations.join(','),
  }));
  await vault.transaction(async () => {
    const rules = await rulesObject(vault);
    if (rules) {
      await vault.setAttributes(rules.uniqueIdentifier, { [GRANT_FIELD]: values }, SERVER_OWNER, 'ModifyAttribute');
      return;
    }
    await vault.insert(
      {
        objectType: 'OpaqueObject',
        value: Buffer.from('Keyhold KMIP server access rules', 'utf8'),
        valueType: 'Unknown',
        owner: SERVER_OWNER,
        attributes: {
          Name: [{ NameValue: RULES_NAME, NameType: 'UninterpretedTextString' }],
          ...(values.length > 0 ? { [GRANT_FIELD]: values } : {}),
        },
      },
      SERVER_OWNER,
      'Register',
    );
  });
}

/**
 * The owner of an object a grant names, checked before granting: it must exist and be a KMIP
 * client's (the server's own objects are never granted).
 */
export async function ownerOf(vault: Vault, uniqueIdentifier: string): Promise<string> {
  let obj: ManagedObject;
  try {
    obj = await vault.getObject(uniqueIdentifier);
  } catch (e) {
    if (isKeyholdError(e) && e.code === 'not-found')
      throw new KeyholdError('not-found', `no object ${uniqueIdentifier}`, { reason: 'Item Not Found' });
    throw e;
  }
  if (obj.owner === SERVER_OWNER)
    throw new KeyholdError('permission-denied', `object ${uniqueIdentifier} belongs to the server itself`, {
      reason: 'Permission Denied',
    });
  return obj.owner;
}
