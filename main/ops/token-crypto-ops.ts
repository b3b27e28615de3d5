/**
 * Encrypt, Decrypt, Sign and Signature Verify on a key whose material stays on a PKCS#11 token:
 * the request's parameters become a token mechanism and the token does the work. The caller
 * (crypto-ops.ts) has already checked the key's state and usage mask.
 */
import type { CryptographicParameters } from '../crypto/kmip-names.js';
import { randomBytes } from '../crypto/random.js';
import type { StructureItem } from '../kmip/ttlv/index.js';
import type { ManagedObject } from '../vault/model.js';
import type { TokenKeyCrypto } from './context.js';
import { kmipError } from './errors.js';
import {
  TOKEN_GCM_TAG_BYTES,
  tokenCipherMechanism,
  tokenIvLength,
  tokenSignatureMechanism,
} from './token-mechanisms.js';
import { t } from './ttlv.js';
import { Tag, enumValue } from './vocabulary.js';

export async function encryptOnToken(
  token: TokenKeyCrypto,
  obj: ManagedObject,
  keyAlgorithm: string,
  p: CryptographicParameters,
  data: Uint8Array,
  iv: Uint8Array | undefined,
): Promise<StructureItem> {
  const mechanism = tokenCipherMechanism(keyAlgorithm, p);
  const ivLength = tokenIvLength(mechanism);
  const useIv = iv ?? (ivLength === undefined ? undefined : randomBytes(ivLength));
  let out = await token.encrypt(obj, mechanism, data, useIv);
  let tag: Uint8Array | undefined;
  if (mechanism === 'AES-GCM') {
    tag = out.subarray(out.length - TOKEN_GCM_TAG_BYTES);
    out = out.subarray(0, out.length - TOKEN_GCM_TAG_BYTES);
  }
  return t.struct(Tag.ResponsePayload, [
    t.text(Tag.UniqueIdentifier, obj.uniqueIdentifier),
    t.bytes(Tag.Data, out),
    useIv && !iv ? t.bytes(Tag.IVCounterNonce, useIv) : undefined,
    tag ? t.bytes(Tag.AuthenticatedEncryptionTag, tag) : undefined,
  ]);
}

export async function decryptOnToken(
  token: TokenKeyCrypto,
  obj: ManagedObject,
  keyAlgorithm: string,
  p: CryptographicParameters,
  data: Uint8Array,
  iv: Uint8Array | undefined,
  tag: Uint8Array | undefined,
): Promise<StructureItem> {
  const mechanism = tokenCipherMechanism(keyAlgorithm, p);
  if (tokenIvLength(mechanism) !== undefined && iv === undefined) {
    throw kmipError('InvalidMessage', `${mechanism} decryption needs the IV/Counter/Nonce`, 'invalid-argument');
  }
  let input = data;
  if (mechanism === 'AES-GCM') {
    if (tag === undefined) throw kmipError('InvalidMessage', 'AES-GCM decryption needs the tag', 'invalid-argument');
    input = Buffer.concat([data, tag]);
  }
  const out = await token.decrypt(obj, mechanism, input, iv);
  return t.struct(Tag.ResponsePayload, [t.text(Tag.UniqueIdentifier, obj.uniqueIdentifier), t.bytes(Tag.Data, out)]);
}

export async function signOnToken(
  token: TokenKeyCrypto,
  obj: ManagedObject,
  keyAlgorithm: string,
  p: CryptographicParameters,
  data: Uint8Array,
): Promise<StructureItem> {
  const signature = await token.sign(obj, tokenSignatureMechanism(keyAlgorithm, p), data);
  return t.struct(Tag.ResponsePayload, [
    t.text(Tag.UniqueIdentifier, obj.uniqueIdentifier),
    t.bytes(Tag.SignatureData, signature),
  ]);
}

export async function verifyOnToken(
  token: TokenKeyCrypto,
  obj: ManagedObject,
  keyAlgorithm: string,
  p: CryptographicParameters,
  data: Uint8Array,
  signature: Uint8Array,
): Promise<StructureItem> {
  const ok = await token.verify(obj, tokenSignatureMechanism(keyAlgorithm, p), data, signature);
  return t.struct(Tag.ResponsePayload, [
    t.text(Tag.UniqueIdentifier, obj.uniqueIdentifier),
    t.enm(Tag.ValidityIndicator, enumValue('ValidityIndicator', ok ? 'Valid' : 'Invalid') as number),
  ]);
}
