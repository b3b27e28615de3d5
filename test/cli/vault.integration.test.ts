import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Vault } from '../../main/vault/index.js';
import { aesKey, tempVaultPath } from '../vault/helpers.js';
import { ensureBuilt, REPO } from '../vault/support-dist.js';

const BIN = path.join(REPO, 'bin/keyhold.js');
const CHEAP = ['--kdf-memory', '64', '--kdf-iterations', '1'];
const PW = 'cli passphrase';

let tmp: ReturnType<typeof tempVaultPath>;

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function keyhold(args: string[], env: Record<string, string | undefined> = { KEYHOLD_PASSPHRASE: PW }): Run {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    env: { PATH: process.env['PATH'], HOME: tmp.dir, ...env } as NodeJS.ProcessEnv,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A failure: non-zero status and exactly one line on stderr, no stack trace. */
function expectOneLineError(r: Run, pattern: RegExp): void {
  expect(r.status).not.toBe(0);
  expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(r.stderr).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

const v = () => ['--vault', tmp.vaultPath];

beforeAll(() => {
  ensureBuilt();
  tmp = tempVaultPath();
});

afterAll(() => tmp.cleanup());

describe('keyhold vault / object CLI', () => {
  it('vault init creates a vault, shows progress on stderr, and refuses to overwrite it', () => {
    const r = keyhold(['vault', 'init', ...v(), ...CHEAP]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^created vault [0-9a-f-]{36} at /);
    expect(r.stderr).toMatch(/Argon2id/);
    expect(existsSync(path.join(tmp.vaultPath, 'vault.json'))).toBe(true);
    expectOneLineError(keyhold(['vault', 'init', ...v(), ...CHEAP]), /^keyhold: a vault already exists/);
  });

  it('vault info prints text and --json, with the passphrase from the environment or a file', () => {
    const text = keyhold(['vault', 'info', ...v()]);
    expect(text.status, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/objects:\s+0/);
    const file = path.join(tmp.dir, 'pw.txt');
    writeFileSync(file, `${PW}\n`);
    const json = keyhold(['vault', 'info', ...v(), '--json', '--passphrase-file', file], {});
    expect(json.status, json.stderr).toBe(0);
    const info = JSON.parse(json.stdout) as { objects: number; slots: unknown[]; formatVersion: number };
    expect(info).toMatchObject({ objects: 0, formatVersion: 1 });
    expect(info.slots).toHaveLength(1);
    expect(json.stdout).not.toContain('wrappedKey');
  });

  it('fails with one line: wrong passphrase, no passphrase, not a vault', () => {
    expectOneLineError(
      keyhold(['vault', 'info', ...v()], { KEYHOLD_PASSPHRASE: 'nope' }),
      /^keyhold: wrong passphrase$/m,
    );
    expectOneLineError(keyhold(['vault', 'info', ...v()], {}), /no passphrase: set KEYHOLD_PASSPHRASE/);
    expectOneLineError(keyhold(['vault', 'info', '--vault', tmp.dir]), /is not a Keyhold vault/);
  });

  it('object list and show give a first look inside, without key material', async () => {
    const vault = await Vault.open(tmp.vaultPath, { unlock: { kind: 'passphrase', passphrase: PW } });
    const a = await vault.insert(aesKey('alpha'), 'test');
    const b = await vault.insert(aesKey('beta'), 'test');
    await vault.activate(b, 'test');
    await vault.lock();
    const list = keyhold(['object', 'list', ...v(), '--json']);
    expect(list.status, list.stderr).toBe(0);
    const rows = JSON.parse(list.stdout) as { uniqueIdentifier: string; names: string[]; state: string }[];
    expect(rows.map((r) => r.uniqueIdentifier)).toEqual([b, a]);
    expect(rows[0]).toMatchObject({ names: ['beta'], state: 'Active' });
    const filtered = keyhold(['object', 'list', ...v(), '--name', 'al*']);
    expect(filtered.stdout.trim().split('\n')).toHaveLength(1);
    expect(filtered.stdout).toContain(a);
    const show = keyhold(['object', 'show', a, ...v()]);
    expect(show.status, show.stderr).toBe(0);
    expect(show.stdout).toMatch(/CryptographicAlgorithm: AES/);
    expect(show.stdout).not.toMatch(/07070707/);
    const shown = JSON.parse(keyhold(['object', 'show', a, ...v(), '--json']).stdout) as {
      attributes: Record<string, unknown>;
    };
    expect(shown.attributes['State']).toEqual(['PreActive']);
    expectOneLineError(keyhold(['object', 'show', 'missing', ...v()]), /no object with Unique Identifier missing/);
  });

  it('vault verify passes on an intact chain and names the first bad entry otherwise', async () => {
    const ok = keyhold(['vault', 'verify', ...v()]);
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/audit chain: \d+ entries, intact/);
    const exported = keyhold(['vault', 'audit', 'export', ...v()]);
    expect(exported.status).toBe(0);
    const lines = exported.stdout.trim().split('\n');
    expect(lines.length).toBeGreaterThan(3);
    expect(JSON.parse(lines[0] as string)).toMatchObject({ seq: 1, operation: 'CreateVault' });

    const vault = await Vault.open(tmp.vaultPath, { unlock: { kind: 'passphrase', passphrase: PW } });
    await vault.unsafeExec("UPDATE audit SET operation = 'Nothing' WHERE seq = 2");
    await vault.lock();
    expectOneLineError(keyhold(['vault', 'verify', ...v()]), /^keyhold: audit chain broken at entry 2:/);
  });

  it('vault passwd and vault slots manage unlock methods', () => {
    const passwd = keyhold(['vault', 'passwd', ...v(), ...CHEAP], {
      KEYHOLD_PASSPHRASE: PW,
      KEYHOLD_NEW_PASSPHRASE: 'changed',
    });
    expect(passwd.status, passwd.stderr).toBe(0);
    expectOneLineError(keyhold(['vault', 'info', ...v()]), /wrong passphrase/);
    const env = { KEYHOLD_PASSPHRASE: 'changed' };
    const add = keyhold(['vault', 'slots', 'add-passphrase', ...v(), ...CHEAP, '--label', 'backup'], {
      ...env,
      KEYHOLD_NEW_PASSPHRASE: 'second',
    });
    expect(add.status, add.stderr).toBe(0);
    const slots = keyhold(['vault', 'slots', ...v()], env);
    expect(slots.status).toBe(0);
    const ids = slots.stdout
      .trim()
      .split('\n')
      .map((l) => l.split(/\s+/)[0] as string);
    expect(ids).toHaveLength(2);
    expect(slots.stdout).toContain('backup');
    expect(keyhold(['vault', 'slots', 'remove', ids[0] as string, ...v()], env).status).toBe(0);
    expectOneLineError(
      keyhold(['vault', 'slots', 'remove', ids[1] as string, ...v()], { KEYHOLD_PASSPHRASE: 'second' }),
      /last key slot/,
    );
    expect(keyhold(['vault', 'info', ...v()], { KEYHOLD_PASSPHRASE: 'second' }).status).toBe(0);
  });

  it('prompts for the passphrase on a terminal without echoing it', () => {
    // python3's pty gives the CLI a real terminal; the passphrase must not come back on it.
    const script = [
      'import os, pty, sys, time',
      'pid, fd = pty.fork()',
      'if pid == 0:',
      '    os.execvpe(sys.argv[1], sys.argv[1:], {"PATH": os.environ["PATH"], "HOME": os.environ["HOME"]})',
      'out = b""',
      'deadline = time.time() + 60',
      'sent = False',
      'while time.time() < deadline:',
      '    try:',
      '        chunk = os.read(fd, 4096)',
      '    except OSError:',
      '        break',
      '    if not chunk:',
      '        break',
      '    out += chunk',
      '    if not sent and b"passphrase:" in out:',
      '        os.write(fd, os.environ["SECRET"].encode() + b"\\r")',
      '        sent = True',
      '_, status = os.waitpid(pid, 0)',
      'sys.stdout.write(out.decode(errors="replace"))',
      'sys.exit(os.waitstatus_to_exitcode(status))',
    ].join('\n');
    const secret = 'second';
    const r = spawnSync('python3', ['-c', script, process.execPath, BIN, 'vault', 'info', ...v()], {
      env: { PATH: process.env['PATH'], HOME: tmp.dir, SECRET: secret },
      encoding: 'utf8',
      timeout: 90_000,
    });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Vault passphrase:/);
    expect(r.stdout).toMatch(/objects:/);
    expect(r.stdout).not.toContain(secret);
  });

  it('uses the XDG data folder when --vault is not given', () => {
    const xdg = path.join(tmp.dir, 'xdg');
    const r = keyhold(['vault', 'init', ...CHEAP], { KEYHOLD_PASSPHRASE: PW, XDG_DATA_HOME: xdg });
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(path.join(xdg, 'keyhold/default.kvault/vault.json'))).toBe(true);
    expect(keyhold(['vault', 'info', '--json'], { KEYHOLD_PASSPHRASE: PW, XDG_DATA_HOME: xdg }).status).toBe(0);
  });
});
