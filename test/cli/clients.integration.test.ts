import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { controlSocketPath } from '../../main/server/control-socket.js';
import { Vault } from '../../main/vault/index.js';
import { ensureBuilt, REPO } from '../vault/support-dist.js';

/** `keyhold clients ...` with no server running: the CLI opens the vault itself. */
const BIN = path.join(REPO, 'bin/keyhold.js');
const PW = 'clients cli passphrase';
let tmp: string;
let vaultDir: string;
let out: string;

function keyhold(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    env: { PATH: process.env['PATH'], HOME: tmp, KEYHOLD_PASSPHRASE: PW },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  ensureBuilt();
  tmp = mkdtempSync(path.join(tmpdir(), 'keyhold-clients-'));
  vaultDir = path.join(tmp, 'vault');
  out = path.join(tmp, 'out');
  const init = keyhold(['vault', 'init', '--vault', vaultDir, '--kdf-memory', '64', '--kdf-iterations', '1']);
  expect(init.status, init.stderr).toBe(0);
});

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('keyhold clients without a running server', () => {
  it('enrolls (admin too), grants, lists and ungrants through the vault; no control socket is left', () => {
    for (const args of [['bob'], ['root', '--admin']]) {
      const r = keyhold(['clients', 'enroll', ...args, '--vault', vaultDir, '--out', out]);
      expect(r.status, r.stderr).toBe(0);
    }
    for (const f of ['bob.crt', 'bob.key', 'bob.p12', 'root.crt', 'ca.crt'])
      expect(existsSync(path.join(out, f))).toBe(true);
    const list = keyhold(['clients', 'list', '--vault', vaultDir]).stdout.split('\n').filter(Boolean);
    expect(list.some((l) => l.startsWith('bob\tactive\tserial '))).toBe(true);
    expect(list.some((l) => l.startsWith('root\tactive\tadmin\tserial '))).toBe(true);

    const key = keyhold(['key', 'create', '--alg', 'AES', '--length', '128', '--vault', vaultDir]);
    expect(key.status, key.stderr).toBe(0);
    const uid = key.stdout.trim().split('\n')[0]!;
    const g = keyhold(['clients', 'grant', 'bob', uid, '--ops', 'Encrypt,decrypt', '--vault', vaultDir]);
    expect(g.status, g.stderr).toBe(0);
    expect(g.stdout).toBe(`granted bob ${uid}: Decrypt, Encrypt\n`);
    expect(keyhold(['clients', 'grants', '--vault', vaultDir]).stdout).toBe(`bob\t${uid}\tDecrypt, Encrypt\n`);
    expect(JSON.parse(keyhold(['clients', 'grants', 'bob', '--json', '--vault', vaultDir]).stdout)).toEqual([
      { identity: 'bob', uniqueIdentifier: uid, operations: ['Decrypt', 'Encrypt'] },
    ]);
    expect(keyhold(['clients', 'grants', 'root', '--vault', vaultDir]).stdout).toBe('');

    expect(keyhold(['clients', 'ungrant', 'bob', uid, '--vault', vaultDir]).stdout).toBe(`ungranted bob ${uid}\n`);
    const twice = keyhold(['clients', 'ungrant', 'bob', uid, '--vault', vaultDir]);
    expect(twice.status).not.toBe(0);
    expect(twice.stderr).toContain(`bob has no grant on ${uid}`);

    expect(keyhold(['clients', 'revoke', 'bob', '--vault', vaultDir]).stdout).toBe('revoked bob\n');
    const revokedGrant = keyhold(['clients', 'grant', 'bob', uid, '--vault', vaultDir]);
    expect(revokedGrant.status).not.toBe(0);
    expect(revokedGrant.stderr).toContain('no enrolled client bob');
    expect(existsSync(controlSocketPath(vaultDir))).toBe(false);
  });

  it('says what to do when another process holds the vault and no control socket answers', async () => {
    const vault = await Vault.open(vaultDir, { unlock: { kind: 'passphrase', passphrase: Buffer.from(PW) } });
    try {
      const r = keyhold(['clients', 'list', '--vault', vaultDir]);
      expect(r.status).not.toBe(0);
      expect(r.stderr).toContain('the vault is in use by another Keyhold process and no control socket answers');
    } finally {
      await vault.lock();
    }
  });
});
