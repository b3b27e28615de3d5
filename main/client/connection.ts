import tls from 'node:tls';
import { KeyholdError } from '../../shared/errors.js';
import { FrameSplitter } from '../server/frame-splitter.js';

export interface ConnectionOptions {
  host: string;
  port: number;
  /** Client certificate and key (PEM) for mutual TLS. */
  cert?: string;
  key?: string;
  /** CA certificate(s) (PEM) the server certificate must chain to. */
  ca?: string;
  /** Name checked against the server certificate; defaults to host. */
  servername?: string;
  /** Per request and for connecting. */
  timeoutMs?: number;
  maxMessageBytes?: number;
  /** TLS versions; PyKMIP's server speaks 1.2 only (INTEROP-NOTES 2). */
  minVersion?: tls.SecureVersion;
  maxVersion?: tls.SecureVersion;
}

interface Pending {
  resolve(frame: Buffer): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
}

/**
 * One TLS connection to a KMIP server carrying TTLV frames. Requests are pipelined and answered
 * in order (KMIP servers answer a connection's messages in sequence). A timeout or a broken
 * stream fails every outstanding request and closes the connection; the caller reconnects.
 */
export class KmipConnection {
  private socket: tls.TLSSocket | undefined;
  private readonly pending: Pending[] = [];
  private closedError: Error | undefined;

  private constructor(private readonly options: ConnectionOptions) {}

  static async open(options: ConnectionOptions): Promise<KmipConnection> {
    const c = new KmipConnection(options);
    await c.connect();
    return c;
  }

  get isOpen(): boolean {
    return this.socket !== undefined && !this.socket.destroyed && this.closedError === undefined;
  }

  /** The negotiated TLS version ("TLSv1.3"). */
  get tlsVersion(): string | undefined {
    return this.socket?.getProtocol() ?? undefined;
  }

  private connect(): Promise<void> {
    const o = this.options;
    const timeoutMs = o.timeoutMs ?? 30_000;
    return new Promise((resolve, reject) => {
      const socket = tls.connect({
        host: o.host,
        port: o.port,
        cert: o.cert,
        key: o.key,
        ca: o.ca,
        servername: o.servername ?? (isIp(o.host) ? undefined : o.host),
        minVersion: o.minVersion ?? 'TLSv1.2',
        maxVersion: o.maxVersion ?? 'TLSv1.3',
        checkServerIdentity: (host, cert) => tls.checkServerIdentity(o.servername ?? host, cert),
      });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new KeyholdError('io', `connecting to ${o.host}:${o.port} timed out`));
      }, timeoutMs);
      socket.once('secureConnect', () => {
        clearTimeout(timer);
        socket.setNoDelay(true);
        this.socket = socket;
        resolve();
      });
      socket.on('error', (e) => {
        clearTimeout(timer);
        this.fail(new KeyholdError('io', `connection to ${o.host}:${o.port} failed: ${e.message}`, { cause: e }));
        reject(new KeyholdError('io', `connection to ${o.host}:${o.port} failed: ${e.message}`, { cause: e }));
      });
      socket.once('close', () => this.fail(new KeyholdError('io', `connection to ${o.host}:${o.port} closed`)));
      const splitter = new FrameSplitter(o.maxMessageBytes ?? 64 * 1024 * 1024);
      socket.on('data', (chunk: Buffer) => {
        let frames: Buffer[];
        try {
          frames = splitter.push(chunk);
        } catch (e) {
          this.fail(e instanceof Error ? e : new KeyholdError('codec', 'unreadable response'));
          socket.destroy();
          return;
        }
        for (const frame of frames) {
          const p = this.pending.shift();
          if (!p) continue;
          clearTimeout(p.timer);
          p.resolve(frame);
        }
      });
    });
  }

  /** Sends one request message and resolves with its response message. */
  request(message: Uint8Array): Promise<Buffer> {
    const socket = this.socket;
    if (!socket || !this.isOpen) {
      return Promise.reject(this.closedError ?? new KeyholdError('io', 'connection is not open'));
    }
    const timeoutMs = this.options.timeoutMs ?? 30_000;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.fail(new KeyholdError('io', `no response within ${timeoutMs} ms`));
        socket.destroy();
      }, timeoutMs);
      this.pending.push({ resolve, reject, timer });
      socket.write(message);
    });
  }

  close(): Promise<void> {
    const socket = this.socket;
    this.fail(new KeyholdError('io', 'connection closed by the client'));
    if (!socket || socket.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      socket.once('close', () => resolve());
      socket.end();
      setTimeout(() => socket.destroy(), 1000).unref();
    });
  }

  private fail(e: Error): void {
    if (this.closedError === undefined) this.closedError = e;
    for (const p of this.pending.splice(0)) {
      clearTimeout(p.timer);
      p.reject(e);
    }
  }
}

function isIp(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(':');
}
