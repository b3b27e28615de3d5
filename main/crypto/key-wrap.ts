import { createCipheriv, createDecipheriv, type KeyObject } from 'node:crypto';
import { isKeyholdError } from '../../shared/errors.js';
import { cryptoError, invalidArgument, unsupported } from './errors.js';
import type { HashName } from './hash.js';
import { rsaDecrypt, rsaEncrypt } from './rsa-encryption.js';
import { decryptSymmetric, encryptSymmetric } from './symmetric.js';

/**
 * How a key is wrapped, in the terms of KMIP Key Wrapping Data (spec 1.4 section 2.1.5):
 * Wrapping Method Encrypt with the wrapping key's Cryptographic Parameters.
 * - NISTKeyWrap: AES Key Wrap, RFC 3394 / SP 800-38F KW.
 * - AESKeyWrapPadding: AES Key Wrap with Padding, RFC 5649 / SP 800-38F KWP.
 * - GCM: AES-GCM; the IV goes in IV/Counter/Nonce and the tag is appended to the wrapped bytes.
 * - OAEP / PKCS1V1_5: RSA encryption with the wrapping public key.
 */
export type WrapParameters =
  | { mode: 'NISTKeyWrap' | 'AESKeyWrapPadding' }
  | { mode: 'GCM'; iv?: Uint8Array; aad?: Uint8Array; tagLength?: number }
  | { mode: 'OAEP'; hash?: HashName; label?: Uint8Array }
  | { mode: 'PKCS1V1_5' };

export interface WrappedKey {
  wrapped: Buffer;
  /** IV/Counter/Nonce, for GCM. */
  iv?: Buffer;
}

// RFC 3394 section 2.2.3.1 default IV; RFC 5649 section 3 alternative IV prefix.
const KW_IV = Buffer.from('a6a6a6a6a6a6a6a6', 'hex');
const KWP_IV = Buffer.from('a65959a6', 'hex');

function kwCipher(kek: Uint8Array, pad: boolean): string {
  const bits = kek.length * 8;
  if (bits !== 128 && bits !== 192 && bits !== 256)
    throw invalidArgument('AES key-wrapping key must be 128, 192 or 256 bits');
  return `id-aes${bits}-wrap${pad ? '-pad' : ''}`;
}

/** AES Key Wrap (RFC 3394) or with padding (RFC 5649). */
export function aesKeyWrap(kek: Uint8Array, keyBytes: Uint8Array, pad: boolean): Buffer {
  if (!pad && (keyBytes.length < 16 || keyBytes.length % 8 !== 0)) {
    throw invalidArgument('RFC 3394 key wrap needs a key of 16 bytes or more, a multiple of 8; use AESKeyWrapPadding');
  }
  if (keyBytes.length === 0) throw invalidArgument('nothing to wrap');
  try {
    const c = createCipheriv(kwCipher(kek, pad), kek, pad ? KWP_IV : KW_IV);
    return Buffer.concat([c.update(keyBytes), c.final()]);
  } catch (e) {
    if (isKeyholdError(e)) throw e;
    throw cryptoError('AES key wrap failed', e);
  }
}

/** AES Key Unwrap; fails on an integrity check error (wrong KEK or damaged data). */
export function aesKeyUnwrap(kek: Uint8Array, wrapped: Uint8Array, pad: boolean): Buffer {
  if (wrapped.length < 16 || wrapped.length % 8 !== 0)
    throw cryptoError('wrapped key length is not valid for AES key wrap');
  try {
    const d = createDecipheriv(kwCipher(kek, pad), kek, pad ? KWP_IV : KW_IV);
    return Buffer.concat([d.update(wrapped), d.final()]);
  } catch (e) {
    if (isKeyholdError(e)) throw e;
    throw cryptoError('AES key unwrap failed: integrity check did not pass (wrong wrapping key?)', e);
  }
}

/** Wraps key bytes with a symmetric KEK (Uint8Array) or an RSA public key (KeyObject). */
export function wrapKey(wrappingKey: Uint8Array | KeyObject, p: WrapParameters, keyBytes: Uint8Array): WrappedKey {
  switch (p.mode) {
    case 'NISTKeyWrap':
    case 'AESKeyWrapPadding':
      return { wrapped: aesKeyWrap(symmetric(wrappingKey), keyBytes, p.mode === 'AESKeyWrapPadding') };
    case 'GCM': {
      const r = encryptSymmetric(
        symmetric(wrappingKey),
        { algorithm: 'AES', mode: 'GCM', iv: p.iv, aad: p.aad, tagLength: p.tagLength },
        keyBytes,
      );
      return { wrapped: Buffer.concat([r.data, r.tag as Buffer]), iv: r.iv as Buffer };
    }
    case 'OAEP':
      return {
        wrapped: rsaEncrypt(asymmetric(wrappingKey), { padding: 'OAEP', hash: p.hash, label: p.label }, keyBytes),
      };
    case 'PKCS1V1_5':
      return { wrapped: rsaEncrypt(asymmetric(wrappingKey), { padding: 'PKCS1V1_5' }, keyBytes) };
    default:
      throw unsupported(`key wrapping mode ${String((p as { mode: unknown }).mode)}`);
  }
}

/** Unwraps; the inverse of wrapKey. The caller wipes the result when done. */
export function unwrapKey(
  unwrappingKey: Uint8Array | KeyObject,
  p: WrapParameters,
  wrapped: Uint8Array,
  iv?: Uint8Array,
): Buffer {
  switch (p.mode) {
    case 'NISTKeyWrap':
    case 'AESKeyWrapPadding':
      return aesKeyUnwrap(symmetric(unwrappingKey), wrapped, p.mode === 'AESKeyWrapPadding');
    case 'GCM': {
      const tagLength = p.tagLength ?? 16;
      if (!iv && !p.iv) throw invalidArgument('AES-GCM unwrap needs the IV');
      if (wrapped.length < tagLength) throw cryptoError('wrapped key is shorter than its tag');
      const body = wrapped.subarray(0, wrapped.length - tagLength);
      const tag = wrapped.subarray(wrapped.length - tagLength);
      return decryptSymmetric(
        symmetric(unwrappingKey),
        { algorithm: 'AES', mode: 'GCM', iv: iv ?? p.iv, aad: p.aad, tagLength },
        body,
        tag,
      );
    }
    case 'OAEP':
      return rsaDecrypt(asymmetric(unwrappingKey), { padding: 'OAEP', hash: p.hash, label: p.label }, wrapped);
    case 'PKCS1V1_5':
      return rsaDecrypt(asymmetric(unwrappingKey), { padding: 'PKCS1V1_5' }, wrapped);
    default:
      throw unsupported(`key wrapping mode ${String((p as { mode: unknown }).mode)}`);
  }
}

function symmetric(k: Uint8Array | KeyObject): Uint8Array {
  if (k instanceof Uint8Array) return k;
  throw invalidArgument('this wrapping mode needs a symmetric wrapping key');
}

function asymmetric(k: Uint8Array | KeyObject): KeyObject {
  if (k instanceof Uint8Array) throw invalidArgument('RSA wrapping needs an RSA key');
  return k;
}

/** KMIP Key Wrapping Data fields (spec 1.4 section 2.1.5), by tag name. */
export interface KeyWrappingData {
  WrappingMethod: 'Encrypt';
  EncryptionKeyInformation: { UniqueIdentifier: string; CryptographicParameters: { [field: string]: string } };
  IVCounterNonce?: Uint8Array;
  EncodingOption: 'NoEncoding';
}

function wrapParametersFields(p: WrapParameters): { [field: string]: string } {
  switch (p.mode) {
    case 'NISTKeyWrap':
    case 'AESKeyWrapPadding':
    case 'GCM':
      return { BlockCipherMode: p.mode };
    case 'OAEP':
      return {
        PaddingMethod: 'OAEP',
        HashingAlgorithm: (p.hash ?? 'sha1') === 'sha1' ? 'SHA_1' : p.hash === 'sha256' ? 'SHA_256' : String(p.hash),
      };
    case 'PKCS1V1_5':
      return { PaddingMethod: 'PKCS1V1_5' };
  }
}

/**
 * Wraps the key material of a Key Block (byte-string material only, Encoding Option No
 * Encoding), returning a Key Block whose material is the wrapped bytes and which carries its
 * Key Wrapping Data, as a KMIP Get with a Key Wrapping Specification returns it.
 */
export function wrapKeyBlock<B extends { keyMaterial: unknown; keyWrappingData?: unknown }>(
  block: B,
  wrappingKey: Uint8Array | KeyObject,
  wrappingKeyId: string,
  p: WrapParameters,
): B & { keyMaterial: Buffer; keyWrappingData: KeyWrappingData } {
  if (block.keyWrappingData) throw invalidArgument('the key block is already wrapped');
  if (!(block.keyMaterial instanceof Uint8Array))
    throw unsupported('wrapping transparent key material (TTLV Encoding)');
  const w = wrapKey(wrappingKey, p, block.keyMaterial);
  const data: KeyWrappingData = {
    WrappingMethod: 'Encrypt',
    EncryptionKeyInformation: { UniqueIdentifier: wrappingKeyId, CryptographicParameters: wrapParametersFields(p) },
    EncodingOption: 'NoEncoding',
  };
  if (w.iv) data.IVCounterNonce = w.iv;
  return { ...block, keyMaterial: w.wrapped, keyWrappingData: data };
}

/** The inverse of wrapKeyBlock: plain material, no Key Wrapping Data. The caller wipes it. */
export function unwrapKeyBlock<B extends { keyMaterial: unknown; keyWrappingData?: unknown }>(
  block: B,
  unwrappingKey: Uint8Array | KeyObject,
  p: WrapParameters,
): Omit<B, 'keyWrappingData'> & { keyMaterial: Buffer } {
  const kwd = block.keyWrappingData as Partial<KeyWrappingData> | undefined;
  if (!kwd) throw invalidArgument('the key block is not wrapped');
  if (kwd.WrappingMethod !== undefined && kwd.WrappingMethod !== 'Encrypt')
    throw unsupported(`wrapping method ${String(kwd.WrappingMethod)}`);
  if (!(block.keyMaterial instanceof Uint8Array)) throw invalidArgument('wrapped key material must be bytes');
  const plain = unwrapKey(unwrappingKey, p, block.keyMaterial, kwd.IVCounterNonce);
  const { keyWrappingData: _dropped, ...rest } = block;
  return { ...rest, keyMaterial: plain };
}
