import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../interop/support/ports.js';
import { e, op, RawSession, request, type Response } from '../interop/client-profiles/support/wire.js';
import { ensureBuilt, REPO } from '../vault/support-dist.js';

/**
 * `keyhold clients enroll --username` and `keyhold clients password`: on the vault when no server
 * runs, live through the control socket while `keyhold serve` runs; the password comes from
 * KEYHOLD_CLIENT_PASSWORD and never appears in output or the vault's audit.
 */
const BIN = path.join(REPO, 'bin/keyhold.js');
const PW = 'credential cli passphrase';
let tmp: string;
let vaultDir: string;
let out: string;
let serve: ChildProcess | undefined;

function keyhold(args: string[], env: Record<string, string> = {}, withPassphrase = true) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    env: { PATH: process.env['PATH'], HOME: tmp, ...(withPassphrase ? { KEYHOLD_PASSPHRASE: PW } : {}), ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function startServe(port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, [BIN, 'serve', '--vault', vaultDir, '--port', String(port)], {
    env: { PATH: process.env['PATH'], HOME: tmp, KEYHOLD_PASSPHRASE: PW },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${stderr}`)), 60_000);
    child.stdout?.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (/listening on/.test(stdout)) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited ${code}: ${stderr}`));
    });
  });
}

const listLine = (name: string, withPassphrase = true) =>
  keyhold(['clients', 'list', '--vault', vaultDir], {}, withPassphrase)
    .stdout.split('\n')
    .find((l) => l.startsWith(`${name}\t`));

beforeAll(() => {
  ensureBuilt();
  tmp = mkdtempSync(path.join(tmpdir(), 'keyhold-clients-cred-'));
  vaultDir = path.join(tmp, 'vault');
  out = path.join(tmp, 'out');
  const init = keyhold(['vault', 'init', '--vault', vaultDir, '--kdf-memory', '64', '--kdf-iterations', '1']);
  expect(init.status, init.stderr).toBe(0);
}, 120_000);

afterAll(() => {
  if (serve && serve.exitCode === null) serve.kill('SIGKILL');
  rmSync(tmp, { recursive: true, force: true });
});

describe('keyhold clients Credential commands', () => {
  it('without a server: enroll --username (password from the environment), list shows it, password --clear', () => {
    const r = keyhold(['clients', 'enroll', 'vc', '--username', 'vc-admin', '--vault', vaultDir, '--out', out], {
      KEYHOLD_CLIENT_PASSWORD: 'cli-secret-1',
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).not.toContain('cli-secret-1');
    expect(listLine('vc')).toMatch(/^vc\tactive\tcredential vc-admin\tserial /);
    const json = keyhold(['clients', 'list', '--json', '--vault', vaultDir]).stdout;
    expect(JSON.parse(json)).toEqual([expect.objectContaining({ name: 'vc', credentialRequired: true })]);
    expect(json).not.toMatch(/hash|salt/i);

    const noPassword = keyhold(['clients', 'password', 'vc', '--vault', vaultDir]);
    expect(noPassword.status).not.toBe(0);
    expect(noPassword.stderr).toContain('KEYHOLD_CLIENT_PASSWORD');

    const cleared = keyhold(['clients', 'password', 'vc', '--clear', '--vault', vaultDir]);
    expect(cleared.status, cleared.stderr).toBe(0);
    expect(cleared.stdout).toBe('vc: no Credential required\n');
    expect(listLine('vc')).toMatch(/^vc\tactive\tserial /);
    const audit = keyhold(['vault', 'audit', 'export', '--vault', vaultDir]);
    expect(audit.status, audit.stderr).toBe(0);
    expect(audit.stdout).toContain('"ModifyAttribute"');
    expect(audit.stdout).not.toContain('cli-secret-1');
  });

  it('while keyhold serve runs: set through the control socket (no vault passphrase), enforced at once, cleared', async () => {
    const port = await freePort();
    serve = await startServe(port);
    const files = {
      cert: readFileSync(path.join(out, 'vc.crt'), 'utf8'),
      key: readFileSync(path.join(out, 'vc.key'), 'utf8'),
      ca: readFileSync(path.join(out, 'ca.crt'), 'utf8'),
    };
    const session = await RawSession.open(port, files);
    const query = (credential?: { username: string; password: string }): Promise<Response> =>
      session.send(
        request([1, 4], [op('Query', [e('QueryFunction', 'QueryOperations')])], credential ? { credential } : {}),
      );
    try {
      expect((await query()).items[0]?.status).toBe('Success');
      const set = keyhold(
        ['clients', 'password', 'vc', '--username', 'vc-admin', '--vault', vaultDir],
        { KEYHOLD_CLIENT_PASSWORD: 'live-secret-2' },
        false,
      );
      expect(set.status, set.stderr).toBe(0);
      expect(set.stdout).toBe('vc must send Credential username vc-admin\n');
      expect(listLine('vc', false)).toMatch(/\tcredential vc-admin\t/);

      for (const bad of [undefined, { username: 'vc-admin', password: 'live-secret-3' }]) {
        const r = await query(bad);
        expect(r.items[0]?.status).toBe('OperationFailed');
        expect(r.items[0]?.reason).toBe('AuthenticationNotSuccessful');
      }
      expect((await query({ username: 'vc-admin', password: 'live-secret-2' })).items[0]?.status).toBe('Success');

      const cleared = keyhold(['clients', 'password', 'vc', '--clear', '--vault', vaultDir], {}, false);
      expect(cleared.status, cleared.stderr).toBe(0);
      expect((await query()).items[0]?.status).toBe('Success');
    } finally {
      session.close();
    }
  }, 120_000);
});
