import { createHmac } from 'node:crypto';
import { invalidArgument } from './errors.js';
import { assertHash, HASH_LENGTH, type HashName } from './hash.js';

/** The KDF modes of NIST SP 800-108r1 section 4 that Keyhold runs (Double-Pipeline is not). */
export type KbkdfMode = 'Counter' | 'Feedback';

/**
 * Key-based KDF with HMAC as the PRF (NIST SP 800-108r1, sections 4.1 and 4.2), with a 32-bit
 * big-endian counter [i]_32 and the output length [L]_32 in bits after the fixed input:
 *
 *   Counter:  K(i) = HMAC(K_I, [i]_32 || fixedInput || [L]_32)
 *   Feedback: K(i) = HMAC(K_I, K(i-1) || [i]_32 || fixedInput || [L]_32), K(0) = iv
 *
 * `fixedInput` is Label || 0x00 || Context as the caller built it (KMIP's Derivation Data). This
 * is OpenSSL's KBKDF with `use-separator:0` and the label/context given as one salt.
 */
export function kbkdfHmac(
  mode: KbkdfMode,
  hashName: HashName,
  key: Uint8Array,
  fixedInput: Uint8Array,
  length: number,
  iv: Uint8Array = new Uint8Array(),
): Buffer {
  assertHash(hashName);
  if (key.length === 0) throw invalidArgument('KBKDF key is empty');
  const h = HASH_LENGTH[hashName];
  const blocks = Math.ceil(length / h);
  // Section 4: n = ceil(L / h) must not exceed 2^r - 1; L itself is encoded in 32 bits.
  if (!Number.isInteger(length) || length < 1 || length * 8 > 0xffffffff || blocks > 0xffffffff) {
    throw invalidArgument('KBKDF output length is out of range');
  }
  const out = Buffer.alloc(blocks * h);
  const counter = Buffer.alloc(4);
  const bitLength = Buffer.alloc(4);
  bitLength.writeUInt32BE(length * 8);
  let previous: Uint8Array = iv;
  for (let i = 1; i <= blocks; i++) {
    counter.writeUInt32BE(i);
    const mac = createHmac(hashName, key);
    if (mode === 'Feedback') mac.update(previous);
    const block = mac.update(counter).update(fixedInput).update(bitLength).digest();
    block.copy(out, (i - 1) * h);
    previous = out.subarray((i - 1) * h, i * h);
    block.fill(0);
  }
  const result = Buffer.from(out.subarray(0, length));
  out.fill(0);
  return result;
}
