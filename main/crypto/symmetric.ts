import { createCipheriv, createDecipheriv, type CipherGCMTypes } from 'node:crypto';
import { isKeyholdError } from '../../shared/errors.js';
import { cryptoError, invalidArgument, unsupported } from './errors.js';
import { randomBytes } from './random.js';

/** Symmetric ciphers Keyhold runs, by KMIP Cryptographic Algorithm name. */
export type SymmetricAlgorithm = 'AES' | 'DES3' | 'ChaCha20' | 'ChaCha20Poly1305';
/** Block cipher modes, by KMIP Block Cipher Mode name. */
export type CipherMode = 'CBC' | 'ECB' | 'CTR' | 'GCM' | 'CFB' | 'OFB' | 'XTS' | 'AEAD';
/** Padding, by KMIP Padding Method name (PKCS5 is the PKCS#7 padding of any block size). */
export type CipherPadding = 'None' | 'PKCS5';

export interface SymmetricParameters {
  algorithm: SymmetricAlgorithm;
  /** Block cipher mode; AES and DES3 need one, ChaCha20(-Poly1305) take none. */
  mode?: CipherMode;
  /** Default PKCS5 for CBC and ECB, None otherwise. */
  padding?: CipherPadding;
  /** IV, counter block or nonce. Encrypt generates one when absent (KMIP Random IV). */
  iv?: Uint8Array;
  /** Additional authenticated data for GCM and ChaCha20-Poly1305. */
  aad?: Uint8Array;
  /** Authentication tag length in bytes for AEAD modes (default 16). */
  tagLength?: number;
}

export interface SymmetricResult {
  data: Buffer;
  /** The IV/nonce used, when the mode takes one. */
  iv?: Buffer;
  /** Authentication tag, for AEAD modes (KMIP Authenticated Encryption Tag). */
  tag?: Buffer;
}

interface Resolved {
  cipher: string;
  ivLength: number;
  aead: boolean;
  block: number;
  padding: boolean;
}

const AEAD_IV = 12;

function resolve(key: Uint8Array, p: SymmetricParameters): Resolved {
  switch (p.algorithm) {
    case 'AES': {
      const mode = p.mode ?? 'CBC';
      const bits = key.length * 8;
      if (mode === 'XTS') {
        // XTS takes two AES keys concatenated (IEEE 1619): 256 or 512 bits.
        if (bits !== 256 && bits !== 512) throw invalidArgument('AES-XTS key must be 256 or 512 bits');
        return { cipher: `aes-${bits / 2}-xts`, ivLength: 16, aead: false, block: 1, padding: false };
      }
      if (bits !== 128 && bits !== 192 && bits !== 256) throw invalidArgument('AES key must be 128, 192 or 256 bits');
      const padded = mode === 'CBC' || mode === 'ECB';
      const padding = padded ? (p.padding ?? 'PKCS5') === 'PKCS5' : false;
      if (!padded && p.padding !== undefined && p.padding !== 'None') {
        throw unsupported(`padding ${p.padding} with AES-${mode}`);
      }
      switch (mode) {
        case 'CBC':
          return { cipher: `aes-${bits}-cbc`, ivLength: 16, aead: false, block: 16, padding };
        case 'ECB':
          return { cipher: `aes-${bits}-ecb`, ivLength: 0, aead: false, block: 16, padding };
        case 'CTR':
          return { cipher: `aes-${bits}-ctr`, ivLength: 16, aead: false, block: 1, padding: false };
        case 'CFB':
          return { cipher: `aes-${bits}-cfb`, ivLength: 16, aead: false, block: 1, padding: false };
        case 'OFB':
          return { cipher: `aes-${bits}-ofb`, ivLength: 16, aead: false, block: 1, padding: false };
        case 'GCM':
          return { cipher: `aes-${bits}-gcm`, ivLength: AEAD_IV, aead: true, block: 1, padding: false };
        default:
          throw unsupported(`block cipher mode ${mode} with AES`);
      }
    }
    case 'DES3': {
      if (key.length !== 24 && key.length !== 16) throw invalidArgument('DES3 key must be 128 or 192 bits');
      const mode = p.mode ?? 'CBC';
      const two = key.length === 16 ? 'des-ede' : 'des-ede3';
      const padding = (p.padding ?? 'PKCS5') === 'PKCS5';
      if (mode === 'CBC') return { cipher: `${two}-cbc`, ivLength: 8, aead: false, block: 8, padding };
      if (mode === 'ECB')
        return {
          cipher: two === 'des-ede' ? 'des-ede-ecb' : 'des-ede3-ecb',
          ivLength: 0,
          aead: false,
          block: 8,
          padding,
        };
      throw unsupported(`block cipher mode ${mode} with DES3`);
    }
    case 'ChaCha20':
      if (key.length !== 32) throw invalidArgument('ChaCha20 key must be 256 bits');
      // OpenSSL's chacha20 takes a 16-byte IV: 32-bit little-endian counter then 96-bit nonce.
      return { cipher: 'chacha20', ivLength: 16, aead: false, block: 1, padding: false };
    case 'ChaCha20Poly1305':
      if (key.length !== 32) throw invalidArgument('ChaCha20-Poly1305 key must be 256 bits');
      return { cipher: 'chacha20-poly1305', ivLength: AEAD_IV, aead: true, block: 1, padding: false };
    default:
      throw unsupported(`symmetric algorithm ${String(p.algorithm)}`);
  }
}

function checkTagLength(r: Resolved, tagLength: number): void {
  if (r.cipher === 'chacha20-poly1305') {
    if (tagLength < 1 || tagLength > 16) throw invalidArgument('ChaCha20-Poly1305 tag length must be 1..16 bytes');
    return;
  }
  // NIST SP 800-38D section 5.2.1.2: 128, 120, 112, 104, 96 bits, or 64 and 32 for special uses.
  if (![4, 8, 12, 13, 14, 15, 16].includes(tagLength)) {
    throw invalidArgument('GCM tag length must be 4, 8 or 12..16 bytes');
  }
}

function checkIv(r: Resolved, iv: Uint8Array): void {
  if (r.aead) {
    if (iv.length < 1 || (r.cipher === 'chacha20-poly1305' && iv.length !== 12)) {
      throw invalidArgument(`nonce length ${iv.length} is not valid for ${r.cipher}`);
    }
    return;
  }
  if (iv.length !== r.ivLength) throw invalidArgument(`IV must be ${r.ivLength} bytes for ${r.cipher}`);
}

/** Encrypts with a symmetric key (KMIP Encrypt). */
export function encryptSymmetric(key: Uint8Array, p: SymmetricParameters, plaintext: Uint8Array): SymmetricResult {
  const r = resolve(key, p);
  const iv = r.ivLength === 0 ? undefined : Buffer.from(p.iv ?? randomBytes(r.ivLength));
  if (iv) checkIv(r, iv);
  if (!r.padding && r.block > 1 && plaintext.length % r.block !== 0) {
    throw invalidArgument(`data length must be a multiple of ${r.block} without padding`);
  }
  try {
    if (r.aead) {
      const tagLength = p.tagLength ?? 16;
      checkTagLength(r, tagLength);
      const c = createCipheriv(r.cipher as CipherGCMTypes, key, iv as Buffer, { authTagLength: tagLength });
      if (p.aad && p.aad.length > 0) c.setAAD(p.aad, { plaintextLength: plaintext.length });
      const data = join(c.update(plaintext), c.final());
      return { data, iv, tag: c.getAuthTag() };
    }
    if (p.aad && p.aad.length > 0) throw invalidArgument('additional authenticated data needs an AEAD mode');
    const c = createCipheriv(r.cipher, key, iv ?? null);
    c.setAutoPadding(r.padding);
    const data = join(c.update(plaintext), c.final());
    return iv ? { data, iv } : { data };
  } catch (e) {
    throw rethrow(e, 'encryption failed');
  }
}

/** Decrypts with a symmetric key (KMIP Decrypt). AEAD modes need the tag. */
export function decryptSymmetric(
  key: Uint8Array,
  p: SymmetricParameters,
  ciphertext: Uint8Array,
  tag?: Uint8Array,
): Buffer {
  const r = resolve(key, p);
  if (r.ivLength > 0 && !p.iv) throw invalidArgument(`${r.cipher} needs an IV to decrypt`);
  const iv = r.ivLength === 0 ? null : Buffer.from(p.iv as Uint8Array);
  if (iv) checkIv(r, iv);
  if (r.block > 1 && ciphertext.length % r.block !== 0) {
    throw cryptoError(`ciphertext length is not a multiple of the ${r.block}-byte block`);
  }
  try {
    if (r.aead) {
      if (!tag) throw invalidArgument('authenticated decryption needs the authentication tag');
      checkTagLength(r, tag.length);
      const d = createDecipheriv(r.cipher as CipherGCMTypes, key, iv as Buffer, { authTagLength: tag.length });
      d.setAuthTag(tag);
      if (p.aad && p.aad.length > 0) d.setAAD(p.aad, { plaintextLength: ciphertext.length });
      return join(d.update(ciphertext), d.final());
    }
    const d = createDecipheriv(r.cipher, key, iv);
    d.setAutoPadding(r.padding);
    return join(d.update(ciphertext), d.final());
  } catch (e) {
    throw rethrow(e, r.aead ? 'authentication tag does not verify' : 'decryption failed (bad key, IV or padding)');
  }
}

/** update() + final() without a copy when final() adds nothing (stream and AEAD modes). */
function join(a: Buffer, b: Buffer): Buffer {
  return b.length === 0 ? a : Buffer.concat([a, b]);
}

function rethrow(e: unknown, message: string): Error {
  if (isKeyholdError(e)) return e;
  return cryptoError(message, e);
}

/**
 * A multi-part Encrypt or Decrypt (KMIP Init Indicator / Correlation Value / Final Indicator):
 * the ops layer keeps one of these per correlation value between requests.
 */
export interface SymmetricStream {
  /** The IV/nonce in use (generated on encrypt when none was given). */
  readonly iv: Buffer | undefined;
  update(data: Uint8Array): Buffer;
  /** Ends the stream; decryption of an AEAD mode needs the tag here. */
  final(tag?: Uint8Array): SymmetricResult;
}

export function createSymmetricStream(
  key: Uint8Array,
  p: SymmetricParameters,
  direction: 'encrypt' | 'decrypt',
): SymmetricStream {
  const r = resolve(key, p);
  if (direction === 'decrypt' && r.ivLength > 0 && !p.iv) throw invalidArgument(`${r.cipher} needs an IV to decrypt`);
  const iv = r.ivLength === 0 ? undefined : Buffer.from(p.iv ?? randomBytes(r.ivLength));
  if (iv) checkIv(r, iv);
  const tagLength = p.tagLength ?? 16;
  if (r.aead) checkTagLength(r, tagLength);
  const failure = direction === 'encrypt' ? 'encryption failed' : 'decryption failed';
  let c: ReturnType<typeof createCipheriv> | ReturnType<typeof createDecipheriv>;
  try {
    if (r.aead) {
      c =
        direction === 'encrypt'
          ? createCipheriv(r.cipher as CipherGCMTypes, key, iv as Buffer, { authTagLength: tagLength })
          : createDecipheriv(r.cipher as CipherGCMTypes, key, iv as Buffer, { authTagLength: tagLength });
      if (p.aad && p.aad.length > 0)
        (c as ReturnType<typeof createCipheriv> & { setAAD(a: Uint8Array): void }).setAAD(p.aad);
    } else {
      c =
        direction === 'encrypt'
          ? createCipheriv(r.cipher, key, iv ?? null)
          : createDecipheriv(r.cipher, key, iv ?? null);
      c.setAutoPadding(r.padding);
    }
  } catch (e) {
    throw rethrow(e, failure);
  }
  const stream = c;
  return {
    iv,
    update(data: Uint8Array): Buffer {
      try {
        return stream.update(data);
      } catch (e) {
        throw rethrow(e, failure);
      }
    },
    final(tag?: Uint8Array): SymmetricResult {
      try {
        if (r.aead && direction === 'decrypt') {
          if (!tag) throw invalidArgument('authenticated decryption needs the authentication tag');
          (stream as ReturnType<typeof createDecipheriv> & { setAuthTag(t: Uint8Array): void }).setAuthTag(tag);
        }
        const data = stream.final();
        if (r.aead && direction === 'encrypt') {
          return { data, tag: (stream as ReturnType<typeof createCipheriv> & { getAuthTag(): Buffer }).getAuthTag() };
        }
        return { data };
      } catch (e) {
        throw rethrow(e, r.aead && direction === 'decrypt' ? 'authentication tag does not verify' : failure);
      }
    },
  };
}
