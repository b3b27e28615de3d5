import { createHash, pbkdf2Sync } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { kbkdfHmac } from '../../main/crypto/kbkdf.js';
import { memoryKmipSuite } from '../support/memory-kmip-suite.js';
import { runPyKmipAs } from './support/pykmip-client.js';

const here = path.dirname(fileURLToPath(import.meta.url));

describe('PyKMIP ProxyKmipClient runs Derive Key against Keyhold server', () => {
  const keyhold = memoryKmipSuite();

  it('PBKDF2, NIST800-108-C and HASH give the expected keys; a key without Derive Key usage is refused', async () => {
    const steps = await runPyKmipAs(path.join(here, 'support/pykmip_derive.py'), keyhold);
    const failed = steps.filter((s) => !s.ok);
    expect(failed, JSON.stringify(failed, null, 1)).toEqual([]);
    const by = Object.fromEntries(steps.map((s) => [s.step, s.value]));
    expect(by.get_pbkdf2).toBe(pbkdf2Sync('password', 'NaCl', 1000, 32, 'sha256').toString('hex'));
    const hmacKey = Buffer.alloc(32, 0x0b);
    expect(by.get_nist800_108_c).toBe(
      kbkdfHmac('Counter', 'sha256', hmacKey, Buffer.from('label\0context'), 40).toString('hex'),
    );
    expect(by.get_hash).toBe(createHash('sha256').update(hmacKey).digest().subarray(0, 16).toString('hex'));
    // PyKMIP speaks 1.2 by default: the 1.x Result Reason for a missing Derive Key bit is Invalid Field.
    expect(by.derive_refused).toBe('ResultReason.INVALID_FIELD');
  }, 90_000);
});
