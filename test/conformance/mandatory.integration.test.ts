import { describe, expect, it } from 'vitest';
import { formatResults, type FileResult } from '../../main/conformance/index.js';
import { memoryKmipSuite } from '../support/memory-kmip-suite.js';
import { mandatoryFiles, runAll } from './support.js';

/**
 * Every mandatory OASIS test case of KMIP 1.4 and 2.1 against Keyhold's own server. The pass
 * count is printed and may only go up: the floor below is the count this code reached; files
 * that still fail are listed with the reason in the output (and in the README).
 */
const FLOOR: Record<'v1.4' | 'v2.1', number> = { 'v1.4': 68, 'v2.1': 86 };

describe('OASIS mandatory test cases against Keyhold server', () => {
  // Each version's files run in order against a server of their own: a series such as TL-M-1..3
  // (the tape library profile) builds on the objects its earlier files left, and objects a file of
  // the other version left (or a failed file did not destroy) must not show up in its Locates.
  for (const version of ['v1.4', 'v2.1'] as const) {
    describe(version, () => {
      const kmip = memoryKmipSuite();

      it(`runs every ${version} mandatory file and passes at least ${FLOOR[version]}`, async () => {
        const results: FileResult[] = await runAll(mandatoryFiles(version), kmip.port, kmip.pki);
        process.stdout.write(`--- ${version} mandatory ---\n${formatResults(results)}`);
        expect(results.length).toBe(mandatoryFiles(version).length);
        expect(results.filter((r) => r.passed).length).toBeGreaterThanOrEqual(FLOOR[version]);
      }, 600_000);
    });
  }
});
