import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isKeyholdError, KeyholdError } from '../../shared/errors.js';
import { GrantTable, operationList } from '../../main/server/access.js';
import {
  ControlRefusal,
  MAX_CONTROL_LINE,
  parseControlRequest,
  type ControlRequest,
} from '../../main/server/control-protocol.js';
import {
  ControlClient,
  ControlSocketServer,
  controlSocketPath,
  socketPathFits,
} from '../../main/server/control-socket.js';

function refusal(line: string): ControlRefusal {
  try {
    parseControlRequest(line);
  } catch (e) {
    if (e instanceof ControlRefusal) return e;
    throw e;
  }
  throw new Error(`accepted: ${line}`);
}

describe('control protocol validation', () => {
  it('accepts a well-formed request with its params typed', () => {
    expect(
      parseControlRequest('{"id":3,"method":"grants.add","params":{"name":"bob","uniqueIdentifier":"u-1"}}'),
    ).toEqual({ id: 3, method: 'grants.add', params: { name: 'bob', uniqueIdentifier: 'u-1' } });
    expect(parseControlRequest('{"id":"a","method":"clients.list"}')).toEqual({
      id: 'a',
      method: 'clients.list',
      params: {},
    });
  });

  it('refuses a line that is not JSON, with no id', () => {
    const r = refusal('{"id":1,"method":');
    expect(r.id).toBeNull();
    expect((r.error as KeyholdError).message).toBe('the request is not a JSON object');
  });

  it('refuses a JSON value that is not an object', () => {
    expect((refusal('[1,2]').error as KeyholdError).message).toBe('the request is not a JSON object');
    expect((refusal('42').error as KeyholdError).code).toBe('invalid-argument');
  });

  it('names an unknown method, keeping the id', () => {
    const r = refusal('{"id":7,"method":"vault.destroy"}');
    expect(r.id).toBe(7);
    expect((r.error as KeyholdError).code).toBe('unsupported');
    expect((r.error as KeyholdError).message).toBe('unknown method vault.destroy');
  });

  it('names the bad field of the params', () => {
    expect((refusal('{"id":1,"method":"clients.enroll","params":{}}').error as KeyholdError).message).toBe(
      'params.name must be text',
    );
    expect(
      (refusal('{"id":1,"method":"clients.enroll","params":{"name":"../etc"}}').error as KeyholdError).message,
    ).toBe('params.name has an invalid form');
    expect(
      (refusal('{"id":1,"method":"clients.revoke","params":{"name":"a","extra":1}}').error as KeyholdError).message,
    ).toBe('params.extra is not a known field');
    expect(
      (refusal('{"id":1,"method":"clients.enroll","params":{"name":"a","admin":"yes"}}').error as KeyholdError).message,
    ).toBe('params.admin must be true or false');
  });

  it('refuses unknown top-level fields and odd ids', () => {
    expect((refusal('{"id":1,"method":"clients.list","sudo":true}').error as KeyholdError).message).toBe(
      'sudo is not a known field',
    );
    expect((refusal('{"id":{"x":1},"method":"clients.list"}').error as KeyholdError).message).toBe(
      'id must be a number or short text',
    );
  });
});

describe('grant table', () => {
  it('limits a grant to the operations named; no operations means all', () => {
    const g = new GrantTable(['root']);
    g.grant('u1', 'bob', ['Get']);
    g.grant('u2', 'carol');
    expect(g.isGranted('u1', 'bob', 'Get')).toBe(true);
    expect(g.isGranted('u1', 'bob', 'Destroy')).toBe(false);
    expect(g.isGranted('u1', 'bob')).toBe(false);
    expect(g.isGranted('u2', 'carol', 'Destroy')).toBe(true);
    expect(g.isGranted('u2', 'bob', 'Get')).toBe(false);
    expect(g.list()).toEqual([
      { identity: 'bob', uniqueIdentifier: 'u1', operations: ['Get'] },
      { identity: 'carol', uniqueIdentifier: 'u2', operations: [] },
    ]);
    expect(g.grantedTo('bob', 'Get')).toEqual(['u1']);
    expect(g.grantedTo('bob', 'Locate')).toEqual([]);
    expect(g.grantedTo('carol', 'Locate')).toEqual(['u2']);
    expect(g.ungrant('u1', 'bob')).toBe(true);
    expect(g.ungrant('u1', 'bob')).toBe(false);
    expect(g.isGranted('u1', 'bob', 'Get')).toBe(false);
    g.removeAdmin('root');
    expect(g.isAdmin('root')).toBe(false);
  });

  it('reads operation names as people type them and refuses unknown ones', () => {
    expect(operationList(['get', 'Encrypt', 'get-attributes', ' decrypt '])).toEqual([
      'Decrypt',
      'Encrypt',
      'Get',
      'GetAttributes',
    ]);
    const e = (() => {
      try {
        operationList(['get', 'steal']);
      } catch (x) {
        return x;
      }
      return undefined;
    })();
    expect(isKeyholdError(e) && e.message).toBe('steal is not a KMIP operation');
  });
});

describe('control socket', () => {
  let dir: string;
  let socketPath: string;
  let server: ControlSocketServer;
  const seen: ControlRequest[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'keyhold-control-'));
    socketPath = controlSocketPath(dir);
    server = await ControlSocketServer.start(socketPath, async (request) => {
      seen.push(request);
      if (request.method === 'clients.revoke')
        throw new KeyholdError('not-found', `no enrolled client ${request.params.name}`);
      return request.method === 'clients.list' ? [{ name: 'alice' }] : { pid: 1, host: 'h', port: 2 };
    });
  });

  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is owner-only (mode 0600)', () => {
    const st = statSync(socketPath);
    expect(st.isSocket()).toBe(true);
    expect(st.mode & 0o777).toBe(0o600);
  });

  it('answers calls and carries engine errors by code and message', async () => {
    const c = (await ControlClient.connect(socketPath)) as ControlClient;
    expect(await c.call('clients.list', {})).toEqual([{ name: 'alice' }]);
    const e = await c.call('clients.revoke', { name: 'zed' }).catch((x: unknown) => x);
    expect(isKeyholdError(e) && [e.code, e.message]).toEqual(['not-found', 'no enrolled client zed']);
    c.close();
  });

  it('answers a malformed line with a clear error and keeps the connection and the server', async () => {
    const c = (await ControlClient.connect(socketPath)) as ControlClient;
    expect(await c.raw('this is not json')).toEqual({
      id: null,
      ok: false,
      error: { code: 'invalid-argument', message: 'the request is not a JSON object' },
    });
    expect(await c.raw('{"id":9,"method":"clients.enroll","params":{"name":""}}')).toEqual({
      id: 9,
      ok: false,
      error: { code: 'invalid-argument', message: 'params.name must not be empty' },
    });
    // The same connection still works.
    expect(await c.call('clients.list', {})).toEqual([{ name: 'alice' }]);
    c.close();
    const before = seen.length;
    const other = (await ControlClient.connect(socketPath)) as ControlClient;
    expect(await other.call('server.status', {})).toEqual({ pid: 1, host: 'h', port: 2 });
    expect(seen.length).toBe(before + 1);
    other.close();
  });

  it('closes a connection whose line is too long, and keeps serving others', async () => {
    const raw = net.connect(socketPath);
    const got = new Promise<string>((resolve) => {
      let text = '';
      raw.on('data', (d: Buffer) => (text += d.toString()));
      raw.on('close', () => resolve(text));
    });
    raw.on('error', () => undefined);
    raw.write('x'.repeat(MAX_CONTROL_LINE + 10));
    const text = await got;
    expect(JSON.parse(text)).toMatchObject({ ok: false, error: { code: 'invalid-argument' } });
    const c = (await ControlClient.connect(socketPath)) as ControlClient;
    expect(await c.call('clients.list', {})).toEqual([{ name: 'alice' }]);
    c.close();
  });

  it('refuses to start where a live server answers, replaces a stale socket, leaves other files alone', async () => {
    const second = await ControlSocketServer.start(socketPath, async () => null).catch((e: unknown) => e);
    expect(isKeyholdError(second) && second.code).toBe('vault-in-use');
    expect((second as Error).message).toMatch(/another Keyhold server is already running on this vault/);

    // A stale socket: a listener that went away without removing its file.
    const staleDir = mkdtempSync(path.join(tmpdir(), 'keyhold-stale-'));
    const stale = controlSocketPath(staleDir);
    // A process killed while listening leaves its socket file behind.
    spawnSync(process.execPath, [
      '-e',
      `require('node:net').createServer().listen(${JSON.stringify(stale)}, () => process.kill(process.pid, 'SIGKILL'))`,
    ]);
    expect(statSync(stale).isSocket()).toBe(true);
    const fresh = await ControlSocketServer.start(stale, async () => 'fresh');
    const c = (await ControlClient.connect(stale)) as ControlClient;
    expect(await c.call('clients.list', {})).toBe('fresh');
    c.close();
    await fresh.close();
    expect(() => statSync(stale)).toThrow();

    const plain = path.join(staleDir, 'control.sock');
    writeFileSync(plain, 'not a socket');
    const refused = await ControlSocketServer.start(plain, async () => null).catch((e: unknown) => e);
    expect((refused as Error).message).toMatch(/is not a Keyhold control socket/);
    rmSync(staleDir, { recursive: true, force: true });
  });

  it('lives in the vault folder (a named pipe on Windows) and refuses a path too long for a socket', async () => {
    expect(controlSocketPath('/home/me/v.kvault', 'linux')).toBe('/home/me/v.kvault/control.sock');
    const pipe = controlSocketPath('C:\\Users\\me\\v.kvault', 'win32');
    expect(pipe).toMatch(/^\\\\\.\\pipe\\keyhold-control-[0-9a-f]{24}$/);
    expect(socketPathFits(pipe)).toBe(true);
    const long = path.join(dir, 'x'.repeat(120), 'control.sock');
    expect(socketPathFits(long)).toBe(false);
    const e = await ControlSocketServer.start(long, async () => null).catch((x: unknown) => x);
    expect((e as Error).message).toMatch(/too long for a control socket/);
    expect(await ControlClient.connect(long)).toBeUndefined();
  });

  it('fails a call the server does not answer in time', async () => {
    const d = mkdtempSync(path.join(tmpdir(), 'keyhold-hung-'));
    const p = controlSocketPath(d);
    const hung = await ControlSocketServer.start(p, () => new Promise(() => undefined));
    const c = (await ControlClient.connect(p)) as ControlClient;
    const e = await c.call('clients.list', {}, 50).catch((x: unknown) => x);
    expect((e as Error).message).toBe('the running server did not answer clients.list in time');
    c.close();
    await hung.close();
    rmSync(d, { recursive: true, force: true });
  });

  it('removes its socket file on a clean stop', async () => {
    const d = mkdtempSync(path.join(tmpdir(), 'keyhold-stop-'));
    const p = controlSocketPath(d);
    const s = await ControlSocketServer.start(p, async () => null);
    expect(statSync(p).isSocket()).toBe(true);
    await s.close();
    expect(() => statSync(p)).toThrow();
    expect(await ControlClient.connect(p)).toBeUndefined();
    rmSync(d, { recursive: true, force: true });
  });
});
