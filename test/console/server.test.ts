import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRouter } from '../../main/api/router.js';
import { startConsole } from '../../main/console/server.js';
import type { RunningConsole } from '../../main/console/server.js';
import { contentSecurityPolicy } from '../../shared/api/index.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'keyhold-console-'));
const root = path.join(dir, 'dist');
mkdirSync(path.join(root, 'assets'), { recursive: true });
writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>Keyhold</title>');
writeFileSync(path.join(root, 'assets', 'app.js'), 'console.log(1)');
writeFileSync(path.join(root, 'assets', 'index-Bq3xZ9_k.js'), 'console.log("hashed")');
writeFileSync(path.join(dir, 'secret.txt'), 'outside');

let c: RunningConsole;
let calls = 0;

beforeAll(async () => {
  const router = createRouter(
    { 'vault.status': () => (calls++, { path: '/v', state: 'absent', autoLockSeconds: 0 }) },
    'http',
  );
  c = await startConsole({ router, rendererDir: root });
});
afterAll(async () => {
  await c.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function request(
  p: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port: c.port, path: p, method: opts.method ?? 'GET', headers: opts.headers },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

const json = { 'Content-Type': 'application/json' };

describe('web console server', () => {
  it('prints an address with a long random token, on loopback', () => {
    expect(c.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{43}$/);
  });

  it('refuses the page and the API without the token', async () => {
    expect((await request('/')).status).toBe(401);
    expect((await request('/assets/app.js')).status).toBe(401);
    expect((await request('/?token=wrong')).status).toBe(401);
    const api = await request('/api/vault.status', { method: 'POST', headers: json, body: '{}' });
    expect(api.status).toBe(401);
    expect(calls).toBe(0);
  });

  it('swaps the token URL for an HttpOnly SameSite=Strict cookie, then serves with a strict CSP', async () => {
    const first = await request(`/?token=${c.token}`);
    expect(first.status).toBe(303);
    expect(first.headers.location).toBe('/');
    const cookie = first.headers['set-cookie']?.[0] ?? '';
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const cookieHeader = cookie.split(';')[0]!;
    const page = await request('/', { headers: { Cookie: cookieHeader } });
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>Keyhold</title>');
    expect(page.headers['content-security-policy']).toBe(contentSecurityPolicy);
    expect(page.headers['x-frame-options']).toBe('DENY');
    const api = await request('/api/vault.status', {
      method: 'POST',
      headers: { ...json, Cookie: cookieHeader },
      body: '{}',
    });
    expect(JSON.parse(api.body)).toEqual({ ok: true, value: { path: '/v', state: 'absent', autoLockSeconds: 0 } });
  });

  it('serves the files read at start from memory; hashed assets are cacheable for good, the page never', async () => {
    const auth = { Authorization: `Bearer ${c.token}` };
    rmSync(path.join(root, 'assets', 'index-Bq3xZ9_k.js'));
    const hashed = await request('/assets/index-Bq3xZ9_k.js', { headers: auth });
    expect(hashed.status).toBe(200);
    expect(hashed.body).toBe('console.log("hashed")');
    expect(hashed.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(hashed.headers['cache-control']).toBe('private, max-age=31536000, immutable');
    expect(hashed.headers['content-security-policy']).toBe(contentSecurityPolicy);
    const plain = await request('/assets/app.js', { headers: auth });
    expect(plain.headers['cache-control']).toBe('no-store');
    const page = await request('/', { headers: auth });
    expect(page.headers['cache-control']).toBe('no-store');
    // A file that appears after start is read from disk.
    writeFileSync(path.join(root, 'assets', 'late.js'), 'console.log("late")');
    const late = await request('/assets/late.js', { headers: auth });
    expect(late.status).toBe(200);
    expect(late.body).toBe('console.log("late")');
  });

  it('accepts the token as a Bearer header for scripts', async () => {
    const api = await request('/api/vault.status', {
      method: 'POST',
      headers: { ...json, Authorization: `Bearer ${c.token}` },
    });
    expect(JSON.parse(api.body)).toMatchObject({ ok: true });
  });

  it('validates every call the same way as IPC', async () => {
    const auth = { ...json, Authorization: `Bearer ${c.token}` };
    const bad = await request('/api/vault.status', { method: 'POST', headers: auth, body: '{"x":1}' });
    expect(JSON.parse(bad.body)).toMatchObject({ ok: false, error: { code: 'invalid-argument' } });
    const unknown = await request('/api/__proto__', { method: 'POST', headers: auth, body: '{}' });
    expect(JSON.parse(unknown.body)).toMatchObject({ ok: false, error: { code: 'invalid-argument' } });
    expect((await request('/api/vault.status', { method: 'POST', headers: auth, body: '{not json' })).status).toBe(400);
  });

  it('refuses other hosts (DNS rebinding), forms (CSRF) and GET on the API', async () => {
    const auth = { Authorization: `Bearer ${c.token}` };
    expect(
      (
        await request('/api/vault.status', {
          method: 'POST',
          headers: { ...json, ...auth, Host: `evil.example:${c.port}` },
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await request('/api/vault.status', {
          method: 'POST',
          headers: { ...auth, 'Content-Type': 'text/plain' },
          body: '{}',
        })
      ).status,
    ).toBe(415);
    expect((await request('/api/vault.status', { headers: auth })).status).toBe(405);
  });

  it('never serves files outside the renderer folder', async () => {
    const auth = { Authorization: `Bearer ${c.token}` };
    for (const p of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt']) {
      const r = await request(p, { headers: auth });
      expect(r.body).not.toContain('outside');
    }
    expect((await request('/assets/app.js', { headers: auth })).headers['content-type']).toMatch(/javascript/);
  });

  it('refuses to bind beyond loopback without a certificate', async () => {
    const router = createRouter({}, 'http');
    await expect(startConsole({ router, host: '0.0.0.0', rendererDir: root })).rejects.toMatchObject({
      code: 'unsupported',
    });
  });
});

describe('onScriptServed', () => {
  it('fires once, after the page script (not the page) has been sent', async () => {
    let fired = 0;
    const router = createRouter({}, 'http');
    const s = await startConsole({ router, rendererDir: root, onScriptServed: () => fired++ });
    try {
      const get = (p: string) =>
        new Promise<number>((resolve, reject) => {
          http
            .get(
              { host: '127.0.0.1', port: s.port, path: p, headers: { Authorization: `Bearer ${s.token}` } },
              (res) => {
                res.resume();
                res.on('end', () => resolve(res.statusCode ?? 0));
              },
            )
            .on('error', reject);
        });
      expect(await get('/')).toBe(200);
      await new Promise((r) => setImmediate(r));
      expect(fired).toBe(0);
      expect(await get('/assets/app.js')).toBe(200);
      await new Promise((r) => setImmediate(r));
      expect(fired).toBe(1);
      expect(await get('/assets/app.js')).toBe(200);
      await new Promise((r) => setImmediate(r));
      expect(fired).toBe(1);
    } finally {
      await s.close();
    }
  });
});
