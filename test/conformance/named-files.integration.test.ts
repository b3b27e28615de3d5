import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatResults } from '../../main/conformance/index.js';
import { memoryKmipSuite } from '../support/memory-kmip-suite.js';
import { runAll, SHARED } from './support.js';

/**
 * The mandatory files closed last (a series such as TL-M-1..3 runs whole, in order: each file
 * builds on the objects the one before left), run on their own so a regression names them.
 */
const series: Record<string, string[]> = {
  'v1.4': ['TL-M-1-14.xml', 'TL-M-2-14.xml', 'TL-M-3-14.xml'],
  'v2.1': ['PKCS11-M-1-21.xml', 'TL-M-1-21.xml', 'TL-M-2-21.xml', 'TL-M-3-21.xml'],
};

describe('OASIS mandatory files closed last, against Keyhold server', () => {
  for (const [version, files] of Object.entries(series)) {
    describe(version, () => {
      const kmip = memoryKmipSuite();

      it(`passes ${files.join(', ')}`, async () => {
        const results = await runAll(
          files.map((f) => path.join(SHARED, version, 'mandatory', f)),
          kmip.port,
          kmip.pki,
        );
        const failed = results.filter((r) => !r.passed);
        expect(failed, formatResults(results)).toEqual([]);
      }, 120_000);
    });
  }
});
