import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runPyKmipAs } from '../interop/support/pykmip-client.js';
import { memoryKmipSuite } from '../support/memory-kmip-suite.js';

const here = path.dirname(fileURLToPath(import.meta.url));

describe('PyKMIP ProxyKmipClient gets a wrapped key from Keyhold server', () => {
  const keyhold = memoryKmipSuite();

  /**
   * PyKMIP 0.10's client always decodes a Key Value as a Structure (kmip/core/objects.py
   * KeyBlock.read), while KMIP 1.0-2.1 (1.4 Table 7) and the OASIS test AX-M-2-14 send a
   * wrapped Key Value as a Byte String, as Keyhold does. So PyKMIP can ask for a wrapped key
   * and Keyhold checks the request like any other, but PyKMIP cannot read the answer. This test
   * records that (it fails, and should then be turned into a positive check, if PyKMIP changes).
   */
  it('checks a PyKMIP wrapping request (Wrap Key usage enforced); PyKMIP cannot decode the spec-form answer', async () => {
    const steps = await runPyKmipAs(path.join(here, 'support/pykmip_wrap.py'), keyhold);
    const by = Object.fromEntries(steps.map((s) => [s.step, s]));
    const expectedToFail = new Set(['get_wrapped', 'wrapping_data', 'wrong_usage_refused']);
    const failed = steps.filter((s) => !s.ok && !expectedToFail.has(s.step));
    expect(failed, JSON.stringify(failed, null, 1)).toEqual([]);
    expect(by.get_wrapped?.error).toMatch(/ReadValueError: Tried to read Base.type: expected 1, received 8/);
    expect(by.wrong_usage_refused?.ok).toBe(false);
    expect(by.wrong_usage_refused?.error).toMatch(/Wrap Key usage/);
  });
});
