import type { ManagedObject, ObjectType } from '../../vault/model.js';
import type { TokenObjectInfo } from './objects.js';
import type { TokenInfo } from './tokens.js';

/** The custom attribute that links a vault object to a key on a token: an RFC 7512 PKCS#11 URI. */
export const PKCS11_URI_ATTRIBUTE = 'x-Keyhold-PKCS11-URI';

const pct = (s: string): string =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** RFC 7512 URI naming one object on one token. */
export function pkcs11Uri(token: TokenInfo, obj: TokenObjectInfo): string {
  const type = {
    SecretKey: 'secret-key',
    PrivateKey: 'private',
    PublicKey: 'public',
    Certificate: 'cert',
    Data: 'data',
    Other: '',
  }[obj.objectClass];
  const parts = [
    `manufacturer=${pct(token.manufacturer)}`,
    `model=${pct(token.model)}`,
    `serial=${pct(token.serialNumber)}`,
    `token=${pct(token.label)}`,
    `object=${pct(obj.label)}`,
    `id=${obj.id.replace(/../g, (h) => `%${h.toUpperCase()}`)}`,
  ];
  if (type !== '') parts.push(`type=${type}`);
  return `pkcs11:${parts.join(';')}`;
}

const TYPES: Partial<Record<TokenObjectInfo['objectClass'], ObjectType>> = {
  SecretKey: 'SymmetricKey',
  PrivateKey: 'PrivateKey',
  PublicKey: 'PublicKey',
  Certificate: 'Certificate',
};

const ALGORITHMS: Record<string, string> = { AES: 'AES', RSA: 'RSA', EC: 'ECDSA', GENERIC_SECRET: 'HMACSHA256' };

/**
 * A vault object standing for a key that stays on a token: KMIP metadata (name, algorithm,
 * length) and the PKCS#11 URI, and no key block. The object browser lists it; operations on it
 * go to the token.
 */
export function tokenKeyReference(
  token: TokenInfo,
  obj: TokenObjectInfo,
  name: string,
): Omit<ManagedObject, 'uniqueIdentifier'> {
  const attributes: ManagedObject['attributes'] = {
    Name: [{ NameValue: name, NameType: 'UninterpretedTextString' }],
    [PKCS11_URI_ATTRIBUTE]: [pkcs11Uri(token, obj)],
  };
  const alg = obj.keyType === undefined ? undefined : ALGORITHMS[obj.keyType];
  if (alg !== undefined) attributes['CryptographicAlgorithm'] = [alg];
  if (obj.bits !== undefined) attributes['CryptographicLength'] = [obj.bits];
  return { objectType: TYPES[obj.objectClass] ?? 'OpaqueObject', attributes, owner: '' };
}
