import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KmipServer } from '../../main/server/kmip-server.js';
import type { TestPki } from '../interop/support/certs.js';
import { startMemoryKmipServer } from '../support/memory-kmip-server.js';
import { ensureBuilt, REPO } from '../vault/support-dist.js';
import { SHARED } from './support.js';

/** A test case Keyhold fails (every mandatory file passes now): Get of an object that does not exist, expecting Success. */
const FAILING_CASE = `<KMIP>
<RequestMessage>
  <RequestHeader>
    <ProtocolVersion><ProtocolVersionMajor type="Integer" value="1"/><ProtocolVersionMinor type="Integer" value="4"/></ProtocolVersion>
    <BatchCount type="Integer" value="1"/>
  </RequestHeader>
  <BatchItem>
    <Operation type="Enumeration" value="Get"/>
    <RequestPayload><UniqueIdentifier type="TextString" value="no-such-object"/></RequestPayload>
  </BatchItem>
</RequestMessage>
<ResponseMessage>
  <ResponseHeader>
    <ProtocolVersion><ProtocolVersionMajor type="Integer" value="1"/><ProtocolVersionMinor type="Integer" value="4"/></ProtocolVersion>
    <TimeStamp type="DateTime" value="$NOW"/>
    <BatchCount type="Integer" value="1"/>
  </ResponseHeader>
  <BatchItem>
    <Operation type="Enumeration" value="Get"/>
    <ResultStatus type="Enumeration" value="Success"/>
    <ResponsePayload><UniqueIdentifier type="TextString" value="no-such-object"/></ResponsePayload>
  </BatchItem>
</ResponseMessage>
</KMIP>
`;

describe('keyhold conformance (CLI)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'keyhold-conformance-'));
  const failingCase = path.join(dir, 'GET-MISSING.xml');
  writeFileSync(failingCase, FAILING_CASE);
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
    rmSync(dir, { recursive: true, force: true });
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
    const bad = await run([failingCase]);
    expect(bad.out).toMatch(/^FAIL GET-MISSING\.xml: request 1: /m);
    expect(bad.out.trimEnd().split('\n').pop()).toBe('0 passed, 1 failed');
    expect(bad.code).not.toBe(0);
  });
});
