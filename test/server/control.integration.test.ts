import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KmipClient, KmipOperationError } from '../../main/client/kmip-client.js';
import { encodeTtlv } from '../../main/kmip/ttlv/index.js';
import { findBytes, t } from '../../main/ops/ttlv.js';
import { Tag } from '../../main/ops/vocabulary.js';
import { controlSocketPath } from '../../main/server/control-socket.js';
import { freePort } from '../interop/support/ports.js';
import { ensureBuilt, REPO } from '../vault/support-dist.js';

/**
 * `keyhold serve` running, administered through its control socket by `keyhold clients ...`:
 * enroll, revoke and grants take effect without a restart.
 */
const BIN = path.join(REPO, 'bin/keyhold.js');
const PW = 'control test passphrase';

let tmp: string;
let vaultDir: string;
let out: string;
let port: number;
let serve: ChildProcess | undefined;

/** The CLI. `withPassphrase: false` proves a command went through the socket, not the vault. */
function keyhold(args: string[], withPassphrase = true) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    env: { PATH: process.env['PATH'], HOME: tmp, ...(withPassphrase ? { KEYHOLD_PASSPHRASE: PW } : {}) },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const files = (name: string) => ({
  cert: readFileSync(path.join(out, `${name}.crt`), 'utf8'),
  key: readFileSync(path.join(out, `${name}.key`), 'utf8'),
  ca: readFileSync(path.join(out, 'ca.crt'), 'utf8'),
});

const connect = (name: string) =>
  KmipClient.connect({ host: '127.0.0.1', port, ...files(name), timeoutMs: 20_000, reconnect: false });

function reasonOf(e: unknown): string | undefined {
  return e instanceof KmipOperationError ? e.resultReason : undefined;
}

function startServe(): Promise<{ child: ChildProcess; stdout: () => string; stderr: () => string }> {
  const child = spawn(process.execPath, [BIN, 'serve', '--vault', vaultDir, '--port', String(port)], {
    env: { PATH: process.env['PATH'], HOME: tmp, KEYHOLD_PASSPHRASE: PW },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${stderr}`)), 60_000);
    child.stdout?.on('data', () => {
      if (/listening on/.test(stdout)) {
        clearTimeout(timer);
        resolve({ child, stdout: () => stdout, stderr: () => stderr });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited ${code}: ${stderr}`));
    });
  });
}

beforeAll(async () => {
  ensureBuilt();
  tmp = mkdtempSync(path.join(tmpdir(), 'keyhold-ctl-'));
  vaultDir = path.join(tmp, 'vault');
  out = path.join(tmp, 'clients');
  const init = keyhold(['vault', 'init', '--vault', vaultDir, '--kdf-memory', '64', '--kdf-iterations', '1']);
  expect(init.status, init.stderr).toBe(0);
  // Enrolled before the server runs: the CLI opens the vault itself.
  const alice = keyhold(['clients', 'enroll', 'alice', '--vault', vaultDir, '--out', out]);
  expect(alice.status, alice.stderr).toBe(0);
  port = await freePort();
  serve = (await startServe()).child;
}, 120_000);

afterAll(() => {
  if (serve && serve.exitCode === null) serve.kill('SIGKILL');
  rmSync(tmp, { recursive: true, force: true });
});

describe('keyhold clients while keyhold serve runs (control socket)', () => {
  it('has an owner-only control socket in the vault folder', () => {
    const st = statSync(controlSocketPath(vaultDir));
    expect(st.isSocket()).toBe(true);
    expect(st.mode & 0o777).toBe(0o600);
  });

  it('enrolls a client through the socket (no passphrase needed) and it connects at once over mutual TLS', async () => {
    const r = keyhold(['clients', 'enroll', 'bob', '--vault', vaultDir, '--out', out], false);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(
      `enrolled bob: ${path.join(out, 'bob.crt')}, ${path.join(out, 'bob.key')}, ${path.join(out, 'bob.p12')}, ${path.join(out, 'ca.crt')}\n`,
    );
    for (const f of ['bob.crt', 'bob.key', 'ca.crt', 'bob.p12']) expect(existsSync(path.join(out, f))).toBe(true);
    expect(statSync(path.join(out, 'bob.key')).mode & 0o777).toBe(0o600);
    const bob = await connect('bob');
    expect((await bob.query()).operations).toContain('Get');
    await bob.close();
    const list = keyhold(['clients', 'list', '--vault', vaultDir, '--json'], false);
    expect(list.status, list.stderr).toBe(0);
    expect((JSON.parse(list.stdout) as { name: string; revoked: boolean }[]).map((c) => [c.name, c.revoked])).toEqual(
      expect.arrayContaining([
        ['alice', false],
        ['bob', false],
      ]),
    );
  });

  it('grants bob alice’s key live, limited to the operations named, then ungrants it', async () => {
    const alice = await connect('alice');
    const bob = await connect('bob');
    const name = [{ NameValue: 'alice-shared', NameType: 'UninterpretedTextString' }];
    const uid = await alice.create('SymmetricKey', {
      CryptographicAlgorithm: ['AES'],
      CryptographicLength: [256],
      Name: name,
    });
    expect(reasonOf(await bob.get(uid).catch((e: unknown) => e))).toBe('PermissionDenied');

    const g = keyhold(['clients', 'grant', 'bob', uid, '--ops', 'get,get-attributes', '--vault', vaultDir], false);
    expect(g.status, g.stderr).toBe(0);
    expect(g.stdout).toBe(`granted bob ${uid}: Get, GetAttributes\n`);
    // Same connection, no restart: the grant is in effect.
    expect((await bob.get(uid)).keyMaterial?.length).toBe(32);
    // Not for operations outside the grant.
    expect(reasonOf(await bob.destroy(uid).catch((e: unknown) => e))).toBe('PermissionDenied');
    // Locate is an operation too: this grant does not name it.
    expect(await bob.locate({ Name: name })).toEqual([]);
    const withLocate = keyhold(['clients', 'grant', 'bob', uid, '--ops', 'get,locate', '--vault', vaultDir], false);
    expect(withLocate.stdout).toBe(`granted bob ${uid}: Get, Locate\n`);
    expect(await bob.locate({ Name: name })).toEqual([uid]);
    expect(
      reasonOf(await bob.call('GetAttributes', [t.text(Tag.UniqueIdentifier, uid)]).catch((e: unknown) => e)),
    ).toBe('PermissionDenied');

    const list = keyhold(['clients', 'grants', 'bob', '--vault', vaultDir], false);
    expect(list.stdout).toBe(`bob\t${uid}\tGet, Locate\n`);

    const u = keyhold(['clients', 'ungrant', 'bob', uid, '--vault', vaultDir], false);
    expect(u.status, u.stderr).toBe(0);
    expect(u.stdout).toBe(`ungranted bob ${uid}\n`);
    expect(reasonOf(await bob.get(uid).catch((e: unknown) => e))).toBe('PermissionDenied');
    expect(keyhold(['clients', 'grants', 'bob', '--vault', vaultDir], false).stdout).toBe('');
    expect(await bob.locate({ Name: name })).toEqual([]);
    // The owner still has it.
    expect((await alice.get(uid)).keyMaterial?.length).toBe(32);
    await Promise.all([alice.close(), bob.close()]);
  });

  it('enrolls an admin live: it sees every object at once, and loses that when revoked', async () => {
    const r = keyhold(['clients', 'enroll', 'root', '--admin', '--vault', vaultDir, '--out', out], false);
    expect(r.status, r.stderr).toBe(0);
    const alice = await connect('alice');
    const uid = await alice.create('SymmetricKey', { CryptographicAlgorithm: ['AES'], CryptographicLength: [128] });
    await alice.close();
    const root = await connect('root');
    expect((await root.get(uid)).keyMaterial?.length).toBe(16);
    await root.close();
    const list = JSON.parse(keyhold(['clients', 'list', '--vault', vaultDir, '--json'], false).stdout) as {
      name: string;
      admin: boolean;
    }[];
    expect(list.find((c) => c.name === 'root')?.admin).toBe(true);
    expect(keyhold(['clients', 'revoke', 'root', '--vault', vaultDir], false).status).toBe(0);
    expect(
      await connect('root')
        .then((c) => c.get(uid))
        .catch((e: unknown) => e),
    ).toBeInstanceOf(Error);
  });

  it('refuses bad grants with a clear message', () => {
    const unknownOp = keyhold(['clients', 'grant', 'bob', 'x', '--ops', 'get,steal', '--vault', vaultDir], false);
    expect(unknownOp.status).not.toBe(0);
    expect(unknownOp.stderr).toContain('steal is not a KMIP operation');
    const noObject = keyhold(['clients', 'grant', 'bob', 'no-such-uid', '--vault', vaultDir], false);
    expect(noObject.status).not.toBe(0);
    expect(noObject.stderr).toContain('no object no-such-uid');
    const noClient = keyhold(['clients', 'grant', 'zed', 'no-such-uid', '--vault', vaultDir], false);
    expect(noClient.stderr).toContain('no enrolled client zed');
  });

  it('revokes a client live: its open connection is closed and a new one is refused', async () => {
    const r = keyhold(['clients', 'enroll', 'carol', '--vault', vaultDir, '--out', out], false);
    expect(r.status, r.stderr).toBe(0);
    // A raw mutual-TLS connection that has been served once.
    const socket = tls.connect({ host: '127.0.0.1', port, ...files('carol'), checkServerIdentity: () => undefined });
    socket.on('error', () => undefined);
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    await new Promise((resolve) => socket.once('secureConnect', resolve));
    socket.write(
      encodeTtlv(
        t.struct(Tag.RequestMessage, [
          t.struct(Tag.RequestHeader, [
            t.struct(Tag.ProtocolVersion, [t.int(Tag.ProtocolVersionMajor, 1), t.int(Tag.ProtocolVersionMinor, 4)]),
            t.int(Tag.BatchCount, 1),
          ]),
          t.struct(Tag.BatchItem, [t.enm(Tag.Operation, 0x1e), t.struct(Tag.RequestPayload, [])]),
        ]),
      ),
    );
    await new Promise((resolve) => socket.once('data', resolve));

    const rv = keyhold(['clients', 'revoke', 'carol', '--vault', vaultDir], false);
    expect(rv.status, rv.stderr).toBe(0);
    expect(rv.stdout).toBe('revoked carol\n');
    await closed;
    const again = await connect('carol')
      .then((c) => c.query())
      .catch((e: unknown) => e);
    expect(again).toBeInstanceOf(Error);
    // Others are untouched.
    const alice = await connect('alice');
    expect((await alice.query()).operations).toContain('Create');
    await alice.close();
    const list = JSON.parse(keyhold(['clients', 'list', '--vault', vaultDir, '--json'], false).stdout) as {
      name: string;
      revoked: boolean;
    }[];
    expect(list.find((c) => c.name === 'carol')?.revoked).toBe(true);
  });

  it('refuses a certificate the server CA issued through KMIP Certify: it is not an enrolled client', async () => {
    // alice asks for a clientAuth certificate named like the admin; the CA signs it, the listener refuses it.
    const dir = path.join(tmp, 'certify');
    const req = spawnSync('sh', [
      '-c',
      `mkdir -p ${dir} && openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=root ` +
        `-keyout ${dir}/k.pem -out ${dir}/r.der -outform DER 2>/dev/null`,
    ]);
    expect(req.status).toBe(0);
    const alice = await connect('alice');
    const uid = await alice.certify({ csr: readFileSync(path.join(dir, 'r.der')) });
    const got = await alice.get(uid);
    await alice.close();
    const der = got.object ? findBytes(got.object, Tag.CertificateValue) : undefined;
    expect(der).toBeDefined();
    const cert = new X509Certificate(Buffer.from(der!));
    expect(cert.checkIssued(new X509Certificate(files('alice').ca))).toBe(true);
    const attempt = await KmipClient.connect({
      host: '127.0.0.1',
      port,
      cert: cert.toString(),
      key: readFileSync(path.join(dir, 'k.pem'), 'utf8'),
      ca: files('alice').ca,
      timeoutMs: 20_000,
      reconnect: false,
    })
      .then((c) => c.query())
      .catch((e: unknown) => e);
    expect(attempt).toBeInstanceOf(Error);
  });

  it('refuses a second server on the same vault, clearly, and the first keeps serving', async () => {
    const second = keyhold(['serve', '--vault', vaultDir, '--port', String(await freePort())]);
    expect(second.status).not.toBe(0);
    expect(second.stderr).toMatch(
      /a Keyhold server is already running on this vault \(pid \d+, listening on 127\.0\.0\.1:\d+\)/,
    );
    const alice = await connect('alice');
    expect((await alice.query()).operations).toContain('Get');
    await alice.close();
  });

  it('keeps grants in the vault; stopping removes the socket and the CLI opens the vault again', async () => {
    const alice = await connect('alice');
    const uid = await alice.create('SymmetricKey', { CryptographicAlgorithm: ['AES'], CryptographicLength: [128] });
    await alice.close();
    expect(keyhold(['clients', 'grant', 'bob', uid, '--vault', vaultDir], false).status).toBe(0);
    const exited = new Promise((resolve) => serve?.once('exit', resolve));
    serve?.kill('SIGTERM');
    await exited;
    expect(existsSync(controlSocketPath(vaultDir))).toBe(false);
    // No server: without the passphrase the CLI cannot open the vault, with it the grant is there.
    expect(keyhold(['clients', 'grants', '--vault', vaultDir], false).status).not.toBe(0);
    const offline = keyhold(['clients', 'grants', '--vault', vaultDir]);
    expect(offline.status, offline.stderr).toBe(0);
    expect(offline.stdout).toBe(`bob\t${uid}\tevery operation\n`);
    // And a restarted server honours it.
    serve = (await startServe()).child;
    const bob = await connect('bob');
    expect((await bob.get(uid)).keyMaterial?.length).toBe(16);
    // A grant of every operation: Locate finds it among bob's own objects.
    expect(await bob.locate({ CryptographicLength: [128] })).toContain(uid);
    await bob.close();
  });
});
