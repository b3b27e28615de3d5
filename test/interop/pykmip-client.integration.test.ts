import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MemoryObjectStore } from '../../main/ops/index.js';
import { memoryKmipSuite } from '../support/memory-kmip-suite.js';
import { runPyKmipAs } from './support/pykmip-client.js';

const here = path.dirname(fileURLToPath(import.meta.url));

describe('PyKMIP ProxyKmipClient against Keyhold server', () => {
  const store = new MemoryObjectStore();
  const keyhold = memoryKmipSuite({ store });

  it('performs the full lifecycle (create, register, get, locate, attributes, activate, encrypt/decrypt, key pair, sign, revoke, destroy)', async () => {
    const steps = await runPyKmipAs(path.join(here, 'support/pykmip_lifecycle.py'), keyhold);
    const failed = steps.filter((s) => !s.ok);
    expect(failed, JSON.stringify(failed, null, 1)).toEqual([]);
    const by = Object.fromEntries(steps.map((s) => [s.step, s.value]));
    expect(by.get).toBe(32);
    expect(by.locate_by_name).toEqual([by.create]);
    expect(by.state_active).toBe('State.ACTIVE');
    expect(by.decrypt).toBe('attack at dawn, keyhold');
    expect(by.get_registered).toBe('01'.repeat(32));
    expect(by.signature_verify).toBe('ValidityIndicator.VALID');
    expect(by.state_destroyed).toBe('State.DESTROYED');
    expect(store.auditLog.length).toBeGreaterThan(15);
    expect(store.auditLog.every((e) => e.identity === 'alice')).toBe(true);
  });
});
