/**
 * Between a vault and a token: a vault key in the form a token takes (import), the objects a
 * backup reads, and the restored objects a vault takes. Shared by `keyhold token` and the
 * desktop / web console, so both do exactly the same thing.
 */
import { createPrivateKey } from 'node:crypto';
import { KeyholdError } from '../../../shared/errors.js';
import type { ManagedObject } from '../../vault/model.js';
import type { NewManagedObject } from '../../vault/vault.js';
import type { ImportMaterial } from './objects.js';

/** The parts of a Vault these need (main/vault's Vault has them). */
export interface VaultObjectStore {
  locate(query: Record<string, never>): Promise<{ uniqueIdentifiers: string[] }>;
  getObject(uid: string): Promise<ManagedObject>;
  getObjectForUse(uid: string, identity: string, operation?: string): Promise<ManagedObject>;
  insertMany(objects: NewManagedObject[], identity: string, operation?: string): Promise<string[]>;
}

/** Key material of a vault object in the form a token takes. */
export function importMaterialOf(o: ManagedObject): ImportMaterial {
  const kb = o.keyBlock;
  if (kb === undefined || !(kb.keyMaterial instanceof Uint8Array))
    throw new KeyholdError('unsupported', `object ${o.uniqueIdentifier} has no raw key material to put on a token`);
  const bytes = kb.keyMaterial;
  if (o.objectType === 'SymmetricKey' || o.objectType === 'SecretData') {
    const aes = kb.cryptographicAlgorithm === 'AES' && [16, 24, 32].includes(bytes.length);
    return { kind: 'secret', keyType: aes ? 'AES' : 'GENERIC_SECRET', value: bytes };
  }
  if (o.objectType === 'PrivateKey') {
    const type = kb.keyFormatType === 'PKCS1' ? 'pkcs1' : kb.keyFormatType === 'ECPrivateKey' ? 'sec1' : 'pkcs8';
    if (type === 'pkcs8') return { kind: 'pkcs8', der: bytes };
    const der = createPrivateKey({ key: Buffer.from(bytes), format: 'der', type }).export({
      format: 'der',
      type: 'pkcs8',
    });
    return { kind: 'pkcs8', der };
  }
  throw new KeyholdError('unsupported', `a ${o.objectType} cannot be put on a token as a key`);
}

/** The object's first Name, if it has one. */
export function objectName(o: ManagedObject): string | undefined {
  const n = o.attributes['Name']?.[0];
  if (typeof n === 'object' && n !== null && !(n instanceof Uint8Array) && !(n instanceof Date) && !Array.isArray(n)) {
    const v = (n as { NameValue?: unknown }).NameValue;
    return typeof v === 'string' ? v : undefined;
  }
  return undefined;
}

/** Wipes the key material of objects read for a backup or an import, or restored from one. */
export function wipeObjects(objects: readonly ManagedObject[]): void {
  for (const o of objects) if (o.keyBlock?.keyMaterial instanceof Uint8Array) o.keyBlock.keyMaterial.fill(0);
}

/**
 * Reads the objects to back up, with their key material (each read audited as an Export):
 * `ids`, or every object in the vault when none are named. On a failure nothing read is kept.
 */
export async function objectsForBackup(
  vault: VaultObjectStore,
  ids: readonly string[],
  identity: string,
): Promise<ManagedObject[]> {
  const uids = ids.length > 0 ? ids : (await vault.locate({})).uniqueIdentifiers;
  const out: ManagedObject[] = [];
  try {
    for (const uid of uids) out.push(await vault.getObjectForUse(uid, identity, 'Export'));
    return out;
  } catch (e) {
    wipeObjects(out);
    throw e;
  }
}

/**
 * Inserts restored objects in one transaction (audited as Import); objects whose Unique
 * Identifier is already in the vault are left as they are and reported as skipped.
 */
export async function insertRestored(
  vault: VaultObjectStore,
  objects: readonly ManagedObject[],
  identity: string,
): Promise<{ added: string[]; skipped: string[] }> {
  const fresh: ManagedObject[] = [];
  const skipped: string[] = [];
  for (const obj of objects) {
    const exists = await vault.getObject(obj.uniqueIdentifier).then(
      () => true,
      () => false,
    );
    if (exists) skipped.push(obj.uniqueIdentifier);
    else fresh.push(obj);
  }
  const added = fresh.length > 0 ? await vault.insertMany(fresh, identity, 'Import') : [];
  return { added, skipped };
}
