import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KmipClient, KmipOperationError } from '../../main/client/kmip-client.js';
import { decodeTtlv, encodeTtlv, ItemType, type StructureItem } from '../../main/kmip/ttlv/index.js';
import { find, t } from '../../main/ops/ttlv.js';
import { Tag } from '../../main/ops/vocabulary.js';
import { Vault } from '../../main/vault/index.js';
import { runPyKmipLifecycle } from '../interop/support/pykmip-client.js';
import { freePort } from '../interop/support/ports.js';
import { ensureBuilt, REPO } from '../vault/support-dist.js';

const BIN = path.join(REPO, 'bin/keyhold.js');
const PW = 'serve test passphrase';
const env = { PATH: process.env['PATH'], KEYHOLD_PASSPHRASE: PW } as NodeJS.ProcessEnv;

function keyhold(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    env: { ...env, HOME: tmp },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

let tmp: string;
let vaultDir: string;
let out: string;
let serve: ChildProcess | undefined;
let port: number;
let stdout = '';

const files = (name: string) => ({
  cert: readFileSync(path.join(out, `${name}.crt`), 'utf8'),
  key: readFileSync(path.join(out, `${name}.key`), 'utf8'),
  ca: readFileSync(path.join(out, 'ca.crt'), 'utf8'),
});

const connect = (name: string) => KmipClient.connect({ host: '127.0.0.1', port, ...files(name), timeoutMs: 20_000 });

beforeAll(async () => {
  ensureBuilt();
  tmp = mkdtempSync(path.join(tmpdir(), 'keyhold-serve-'));
  vaultDir = path.join(tmp, 'vault');
  out = path.join(tmp, 'clients');
  const init = keyhold(['vault', 'init', '--vault', vaultDir, '--kdf-memory', '64', '--kdf-iterations', '1']);
  expect(init.status, init.stderr).toBe(0);
  for (const [name, extra] of [
    ['alice', []],
    ['bob', []],
    ['root', ['--admin']],
    ['mallory', []],
  ] as const) {
    const r = keyhold(['clients', 'enroll', name, '--vault', vaultDir, '--out', out, ...extra]);
    expect(r.status, r.stderr).toBe(0);
  }
  expect(keyhold(['clients', 'revoke', 'mallory', '--vault', vaultDir]).status).toBe(0);
  port = await freePort();
  serve = spawn(process.execPath, [BIN, 'serve', '--vault', vaultDir, '--port', String(port)], {
    env: { ...env, HOME: tmp },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  serve.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${stderr}`)), 60_000);
    serve?.stdout?.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (/listening on/.test(stdout)) {
        clearTimeout(timer);
        resolve();
      }
    });
    serve?.once('exit', (code) => reject(new Error(`serve exited ${code}: ${stderr}`)));
  });
});

afterAll(() => {
  if (serve && serve.exitCode === null) serve.kill('SIGKILL');
  rmSync(tmp, { recursive: true, force: true });
});

describe('keyhold clients enroll|list|revoke', () => {
  it('writes NAME.crt, NAME.key, ca.crt and a PKCS#12 that openssl reads', () => {
    for (const f of ['alice.crt', 'alice.key', 'ca.crt', 'alice.p12']) expect(existsSync(path.join(out, f))).toBe(true);
    const p12 = spawnSync('openssl', ['pkcs12', '-in', path.join(out, 'alice.p12'), '-nokeys', '-passin', 'pass:'], {
      encoding: 'utf8',
    });
    expect(p12.stdout).toContain('subject=CN = alice');
    const verify = spawnSync('openssl', ['verify', '-CAfile', path.join(out, 'ca.crt'), path.join(out, 'alice.crt')], {
      encoding: 'utf8',
    });
    expect(verify.stdout).toContain('OK');
  });
});

describe('keyhold serve', () => {
  it('logs one line when listening', () => {
    expect(stdout.split('\n').filter((l) => l.includes('listening on'))).toEqual([
      `keyhold: KMIP server listening on 127.0.0.1:${port} (TLS 1.2/1.3, client certificates required)`,
    ]);
  });

  it('refuses an unknown --commit-durability before opening the vault', () => {
    const r = keyhold(['serve', '--vault', vaultDir, '--port', '0', '--commit-durability', 'sometimes']);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('--commit-durability must be changes, fsync or write, not "sometimes"');
  });

  it('keeps each client to its own objects; grants and an admin identity open them (two clients)', async () => {
    const alice = await connect('alice');
    const bob = await connect('bob');
    const root = await connect('root');
    const uid = await alice.create('SymmetricKey', {
      CryptographicAlgorithm: ['AES'],
      CryptographicLength: [128],
      Name: [{ NameValue: 'alice-key', NameType: 'UninterpretedTextString' }],
    });
    expect((await alice.get(uid)).keyMaterial?.length).toBe(16);
    const denied = await bob.get(uid).catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(KmipOperationError);
    expect((denied as KmipOperationError).resultReason).toBe('PermissionDenied');
    expect(await bob.locate({ Name: [{ NameValue: 'alice-key', NameType: 'UninterpretedTextString' }] })).toEqual([]);
    expect(await alice.locate({ Name: [{ NameValue: 'alice-key', NameType: 'UninterpretedTextString' }] })).toEqual([
      uid,
    ]);
    expect((await root.get(uid)).keyMaterial?.length).toBe(16);
    await alice.call('AddAttribute', [
      t.text(Tag.UniqueIdentifier, uid),
      ...(alice.version.major >= 2
        ? [
            t.struct(Tag.NewAttribute, [
              t.struct(Tag.Attribute, [
                t.text(Tag.VendorIdentification, 'x'),
                t.text(Tag.AttributeName, 'keyhold-grant'),
                t.text(Tag.AttributeValue, 'bob'),
              ]),
            ]),
          ]
        : [t.struct(Tag.Attribute, [t.text(Tag.AttributeName, 'x-keyhold-grant'), t.text(Tag.AttributeValue, 'bob')])]),
    ]);
    expect((await bob.get(uid)).keyMaterial?.length).toBe(16);
    await Promise.all([alice.close(), bob.close(), root.close()]);
  });

  it('refuses a revoked client at connect', async () => {
    const e = await connect('mallory')
      .then((c) => c.query())
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(Error);
  });

  it('answers a malformed message with Invalid Message and keeps the connection', async () => {
    const f = files('alice');
    const socket = tls.connect({ host: '127.0.0.1', port, ...f, checkServerIdentity: () => undefined });
    socket.on('error', () => undefined);
    await new Promise((r) => socket.once('secureConnect', r));
    const read = () => new Promise<Buffer>((r) => socket.once('data', r));
    // A Request Message holding a Text String where the header should be.
    socket.write(encodeTtlv(t.struct(Tag.RequestMessage, [t.text(Tag.RequestHeader, 'junk')])));
    const bad = decodeTtlv(await read()) as StructureItem;
    const item = find(bad, Tag.BatchItem) as StructureItem;
    expect(find(item, Tag.ResultReason)).toMatchObject({ type: ItemType.Enumeration, value: 4 });
    socket.write(
      encodeTtlv(
        t.struct(Tag.RequestMessage, [
          t.struct(Tag.RequestHeader, [
            t.struct(Tag.ProtocolVersion, [t.int(Tag.ProtocolVersionMajor, 1), t.int(Tag.ProtocolVersionMinor, 0)]),
            t.int(Tag.BatchCount, 1),
          ]),
          t.struct(Tag.BatchItem, [t.enm(Tag.Operation, 0x1e), t.struct(Tag.RequestPayload, [])]),
        ]),
      ),
    );
    const good = decodeTtlv(await read()) as StructureItem;
    expect(find(find(good, Tag.BatchItem) as StructureItem, Tag.ResultStatus)).toMatchObject({ value: 0 });
    socket.destroy();
  });

  it('speaks the HTTPS binding on the same port: POST /kmip with a TTLV body', async () => {
    const f = files('alice');
    const body = encodeTtlv(
      t.struct(Tag.RequestMessage, [
        t.struct(Tag.RequestHeader, [
          t.struct(Tag.ProtocolVersion, [t.int(Tag.ProtocolVersionMajor, 1), t.int(Tag.ProtocolVersionMinor, 4)]),
          t.int(Tag.BatchCount, 1),
        ]),
        t.struct(Tag.BatchItem, [
          t.enm(Tag.Operation, 0x18),
          t.struct(Tag.RequestPayload, [t.enm(Tag.QueryFunction, 2)]),
        ]),
      ]),
    );
    const res = await new Promise<{ status: number; type: string; body: Buffer }>((resolve, reject) => {
      const req = https.request(
        {
          host: '127.0.0.1',
          port,
          path: '/kmip',
          method: 'POST',
          ...f,
          checkServerIdentity: () => undefined,
          headers: {
            'Content-Type': 'application/octet-stream',
            'Content-Length': body.length,
            'Cache-Control': 'no-cache',
          },
        },
        (r) => {
          const chunks: Buffer[] = [];
          r.on('data', (c: Buffer) => chunks.push(c));
          r.on('end', () =>
            resolve({
              status: r.statusCode ?? 0,
              type: String(r.headers['content-type']),
              body: Buffer.concat(chunks),
            }),
          );
        },
      );
      req.on('error', reject);
      req.end(body);
    });
    expect(res.status).toBe(200);
    expect(res.type).toBe('application/octet-stream');
    const msg = decodeTtlv(res.body) as StructureItem;
    const item = find(msg, Tag.BatchItem) as StructureItem;
    expect(find(item, Tag.ResultStatus)).toMatchObject({ value: 0 });
    expect((find(item, Tag.ResponsePayload) as StructureItem).value.length).toBeGreaterThan(3);
  });

  it('serves PyKMIP ProxyKmipClient a full lifecycle (keyhold serve as the server)', async () => {
    const steps = await runPyKmipLifecycle(
      port,
      path.join(out, 'alice.crt'),
      path.join(out, 'alice.key'),
      path.join(out, 'ca.crt'),
    );
    const failed = steps.filter((s) => !s.ok);
    expect(failed, JSON.stringify(failed)).toEqual([]);
  });

  it('stops cleanly on SIGTERM, and every request was audited in the vault', async () => {
    const exited = new Promise<number | null>((r) => serve?.once('exit', (code) => r(code)));
    serve?.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stdout).toContain('server stopped');
    const vault = await Vault.open(vaultDir, { unlock: { kind: 'passphrase', passphrase: Buffer.from(PW) } });
    try {
      const entries = await vault.listAudit(1, 100_000);
      expect(entries.filter((e) => e.identity === 'alice').length).toBeGreaterThan(20);
      expect(entries.some((e) => e.identity === 'bob' && e.result !== 'Success')).toBe(true);
      // A Locate that found objects is recorded too (it reads no object through the vault).
      expect(entries.some((e) => e.identity === 'alice' && e.operation === 'Locate' && e.result === 'Success')).toBe(
        true,
      );
      expect((await vault.verifyAudit()).ok ?? true).toBeTruthy();
    } finally {
      await vault.lock();
    }
  });
});
