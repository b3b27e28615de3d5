import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatResults } from '../../main/conformance/index.js';
import { runAll, SHARED } from '../conformance/support.js';
import { memoryKmipSuite } from '../support/memory-kmip-suite.js';

/**
 * The OASIS mandatory test cases that exercise Get with a Key Wrapping Specification (AX-M-2-14,
 * AX-M-2-21) and Query listing Certify/ReCertify/Import/Export (QS, MSGENC, SUITEB), run as the
 * mandatory conformance suite runs them: over mutual TLS against Keyhold's server.
 */
const files = [
  'v1.4/mandatory/AX-M-2-14.xml',
  'v2.1/mandatory/AX-M-2-21.xml',
  'v1.4/mandatory/SUITEB_128-M-1-14.xml',
  'v1.4/mandatory/SUITEB_192-M-1-14.xml',
  'v1.4/mandatory/MSGENC-XML-M-1-14.xml',
  'v2.1/mandatory/MSGENC-XML-M-1-21.xml',
  'v2.1/mandatory/QS-M-1-21.xml',
].map((f) => path.join(SHARED, f));

describe('OASIS test cases for key wrapping and the certificate/import/export operations', () => {
  const keyhold = memoryKmipSuite();

  it('passes every file', async () => {
    const results = await runAll(files, keyhold.port, keyhold.pki);
    process.stdout.write(formatResults(results));
    expect(results.filter((r) => !r.passed).map((r) => r.file)).toEqual([]);
  }, 120_000);
});
