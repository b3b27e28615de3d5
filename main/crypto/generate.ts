import { generateKeyPair as nodeGenerateKeyPair, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { cryptoError, invalidArgument, unsupported } from './errors.js';
import { HASH_LENGTH, type HashName } from './hash.js';
import { randomBytes } from './random.js';

const generateKeyPairAsync = promisify(nodeGenerateKeyPair);

/** Curves Keyhold generates, by their KMIP Recommended Curve names (P_256 normalized is P-256 in text). */
export type NamedCurve = 'P-256' | 'P-384' | 'P-521';

export type KeyPairSpec =
  | { algorithm: 'RSA'; length: number; publicExponent?: number }
  | { algorithm: 'EC'; curve: NamedCurve }
  | { algorithm: 'Ed25519' | 'Ed448' | 'X25519' | 'X448' };

export interface KeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

const RSA_LENGTHS = [1024, 2048, 3072, 4096, 8192];
const NODE_CURVE: Record<NamedCurve, string> = { 'P-256': 'prime256v1', 'P-384': 'secp384r1', 'P-521': 'secp521r1' };

/** Generates an asymmetric key pair on the libuv thread pool (RSA-4096 takes seconds). */
export async function generateKeyPair(spec: KeyPairSpec): Promise<KeyPair> {
  try {
    switch (spec.algorithm) {
      case 'RSA': {
        if (!RSA_LENGTHS.includes(spec.length)) {
          throw invalidArgument(`RSA length must be one of ${RSA_LENGTHS.join(', ')}`);
        }
        return await generateKeyPairAsync('rsa', {
          modulusLength: spec.length,
          publicExponent: spec.publicExponent ?? 65537,
        });
      }
      case 'EC': {
        const curve = NODE_CURVE[spec.curve];
        if (!curve) throw unsupported(`EC curve ${String(spec.curve)}`);
        return await generateKeyPairAsync('ec', { namedCurve: curve });
      }
      case 'Ed25519':
        return await generateKeyPairAsync('ed25519');
      case 'Ed448':
        return await generateKeyPairAsync('ed448');
      case 'X25519':
        return await generateKeyPairAsync('x25519');
      case 'X448':
        return await generateKeyPairAsync('x448');
      default:
        throw unsupported(`key pair algorithm ${String((spec as { algorithm: unknown }).algorithm)}`);
    }
  } catch (e) {
    if (e instanceof Error && e.name === 'KeyholdError') throw e;
    throw cryptoError('key pair generation failed', e);
  }
}

/** Symmetric algorithms Keyhold generates keys for, by KMIP Cryptographic Algorithm name. */
export type SymmetricKeyAlgorithm =
  | 'AES'
  | 'DES3'
  | 'ChaCha20'
  | 'ChaCha20Poly1305'
  | 'HMAC_SHA1'
  | 'HMAC_SHA224'
  | 'HMAC_SHA256'
  | 'HMAC_SHA384'
  | 'HMAC_SHA512'
  | 'HMAC_SHA3_224'
  | 'HMAC_SHA3_256'
  | 'HMAC_SHA3_384'
  | 'HMAC_SHA3_512';

/** The hash behind each HMAC algorithm name. */
export const HMAC_HASH: Readonly<Record<string, HashName>> = {
  HMAC_SHA1: 'sha1',
  HMAC_SHA224: 'sha224',
  HMAC_SHA256: 'sha256',
  HMAC_SHA384: 'sha384',
  HMAC_SHA512: 'sha512',
  HMAC_SHA3_224: 'sha3-224',
  HMAC_SHA3_256: 'sha3-256',
  HMAC_SHA3_384: 'sha3-384',
  HMAC_SHA3_512: 'sha3-512',
};

/** Default Cryptographic Length in bits for each symmetric algorithm. */
export function defaultSymmetricLength(algorithm: SymmetricKeyAlgorithm): number {
  const h = HMAC_HASH[algorithm];
  if (h) return HASH_LENGTH[h] * 8;
  if (algorithm === 'DES3') return 192;
  return 256;
}

/** Generates symmetric key bytes (KMIP Create, Symmetric Key). The caller wipes them when done. */
export function generateSymmetricKey(algorithm: SymmetricKeyAlgorithm, lengthBits?: number): Buffer {
  const bits = lengthBits ?? defaultSymmetricLength(algorithm);
  if (!Number.isInteger(bits) || bits <= 0 || bits % 8 !== 0)
    throw invalidArgument('key length must be a multiple of 8 bits');
  if (algorithm === 'AES' && ![128, 192, 256].includes(bits))
    throw invalidArgument('AES length must be 128, 192 or 256');
  if ((algorithm === 'ChaCha20' || algorithm === 'ChaCha20Poly1305') && bits !== 256) {
    throw invalidArgument('ChaCha20 length must be 256');
  }
  if (algorithm === 'DES3' && bits !== 192 && bits !== 128) throw invalidArgument('DES3 length must be 128 or 192');
  if (HMAC_HASH[algorithm] && (bits < 112 || bits > 8192))
    throw invalidArgument('HMAC key length must be 112..8192 bits');
  if (!HMAC_HASH[algorithm] && !['AES', 'DES3', 'ChaCha20', 'ChaCha20Poly1305'].includes(algorithm)) {
    throw unsupported(`symmetric algorithm ${String(algorithm)}`);
  }
  return randomBytes(bits / 8);
}

/** Secret Data of any length (KMIP Secret Data, e.g. a password or seed). */
export function generateSecretData(lengthBytes: number): Buffer {
  if (!Number.isInteger(lengthBytes) || lengthBytes < 1 || lengthBytes > 65536) {
    throw invalidArgument('secret data length must be 1..65536 bytes');
  }
  return randomBytes(lengthBytes);
}
