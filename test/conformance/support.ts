import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { KmipConnection } from '../../main/client/connection.js';
import type { FileResult } from '../../main/conformance/index.js';
import { runTestCase } from '../../main/conformance/index.js';
import type { TestPki } from '../interop/support/certs.js';
import { pem } from '../interop/support/certs.js';

export const SHARED = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/kmip/testcases');

export function mandatoryFiles(version: 'v1.4' | 'v2.1'): string[] {
  const dir = path.join(SHARED, version, 'mandatory');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.xml'))
    .sort()
    .map((f) => path.join(dir, f));
}

export async function runAll(files: string[], port: number, pki: TestPki): Promise<FileResult[]> {
  const c = pki.client('conformance');
  const results: FileResult[] = [];
  for (const file of files) {
    results.push(
      await runTestCase(file, async () => {
        const conn = await KmipConnection.open({
          host: '127.0.0.1',
          port,
          cert: pem(c.cert),
          key: pem(c.key),
          ca: pem(pki.caCert),
          timeoutMs: 30_000,
        });
        return { send: (b) => conn.request(b), close: () => conn.close() };
      }),
    );
  }
  return results;
}
