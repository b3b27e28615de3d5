/**
 * The web console: the renderer and the API over HTTP on 127.0.0.1 (HTTPS when bound to any
 * other address), with a random per-start access token required on every request. The page is
 * opened once with `/?token=...`, which sets an HttpOnly SameSite=Strict cookie and redirects to
 * `/`; scripts may also send `Authorization: Bearer <token>`. Each API call goes through the same
 * router, and so the same per-call validation, as the desktop window's IPC.
 */
import http from 'node:http';
import os from 'node:os';
import type { AddressInfo } from 'node:net';
import { KeyholdError } from '../../shared/errors.js';
import { contentSecurityPolicy } from '../../shared/api/index.js';
import type { Router } from '../api/router.js';
import { newAccessToken, readCookie, tokenMatches } from './access-token.js';
import { defaultRendererDir, loadStaticCache, readStatic } from './static-files.js';

export interface ConsoleOptions {
  router: Router;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  rendererDir?: string;
  /** Required when host is not a loopback address. */
  tls?: { key: string | Buffer; cert: string | Buffer };
  /** Tests may fix the token; normally a fresh random one each start. */
  token?: string;
  /** Largest request body accepted, in bytes. */
  maxBodyBytes?: number;
  /**
   * Called once, when the page's script has been sent: while the browser compiles and runs it,
   * the caller can load what the first API calls need without delaying the page itself.
   */
  onScriptServed?: () => void;
}

export interface RunningConsole {
  /** The address to open, with the token: http://127.0.0.1:PORT/?token=... */
  url: string;
  origin: string;
  token: string;
  port: number;
  close(): Promise<void>;
}

const loopbackHosts = new Set(['127.0.0.1', '::1', 'localhost']);

export function isLoopback(host: string): boolean {
  return loopbackHosts.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

const securityHeaders: Record<string, string> = {
  'Content-Security-Policy': contentSecurityPolicy,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), usb=(), serial=(), hid=()',
  'Cache-Control': 'no-store',
};

export async function startConsole(options: ConsoleOptions): Promise<RunningConsole> {
  const host = options.host ?? '127.0.0.1';
  const secure = !isLoopback(host);
  if (secure && !options.tls) {
    throw new KeyholdError(
      'unsupported',
      `Binding the console to ${host} needs HTTPS with a server certificate, and none is available in this build. Bind to 127.0.0.1 instead.`,
    );
  }
  const token = options.token ?? newAccessToken();
  const rendererDir = options.rendererDir ?? defaultRendererDir();
  const staticCache = loadStaticCache(rendererDir);
  const maxBody = options.maxBodyBytes ?? 12 * 1024 * 1024;
  let port = options.port ?? 0;
  const cookieName = () => `keyhold_token_${port}`;

  const allowedHosts = () =>
    new Set([
      `${host}:${port}`,
      `[${host}]:${port}`,
      ...(isLoopback(host) ? [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`] : []),
    ]);

  function send(
    res: http.ServerResponse,
    status: number,
    type: string,
    body: string | Buffer,
    extra: Record<string, string> = {},
  ) {
    res.writeHead(status, {
      ...securityHeaders,
      'Content-Type': type,
      'Content-Length': Buffer.byteLength(body),
      ...extra,
    });
    res.end(body);
  }

  function authorized(req: http.IncomingMessage): boolean {
    const auth = req.headers.authorization;
    const bearer = auth?.startsWith('Bearer ') ? auth.slice(7).trim() : undefined;
    return tokenMatches(token, bearer ?? readCookie(req.headers.cookie, cookieName()));
  }

  async function readBody(req: http.IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > maxBody) throw new KeyholdError('invalid-argument', 'Request too large.');
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks).toString('utf8');
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    // On loopback, a page on another site may not reach us through a name that resolves to
    // 127.0.0.1 (DNS rebinding). Beyond loopback the address is reached by whatever name the
    // network gives it; HTTPS, the token and the SameSite cookie protect it there.
    if (!secure && !allowedHosts().has(req.headers.host ?? ''))
      return send(res, 403, 'text/plain', 'Forbidden host.\n');
    const url = new URL(req.url ?? '/', `http://${req.headers.host}`);

    if (url.pathname.startsWith('/api/')) {
      if (req.method !== 'POST') return send(res, 405, 'text/plain', 'Use POST.\n', { Allow: 'POST' });
      if (!authorized(req))
        return send(
          res,
          401,
          'application/json',
          JSON.stringify({
            ok: false,
            error: { code: 'permission-denied', message: 'Missing or wrong access token.' },
          }),
        );
      if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
        return send(res, 415, 'text/plain', 'Send application/json.\n');
      }
      let payload: unknown;
      try {
        const text = await readBody(req);
        payload = text.length === 0 ? undefined : JSON.parse(text);
      } catch {
        return send(
          res,
          400,
          'application/json',
          JSON.stringify({
            ok: false,
            error: { code: 'invalid-argument', message: 'The request body is not valid JSON or is too large.' },
          }),
        );
      }
      const result = await options.router.call(url.pathname.slice(5), payload);
      return send(res, 200, 'application/json', JSON.stringify(result));
    }

    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain', 'Method not allowed.\n');
    const given = url.searchParams.get('token');
    if (given !== null) {
      if (!tokenMatches(token, given)) return send(res, 401, 'text/plain', unauthorizedText);
      const cookie = `${cookieName()}=${token}; HttpOnly; SameSite=Strict; Path=/${secure ? '; Secure' : ''}`;
      return send(res, 303, 'text/plain', 'See /\n', { Location: url.pathname, 'Set-Cookie': cookie });
    }
    if (!authorized(req)) return send(res, 401, 'text/plain; charset=utf-8', unauthorizedText);
    const file = await readStatic(rendererDir, url.pathname, staticCache);
    if (!file) {
      return send(res, 404, 'text/plain; charset=utf-8', url.pathname === '/' ? notBuiltText : 'Not found.\n');
    }
    // A hashed asset never changes under its name; the page itself is never stored.
    send(res, 200, file.mediaType, file.body, file.immutable ? { 'Cache-Control': immutableCache } : {});
    if (scriptPending && file.mediaType.startsWith('text/javascript')) {
      scriptPending = false;
      setImmediate(() => options.onScriptServed?.());
    }
  }
  let scriptPending = options.onScriptServed !== undefined;

  const listener = (req: http.IncomingMessage, res: http.ServerResponse) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) send(res, 500, 'text/plain', 'Internal error.\n');
      else res.destroy();
    });
  };
  // node:https (and TLS with it) loads only when served beyond loopback.
  const server =
    secure && options.tls
      ? (await import('node:https')).createServer({ ...options.tls, minVersion: 'TLSv1.2' }, listener)
      : http.createServer(listener);
  server.headersTimeout = 20_000;
  server.requestTimeout = 60_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(new KeyholdError('io', `Cannot listen on ${host}:${port}: ${e.code ?? e.message}.`, { cause: e })),
    );
    server.listen(port, host, () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  // A wildcard bind is reached by the machine's name.
  const shown = host === '0.0.0.0' || host === '::' ? os.hostname() : host;
  const hostPart = shown.includes(':') ? `[${shown}]` : shown;
  const origin = `${secure ? 'https' : 'http'}://${hostPart}:${port}`;
  return {
    url: `${origin}/?token=${token}`,
    origin,
    token,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const immutableCache = 'private, max-age=31536000, immutable';

const unauthorizedText =
  'Keyhold: this address needs its access token. Open the full address printed by `keyhold console` (it ends with ?token=...).\n';
const notBuiltText = 'Keyhold: the window’s files are not built. Run `npm run build` and start the console again.\n';
