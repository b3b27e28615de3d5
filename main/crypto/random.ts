import { randomBytes as nodeRandomBytes } from 'node:crypto';
import { invalidArgument } from './errors.js';

/** Cryptographically strong random bytes from OpenSSL's DRBG (KMIP RNG Retrieve). */
export function randomBytes(length: number): Buffer {
  if (!Number.isInteger(length) || length < 0 || length > 1 << 20) {
    throw invalidArgument('random length must be an integer between 0 and 1 MiB');
  }
  return nodeRandomBytes(length);
}
