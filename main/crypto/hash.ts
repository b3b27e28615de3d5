import { createHash, createHmac, getHashes, timingSafeEqual } from 'node:crypto';
import { cryptoError, invalidArgument, unsupported } from './errors.js';

/** Hash functions by their OpenSSL names, as Node's crypto takes them. */
export type HashName =
  | 'md5'
  | 'sha1'
  | 'sha224'
  | 'sha256'
  | 'sha384'
  | 'sha512'
  | 'sha512-224'
  | 'sha512-256'
  | 'sha3-224'
  | 'sha3-256'
  | 'sha3-384'
  | 'sha3-512';

/** Output length in bytes of each hash. */
export const HASH_LENGTH: Readonly<Record<HashName, number>> = {
  md5: 16,
  sha1: 20,
  sha224: 28,
  sha256: 32,
  sha384: 48,
  sha512: 64,
  'sha512-224': 28,
  'sha512-256': 32,
  'sha3-224': 28,
  'sha3-256': 32,
  'sha3-384': 48,
  'sha3-512': 64,
};

let available: Set<string> | undefined;

export function assertHash(name: string): asserts name is HashName {
  available ??= new Set(getHashes());
  if (!(name in HASH_LENGTH)) throw unsupported(`hash ${name} is not supported`);
  if (!available.has(name)) throw unsupported(`hash ${name} is not available in this OpenSSL`);
}

/** Digest of `data` (KMIP Hash operation). */
export function hash(name: HashName, data: Uint8Array): Buffer {
  assertHash(name);
  return createHash(name).update(data).digest();
}

/** HMAC of `data` under `key` (KMIP MAC operation, HMAC algorithms). */
export function hmac(name: HashName, key: Uint8Array, data: Uint8Array): Buffer {
  assertHash(name);
  if (key.length === 0) throw invalidArgument('HMAC key is empty');
  return createHmac(name, key).update(data).digest();
}

/** Checks a MAC in constant time (KMIP MAC Verify). */
export function hmacVerify(name: HashName, key: Uint8Array, data: Uint8Array, mac: Uint8Array): boolean {
  const expected = hmac(name, key, data);
  try {
    if (mac.length !== expected.length) return false;
    return timingSafeEqual(expected, mac);
  } finally {
    expected.fill(0);
  }
}

/** Throws a crypto error when a MAC does not verify. */
export function assertHmac(name: HashName, key: Uint8Array, data: Uint8Array, mac: Uint8Array): void {
  if (!hmacVerify(name, key, data, mac)) throw cryptoError('MAC does not verify');
}
