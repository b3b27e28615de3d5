import { KeyholdError } from '../../shared/errors.js';
import { SERVER_OWNER } from '../ops/objects.js';
import type { Vault } from '../vault/index.js';
import type { AttributeValue, Attributes } from '../vault/model.js';
import type { StoredCredential } from './credentials.js';

/**
 * Where a client's optional Credential lives: the `x-keyhold-credential` attribute of its
 * enrollment record (the server-owned Certificate object, never visible over KMIP), one
 * structure with the username, the scheme, the salt and the hash (hex). Never the password.
 */
export const CREDENTIAL_FIELD = 'x-keyhold-credential';

const HEX = /^[0-9a-f]{2,256}$/;

export function credentialAttribute(c: StoredCredential): AttributeValue {
  return { Username: c.username, Scheme: c.scheme, Salt: c.salt.toString('hex'), Hash: c.hash.toString('hex') };
}

/** The stored credential of an enrollment record's attributes, when one is set. */
export function credentialOf(attributes: Attributes): StoredCredential | undefined {
  const v = attributes[CREDENTIAL_FIELD]?.[0];
  if (typeof v !== 'object' || v === null || Array.isArray(v) || v instanceof Uint8Array || v instanceof Date)
    return undefined;
  const { Username, Scheme, Salt, Hash } = v;
  if (
    typeof Username !== 'string' ||
    typeof Scheme !== 'string' ||
    typeof Salt !== 'string' ||
    typeof Hash !== 'string'
  )
    return undefined;
  return { username: Username, scheme: Scheme, salt: Buffer.from(Salt, 'hex'), hash: Buffer.from(Hash, 'hex') };
}

/** A credential as the control socket carries it (hex salt and hash; the CLI hashes, the server never sees a password). */
export interface CredentialWire {
  username: string;
  scheme: string;
  salt: string;
  hash: string;
}

export function credentialToWire(c: StoredCredential): CredentialWire {
  return { username: c.username, scheme: c.scheme, salt: c.salt.toString('hex'), hash: c.hash.toString('hex') };
}

export function credentialFromWire(w: CredentialWire): StoredCredential {
  if (!HEX.test(w.salt) || !HEX.test(w.hash) || w.salt.length % 2 !== 0 || w.hash.length % 2 !== 0)
    throw new KeyholdError('invalid-argument', 'the credential salt and hash are hex');
  return { username: w.username, scheme: w.scheme, salt: Buffer.from(w.salt, 'hex'), hash: Buffer.from(w.hash, 'hex') };
}

/** Sets (or with `undefined` clears) the credential on a client's active enrollment record(s). */
export async function saveClientCredential(
  vault: Vault,
  uniqueIdentifiers: readonly string[],
  credential: StoredCredential | undefined,
): Promise<void> {
  const values = credential === undefined ? [] : [credentialAttribute(credential)];
  await vault.transaction(async () => {
    for (const uid of uniqueIdentifiers)
      await vault.setAttributes(uid, { [CREDENTIAL_FIELD]: values }, SERVER_OWNER, 'ModifyAttribute');
  });
}
