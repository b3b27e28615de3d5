import { execFile } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KmipServer } from '../../main/server/kmip-server.js';
import type { TestPki } from '../interop/support/certs.js';
import { startMemoryKmipServer } from '../support/memory-kmip-server.js';
import { ensureBuilt, REPO } from '../vault/support-dist.js';

const BIN = path.join(REPO, 'bin/keyhold.js');

describe('keyhold kmip (client CLI)', () => {
  let pki: TestPki;
  let server: KmipServer;
  let flags: string[];
  beforeAll(async () => {
    ensureBuilt();
    const started = await startMemoryKmipServer();
    ({ pki, server } = started);
    const port = started.port;
    const c = pki.client('cli');
    flags = ['kmip', '--server', `127.0.0.1:${port}`, '--cert', c.cert, '--key', c.key, '--ca', pki.caCert];
  });
  afterAll(async () => {
    await server?.close();
    pki?.dispose();
  });

  // Asynchronous: the server runs in this process and must keep answering.
  const kh = (args: string[]) =>
    new Promise<string>((resolve, reject) => {
      execFile(
        process.execPath,
        [BIN, ...flags, ...args],
        { encoding: 'utf8', timeout: 60_000 },
        (err, stdout, stderr) => (err ? reject(new Error(stderr || err.message)) : resolve(stdout)),
      );
    });

  it('creates, activates, encrypts, decrypts, locates and destroys from the command line', async () => {
    const uid = (JSON.parse(await kh(['--json', 'create', '--name', 'cli-key'])) as { uniqueIdentifier: string })
      .uniqueIdentifier;
    expect(JSON.parse(await kh(['--json', 'locate', '--name', 'cli-key']))).toEqual({ uniqueIdentifiers: [uid] });
    await kh(['activate', uid]);
    const enc = JSON.parse(await kh(['--json', 'encrypt', uid, '68656c6c6f', '--iv', '00'.repeat(16)])) as {
      data: string;
    };
    const dec = JSON.parse(await kh(['--json', 'decrypt', uid, enc.data, '--iv', '00'.repeat(16)])) as { data: string };
    expect(Buffer.from(dec.data, 'hex').toString()).toBe('hello');
    expect(await kh(['get-attributes', uid, 'State'])).toMatch(/State\s+\["Active"\]/);
    await kh(['revoke', uid]);
    await kh(['destroy', uid]);
    expect(JSON.parse(await kh(['--json', 'query'])).operations).toContain('Encrypt');
  });
});
