import { execFile } from 'node:child_process';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureFreshBuild, REPO } from '../support/fresh-build.js';
import { memoryKmipSuite } from '../support/memory-kmip-suite.js';

const BIN = path.join(REPO, 'bin/keyhold.js');

describe('keyhold kmip (client CLI)', () => {
  // bin/keyhold.js runs dist/: rebuilt first when any source is newer, so this tests the source as it is.
  beforeAll(ensureFreshBuild, 600_000);
  const suite = memoryKmipSuite();
  let flags: string[] = [];
  beforeAll(() => {
    const c = suite.pki.client('cli');
    flags = ['kmip', '--server', `127.0.0.1:${suite.port}`, '--cert', c.cert, '--key', c.key, '--ca', suite.pki.caCert];
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
