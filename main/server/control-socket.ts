/**
 * The running server's local control channel: a unix domain socket in the vault's folder,
 * owner-only (mode 0600), speaking control-protocol.ts. `keyhold clients ...` use it while
 * `keyhold serve` holds the vault; the file is removed on a clean stop and a stale one (left by
 * a killed server) is detected and replaced at the next start.
 */
import { createHash } from 'node:crypto';
import { chmodSync, lstatSync, unlinkSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { KeyholdError } from '../../shared/errors.js';
import {
  ControlRefusal,
  MAX_CONTROL_LINE,
  controlError,
  encodeControlResponse,
  errorFromControl,
  parseControlRequest,
  type ControlMethod,
  type ControlParams,
  type ControlRequest,
  type ControlResponse,
} from './control-protocol.js';

/**
 * The control socket of the vault at vaultPath (a vault is a folder): `control.sock` inside it.
 * Windows has no socket files: a named pipe whose name derives from the vault's path.
 */
export function controlSocketPath(vaultPath: string, platform: NodeJS.Platform = process.platform): string {
  if (platform === 'win32') {
    const id = createHash('sha256').update(path.resolve(vaultPath).toLowerCase()).digest('hex').slice(0, 24);
    return `\\\\.\\pipe\\keyhold-control-${id}`;
  }
  return path.join(vaultPath, 'control.sock');
}

/** Longest unix socket path, in bytes (sun_path is 104 bytes on macOS and the BSDs, 108 on Linux, NUL included). */
export const MAX_SOCKET_PATH = 103;

/**
 * False when the path cannot be a unix socket: Node silently cuts a longer path short, which
 * would put the socket somewhere else.
 */
export function socketPathFits(socketPath: string): boolean {
  return socketPath.startsWith('\\\\') || Buffer.byteLength(socketPath) <= MAX_SOCKET_PATH;
}

const isPipe = (socketPath: string): boolean => socketPath.startsWith('\\\\');

function errnoOf(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' ? e.code : undefined;
}

/** Connects, or resolves undefined when nothing listens there (no file, stale file, not a socket). */
function tryConnect(socketPath: string, timeoutMs: number): Promise<net.Socket | undefined> {
  if (!socketPathFits(socketPath)) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const socket = net.connect(socketPath);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new KeyholdError('io', `the control socket ${socketPath} does not answer`));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once('error', (e) => {
      clearTimeout(timer);
      socket.destroy();
      const code = errnoOf(e);
      if (code === 'ENOENT' || code === 'ECONNREFUSED' || code === 'ENOTSOCK') resolve(undefined);
      else reject(new KeyholdError('io', `cannot reach the control socket ${socketPath} (${code ?? 'error'})`));
    });
  });
}

export type ControlHandler = (request: ControlRequest) => Promise<unknown>;

/** The listening side, owned by the running server. */
export class ControlSocketServer {
  private readonly connections = new Set<net.Socket>();

  private constructor(
    readonly path: string,
    private readonly server: net.Server,
  ) {}

  /**
   * Listens on socketPath. A socket there that answers means another server holds this vault:
   * refused. One that does not answer is stale and replaced. Any other file is left alone and
   * refused.
   */
  static async start(socketPath: string, handler: ControlHandler): Promise<ControlSocketServer> {
    if (!socketPathFits(socketPath)) {
      throw new KeyholdError(
        'unsupported',
        `the vault's path is too long for a control socket (${Buffer.byteLength(socketPath)} bytes, at most ${MAX_SOCKET_PATH})`,
      );
    }
    let existing: ReturnType<typeof lstatSync> | undefined;
    try {
      if (!isPipe(socketPath)) existing = lstatSync(socketPath);
    } catch (e) {
      if (errnoOf(e) !== 'ENOENT') throw new KeyholdError('io', `cannot inspect ${socketPath}`, { cause: e });
    }
    if (isPipe(socketPath)) {
      // A named pipe vanishes with its process: one that answers belongs to a live server.
      const live = await tryConnect(socketPath, 2000);
      live?.destroy();
      if (live) throw alreadyRunning(socketPath);
    }
    if (existing) {
      if (!existing.isSocket())
        throw new KeyholdError('illegal-state', `${socketPath} exists and is not a Keyhold control socket`);
      const live = await tryConnect(socketPath, 2000);
      if (live) {
        live.destroy();
        throw alreadyRunning(socketPath);
      }
      unlinkSync(socketPath);
    }
    const server = net.createServer();
    const control = new ControlSocketServer(socketPath, server);
    server.on('connection', (socket) => control.serve(socket, handler));
    // Created owner-only: no moment where another user could connect before the chmod.
    const umask = setUmask(0o177);
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(socketPath, () => {
          server.removeListener('error', reject);
          resolve();
        });
      });
    } catch (e) {
      throw new KeyholdError('io', `cannot create the control socket ${socketPath} (${errnoOf(e) ?? 'error'})`, {
        cause: e,
      });
    } finally {
      if (umask !== undefined) setUmask(umask);
    }
    if (!isPipe(socketPath)) chmodSync(socketPath, 0o600);
    return control;
  }

  /** Stops listening, ends open control connections and removes the socket file. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      for (const s of this.connections) s.destroy();
      // net.Server removes its own socket file on close; this covers a server that was never listening.
      this.server.close(() => {
        try {
          if (!isPipe(this.path)) unlinkSync(this.path);
        } catch {
          // Already gone.
        }
        resolve();
      });
    });
  }

  private serve(socket: net.Socket, handler: ControlHandler): void {
    this.connections.add(socket);
    socket.once('close', () => this.connections.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.setEncoding('utf8');
    let pending = '';
    let chain: Promise<void> = Promise.resolve();
    const answer = (response: ControlResponse): void => {
      if (!socket.destroyed) socket.write(encodeControlResponse(response));
    };
    const handle = async (line: string): Promise<void> => {
      let request: ControlRequest;
      try {
        request = parseControlRequest(line);
      } catch (e) {
        const refusal = e instanceof ControlRefusal ? e : new ControlRefusal(null, e);
        return answer({ id: refusal.id, ok: false, error: controlError(refusal.error) });
      }
      try {
        answer({ id: request.id, ok: true, result: (await handler(request)) ?? null });
      } catch (e) {
        answer({ id: request.id, ok: false, error: controlError(e) });
      }
    };
    let broken = false;
    socket.on('data', (chunk: string) => {
      if (broken) return;
      pending += chunk;
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl).trim();
        pending = pending.slice(nl + 1);
        if (line !== '') chain = chain.then(() => handle(line));
      }
      if (Buffer.byteLength(pending) > MAX_CONTROL_LINE) {
        pending = '';
        broken = true;
        const error = new KeyholdError('invalid-argument', `a request line is longer than ${MAX_CONTROL_LINE} bytes`);
        void chain.then(() => socket.end(encodeControlResponse({ id: null, ok: false, error: controlError(error) })));
      }
    });
  }
}

function alreadyRunning(socketPath: string): KeyholdError {
  return new KeyholdError(
    'vault-in-use',
    `another Keyhold server is already running on this vault (its control socket ${socketPath} answers)`,
  );
}

/** process.umask where it may be changed (not in worker threads); returns the previous mask. */
function setUmask(mask: number): number | undefined {
  try {
    return process.umask(mask);
  } catch {
    return undefined;
  }
}

/** The calling side: one connection, requests answered in order. */
export class ControlClient {
  private nextId = 1;
  private buffer = '';
  private readonly waiting = new Map<number, { resolve(v: unknown): void; reject(e: unknown): void }>();

  private constructor(private readonly socket: net.Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.receive(chunk));
    const fail = (e: unknown): void => {
      for (const w of this.waiting.values()) w.reject(e);
      this.waiting.clear();
    };
    socket.on('error', (e) => fail(new KeyholdError('io', 'the control connection failed', { cause: e })));
    socket.on('close', () => fail(new KeyholdError('io', 'the server closed the control connection')));
  }

  /** Connects to the running server of a vault, or resolves undefined when none runs. */
  static async connect(socketPath: string, timeoutMs = 5000): Promise<ControlClient | undefined> {
    const socket = await tryConnect(socketPath, timeoutMs);
    return socket ? new ControlClient(socket) : undefined;
  }

  /** One request; a server that does not answer within timeoutMs (enrolling takes well under a second) fails it. */
  call<M extends ControlMethod>(method: M, params: ControlParams<M>, timeoutMs = 60_000): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new KeyholdError('io', `the running server did not answer ${method} in time`));
      }, timeoutMs);
      const done = (): void => clearTimeout(timer);
      this.waiting.set(id, {
        resolve: (v) => {
          done();
          resolve(v);
        },
        reject: (e) => {
          done();
          reject(e);
        },
      });
      this.socket.write(`${JSON.stringify({ id, method, params })}\n`);
    });
  }

  /** Sends a raw line (tests of the protocol's validation) and resolves with the next answer. */
  raw(line: string): Promise<ControlResponse> {
    return new Promise((resolve, reject) => {
      this.waiting.set(0, { resolve: (v) => resolve(v as ControlResponse), reject });
      this.socket.write(line.endsWith('\n') ? line : `${line}\n`);
    });
  }

  close(): void {
    this.socket.end();
  }

  private receive(chunk: string): void {
    this.buffer += chunk;
    let nl: number;
    while ((nl = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, nl);
      this.buffer = this.buffer.slice(nl + 1);
      let response: ControlResponse;
      try {
        response = JSON.parse(line) as ControlResponse;
      } catch {
        continue;
      }
      const key = typeof response.id === 'number' && this.waiting.has(response.id) ? response.id : 0;
      const w = this.waiting.get(key);
      if (!w) continue;
      this.waiting.delete(key);
      if (key === 0) w.resolve(response);
      else if (response.ok) w.resolve(response.result);
      else w.reject(errorFromControl(response.error));
    }
  }
}
