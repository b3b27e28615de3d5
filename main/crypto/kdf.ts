import { hkdfSync, pbkdf2Sync, pbkdf2 } from 'node:crypto';
import { promisify } from 'node:util';
import { invalidArgument } from './errors.js';
import { assertHash, type HashName, HASH_LENGTH } from './hash.js';

const pbkdf2Async = promisify(pbkdf2);

/** PBKDF2 (RFC 8018 section 5.2). Synchronous: for short iteration counts and tests. */
export function pbkdf2Derive(
  hashName: HashName,
  password: Uint8Array,
  salt: Uint8Array,
  iterations: number,
  length: number,
): Buffer {
  assertHash(hashName);
  checkCounts(iterations, length);
  return pbkdf2Sync(password, salt, iterations, length, hashName);
}

/** PBKDF2 on the thread pool, for real iteration counts. */
export async function pbkdf2DeriveAsync(
  hashName: HashName,
  password: Uint8Array,
  salt: Uint8Array,
  iterations: number,
  length: number,
): Promise<Buffer> {
  assertHash(hashName);
  checkCounts(iterations, length);
  return pbkdf2Async(password, salt, iterations, length, hashName);
}

/** HKDF extract-and-expand (RFC 5869). */
export function hkdf(hashName: HashName, ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Buffer {
  assertHash(hashName);
  // RFC 5869 section 2.3: L <= 255 * HashLen.
  if (!Number.isInteger(length) || length < 1 || length > 255 * HASH_LENGTH[hashName]) {
    throw invalidArgument('HKDF output length is out of range');
  }
  return Buffer.from(hkdfSync(hashName, ikm, salt, info, length));
}

function checkCounts(iterations: number, length: number): void {
  if (!Number.isInteger(iterations) || iterations < 1) throw invalidArgument('PBKDF2 iteration count must be >= 1');
  if (!Number.isInteger(length) || length < 1) throw invalidArgument('PBKDF2 output length must be >= 1');
}
