import { EventEmitter } from 'node:events';
import tls from 'node:tls';
import type { Duplex } from 'node:stream';
import { KeyholdError, isKeyholdError } from '../../shared/errors.js';
import { FrameSplitter } from './frame-splitter.js';
import { allowsClientAuth, identityOf, type ClientIdentity } from './identity.js';
import { defaultServerLimits, type ServerLimits } from './limits.js';

/** What a listener needs from the protocol layer: bytes in, bytes out, never a throw. */
export interface KmipMessageHandler {
  /** Answers one whole TTLV request message. */
  handle(request: Buffer, peer: PeerContext): Promise<Buffer>;
  /** The response to send when the stream itself is broken (oversized or garbage header). */
  malformed(error: KeyholdError, peer: PeerContext): Buffer;
  /** Optional: takes over a connection whose first bytes are not TTLV (the HTTPS binding). */
  takeOver?(socket: tls.TLSSocket, firstChunk: Buffer, peer: PeerContext): boolean;
}

export interface PeerContext {
  identity: ClientIdentity | undefined;
  remoteAddress: string;
  connectionId: number;
}

export interface TlsListenerOptions {
  host: string;
  port: number;
  cert: string;
  key: string;
  /** CA certificates (PEM) that client certificates must chain to. */
  ca: string;
  /** Mutual TLS is required unless explicitly turned off. */
  requireClientCertificate?: boolean;
  limits?: Partial<ServerLimits>;
  handler: KmipMessageHandler;
  /**
   * Refuses an identity at connect time (revoked or unknown enrollments). Asked once per
   * connection, so it may look the identity up (in the vault) and answer asynchronously; the
   * connection reads nothing until it has answered.
   */
  isRevoked?(identity: ClientIdentity): boolean | Promise<boolean>;
}

/**
 * The KMIP TLS listener (KMIP 1.4 section 10 / 2.1 profiles): TLS 1.2 and 1.3, client
 * certificate with the clientAuth EKU, a session id context so clients can resume sessions
 * (INTEROP-NOTES 2), bounded frames, idle and handshake timeouts, a connection cap. Each
 * connection answers its requests in order; connections never wait for each other.
 */
export class KmipTlsListener extends EventEmitter {
  private readonly server: tls.Server;
  private readonly limits: ServerLimits;
  private readonly sockets = new Set<Duplex>();
  /** Accepted (authenticated) connections, by connection id: what closeConnections() looks at. */
  private readonly peers = new Map<number, { peer: PeerContext; socket: tls.TLSSocket }>();
  private nextId = 1;

  constructor(private readonly options: TlsListenerOptions) {
    super();
    this.limits = { ...defaultServerLimits, ...options.limits };
    const requireCert = options.requireClientCertificate !== false;
    this.server = tls.createServer(
      {
        cert: options.cert,
        key: options.key,
        ca: options.ca,
        requestCert: true,
        rejectUnauthorized: requireCert,
        minVersion: 'TLSv1.2',
        maxVersion: 'TLSv1.3',
        sessionIdContext: 'keyhold-kmip',
        handshakeTimeout: this.limits.handshakeTimeoutMs,
      },
      (socket) => this.accept(socket, requireCert),
    );
    this.server.maxConnections = this.limits.maxConnections;
    this.server.on('tlsClientError', (err) => this.emit('tls-error', err));
    // A raw TCP socket that never finishes the handshake still counts against idle time.
    this.server.on('connection', (raw: Duplex & { setTimeout(ms: number, cb: () => void): void }) => {
      this.sockets.add(raw);
      raw.on('close', () => this.sockets.delete(raw));
    });
  }

  /** Starts listening; resolves with the bound port (useful with port 0). */
  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port, this.options.host, () => {
        this.server.removeListener('error', reject);
        const address = this.server.address();
        resolve(typeof address === 'object' && address !== null ? address.port : this.options.port);
      });
    });
  }

  /** Open connections (TCP level). */
  get connectionCount(): number {
    return this.sockets.size;
  }

  /** Stops accepting, closes every connection, resolves when the listener is closed. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      for (const s of this.sockets) s.destroy();
    });
  }

  /**
   * Closes the open connections whose peer matches (a client revoked while connected); returns
   * how many were closed.
   */
  closeConnections(match: (peer: PeerContext) => boolean): number {
    let n = 0;
    for (const { peer, socket } of [...this.peers.values()]) {
      if (!match(peer)) continue;
      socket.destroy();
      n++;
    }
    return n;
  }

  private accept(socket: tls.TLSSocket, requireCert: boolean): void {
    const connectionId = this.nextId++;
    const peerCert = socket.getPeerCertificate();
    const hasCert = peerCert !== undefined && Object.keys(peerCert).length > 0 && socket.authorized;
    let identity: ClientIdentity | undefined;
    if (hasCert) {
      if (!allowsClientAuth(peerCert)) {
        this.emit('rejected', { reason: 'certificate lacks the clientAuth extended key usage', connectionId });
        socket.destroy();
        return;
      }
      identity = identityOf(peerCert);
    } else if (requireCert) {
      socket.destroy();
      return;
    }
    const peer: PeerContext = { identity, remoteAddress: socket.remoteAddress ?? '', connectionId };
    const refuse = (reason: string): void => {
      this.emit('rejected', { reason, connectionId });
      socket.destroy();
    };
    const verdict = identity && this.options.isRevoked ? this.options.isRevoked(identity) : false;
    if (verdict === false) return this.serve(socket, peer);
    if (verdict === true) return refuse(`client ${identity?.name ?? ''} is revoked or not enrolled`);
    // Until the check answers the socket is not read (no 'data' listener yet), only timed out.
    socket.on('error', () => socket.destroy());
    socket.setTimeout(this.limits.handshakeTimeoutMs, () => socket.destroy());
    verdict.then(
      (revoked) => {
        if (socket.destroyed) return;
        if (revoked) refuse(`client ${identity?.name ?? ''} is revoked or not enrolled`);
        else this.serve(socket, peer);
      },
      () => refuse('the client enrollment could not be checked'),
    );
  }

  /** Serves an accepted connection: frames in, responses out, in order. */
  private serve(socket: tls.TLSSocket, peer: PeerContext): void {
    this.peers.set(peer.connectionId, { peer, socket });
    this.emit('connect', peer);
    socket.once('close', () => {
      this.peers.delete(peer.connectionId);
      this.emit('disconnect', peer);
    });
    socket.setTimeout(this.limits.idleTimeoutMs, () => socket.destroy());
    socket.setNoDelay(true);
    socket.on('error', () => socket.destroy());

    const splitter = new FrameSplitter(this.limits.maxMessageBytes);
    const queue: Buffer[] = [];
    let busy = false;
    let first = true;
    let broken = false;

    const drain = async (): Promise<void> => {
      if (busy) return;
      busy = true;
      while (queue.length > 0 && !socket.destroyed) {
        const request = queue.shift() as Buffer;
        if (queue.length < this.limits.maxPipelined && socket.isPaused()) socket.resume();
        const response = await this.options.handler.handle(request, peer);
        if (!socket.destroyed) socket.write(response);
      }
      busy = false;
    };

    socket.on('data', (chunk: Buffer) => {
      if (broken) return;
      if (first) {
        first = false;
        if (chunk[0] !== 0x42 && chunk[0] !== 0x54 && this.options.handler.takeOver?.(socket, chunk, peer)) {
          broken = true;
          return;
        }
      }
      let frames: Buffer[];
      try {
        frames = splitter.push(chunk);
      } catch (e) {
        // The stream cannot be re-synchronised after a bad header: answer, then close this one connection.
        broken = true;
        const err = isKeyholdError(e)
          ? e
          : new KeyholdError('codec', 'unreadable message', { reason: 'Invalid Message' });
        socket.end(this.options.handler.malformed(err, peer));
        return;
      }
      if (frames.length === 0) return;
      queue.push(...frames);
      if (queue.length >= this.limits.maxPipelined) socket.pause();
      void drain().catch(() => socket.destroy());
    });
  }
}
