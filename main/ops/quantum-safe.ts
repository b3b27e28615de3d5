import type { Attributes } from '../vault/model.js';
import { kmipError } from './errors.js';
import { first } from './objects.js';

/**
 * Quantum Safe (KMIP 2.1 section 4.45): the object is required to be safe against a quantum
 * adversary for its Protection Period. Grover's search halves a symmetric key's strength, so only
 * 256-bit AES (and ChaCha20 keys, always 256 bits) keep 128-bit security; RSA, DSA and elliptic
 * curves fall to Shor's algorithm. A key that cannot be made quantum safe is not created: General
 * Failure (the OASIS QS-M-2-21 case).
 */
export function checkQuantumSafe(attrs: Attributes, algorithm: string, lengthBits: number | undefined): void {
  if (first<boolean>(attrs, 'QuantumSafe') !== true) return;
  const safe =
    ((algorithm === 'AES' || algorithm === 'Camellia') && (lengthBits ?? 0) >= 256) ||
    algorithm === 'ChaCha20' ||
    algorithm === 'ChaCha20Poly1305';
  if (!safe)
    throw kmipError(
      'GeneralFailure',
      `a ${algorithm} key of ${lengthBits ?? '?'} bits is not quantum safe`,
      'unsupported',
    );
}
