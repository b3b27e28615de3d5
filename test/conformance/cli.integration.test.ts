import { execFile } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KmipServer } from '../../main/server/kmip-server.js';
import type { TestPki } from '../interop/support/certs.js';
import { startMemoryKmipServer } from '../support/memory-kmip-server.js';
import { ensureBuilt, REPO } from '../vault/support-dist.js';
import { SHARED } from './support.js';

describe('keyhold conformance (CLI)', () => {
  let pki: TestPki;
  let server: KmipServer;
  let args: string[];
  beforeAll(async () => {
    ensureBuilt();
    const started = await startMemoryKmipServer();
    ({ pki, server } = started);
    const port = started.port;
    const c = pki.client('conformance-cli');
    args = [
      path.join(REPO, 'bin/keyhold.js'),
      'conformance',
      '--server',
      `127.0.0.1:${port}`,
      '--cert',
      c.cert,
      '--key',
      c.key,
      '--ca',
      pki.caCert,
    ];
  });
  afterAll(async () => {
    await server?.close();
    pki?.dispose();
  });
  const run = (files: string[]) =>
    new Promise<{ code: number; out: string }>((resolve) => {
      execFile(process.execPath, [...args, ...files], { encoding: 'utf8', timeout: 120_000 }, (err, stdout) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: stdout }),
      );
    });

  it('prints one line per file and the total; exit 0 only when all pass', async () => {
    const good = await run([
      path.join(SHARED, 'v1.4/mandatory/SKLC-M-1-14.xml'),
      path.join(SHARED, 'v2.1/mandatory/SKLC-M-1-21.xml'),
    ]);
    expect(good.out).toMatch(/^PASS SKLC-M-1-14\.xml/m);
    expect(good.out.trimEnd().split('\n').pop()).toBe('2 passed, 0 failed');
    expect(good.code).toBe(0);
    const bad = await run([path.join(SHARED, 'v2.1/mandatory/PKCS11-M-1-21.xml')]);
    expect(bad.out.trimEnd().split('\n').pop()).toBe('0 passed, 1 failed');
    expect(bad.code).not.toBe(0);
  });
});
