import { EventEmitter } from 'node:events';
import { KeyholdError } from '../../shared/errors.js';
import type { AccessPolicy, ObjectStore, OperationHandler } from '../ops/context.js';
import { operations as allOperations } from '../ops/index.js';
import { releaseFreedMemory } from './freed-memory.js';
import type { ClientIdentity } from './identity.js';
import { IdleMemoryRelease } from './idle-memory-release.js';
import { identityName } from './identity-name.js';
import type { ServerLimits } from './limits.js';
import { KmipProcessor, type Authenticator } from './protocol.js';
import { KmipTlsListener, type PeerContext } from './tls-listener.js';

export interface KmipServerOptions {
  host: string;
  port: number;
  cert: string;
  key: string;
  ca: string;
  store: ObjectStore;
  access: AccessPolicy;
  requireClientCertificate?: boolean;
  limits?: Partial<ServerLimits>;
  authenticator?: Authenticator;
  isRevoked?(identity: ClientIdentity): boolean | Promise<boolean>;
  operations?: Partial<Record<number, OperationHandler>>;
  /** Crypto on token-backed objects (keys that stay on a PKCS#11 token). */
  tokenCrypto?: import('../ops/context.js').TokenKeyCrypto;
  /** Optional HTTPS binding on the same port (first bytes "POST"). */
  http?: import('./tls-listener.js').KmipMessageHandler['takeOver'];
  /**
   * Gives the memory that connections and answered requests freed back to the system
   * (releaseFreedMemory, after `whenQuiet` when the server is quiet); default true.
   */
  releaseFreedMemory?: boolean;
  /** Runs first when memory is released on a quiet server (the vault drops its page cache). */
  whenQuiet?: () => Promise<void>;
}

/** The KMIP server: the TLS listener in front of the protocol processor and the operations. */
export class KmipServer extends EventEmitter {
  readonly processor: KmipProcessor;
  private readonly listener: KmipTlsListener;
  private readonly memory: IdleMemoryRelease | undefined;
  port = 0;

  constructor(options: KmipServerOptions) {
    super();
    this.processor = new KmipProcessor({
      store: options.store,
      access: options.access,
      operations: options.operations ?? allOperations,
      authenticator: options.authenticator,
      ...(options.tokenCrypto ? { tokenCrypto: options.tokenCrypto } : {}),
    });
    const processor = this.processor;
    const memory =
      options.releaseFreedMemory === false
        ? undefined
        : new IdleMemoryRelease({
            release: async (quiet) => {
              if (quiet) await options.whenQuiet?.().catch(() => undefined);
              return releaseFreedMemory();
            },
          });
    this.memory = memory;
    this.listener = new KmipTlsListener({
      host: options.host,
      port: options.port,
      cert: options.cert,
      key: options.key,
      ca: options.ca,
      requireClientCertificate: options.requireClientCertificate,
      limits: options.limits,
      isRevoked: options.isRevoked,
      handler: {
        handle: async (request: Buffer, peer: PeerContext) => {
          const response = await processor.process(request, identityName(peer));
          memory?.answered();
          // For observers (the desktop's server panel): the raw request and response of each message.
          this.emit('request', { peer, request, response });
          return response;
        },
        malformed: (error: KeyholdError) => processor.malformed(error),
        takeOver: options.http,
      },
    });
    this.listener.on('rejected', (e) => this.emit('rejected', e));
    this.listener.on('connect', (peer: PeerContext) => {
      memory?.connectionChanged();
      this.emit('connect', peer);
    });
    this.listener.on('disconnect', (peer: PeerContext) => {
      memory?.connectionChanged();
      this.emit('disconnect', peer);
    });
  }

  async listen(): Promise<number> {
    this.port = await this.listener.listen();
    return this.port;
  }

  get connectionCount(): number {
    return this.listener.connectionCount;
  }

  /** Closes the open connections whose peer matches (a client revoked while connected). */
  closeConnections(match: (peer: PeerContext) => boolean): number {
    return this.listener.closeConnections(match);
  }

  close(): Promise<void> {
    this.memory?.close();
    return this.listener.close();
  }
}
