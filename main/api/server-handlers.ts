/**
 * The KMIP server panel's calls: start and stop `main/server` over the session's unlocked vault,
 * its enrolled clients, enrollment (a PEM bundle to hand over), live connections and a request log.
 * The server modules (TLS, X.509) are loaded on first use, not at start. Locking the vault stops
 * the server: with the data key wiped it could not answer anyway.
 */
import { KeyholdError } from '../../shared/errors.js';
import type { ServerStatus } from '../../shared/api/index.js';
import type { Grant } from '../server/access.js';
import type { ServerControl } from '../server/control-engine.js';
import type { StoredCredential } from '../server/credentials.js';
import type { KmipServer } from '../server/kmip-server.js';
import type { RunningServer } from '../server/serve.js';
import type { PeerContext } from '../server/tls-listener.js';
import type { Handlers } from './router.js';
import type { VaultSession } from './vault-session.js';

/** How many request log lines the panel keeps (newest last). */
export const requestLogSize = 200;

type LogLine = ServerStatus['requestLog'][number];
interface Connection {
  peer: string;
  since: string;
  requests: number;
}

/** A Credential as the panel sends it: username and password in the clear, over the window's own channel. */
interface CredentialInput {
  username: string;
  password: string;
}

/**
 * Hashes a Credential's password here, in the engine (scrypt; the running server keeps only the
 * hash), and wipes the bytes it made from it. The password is in no log, audit entry or error.
 */
async function hashed(input: CredentialInput): Promise<StoredCredential> {
  const { hashClientPassword } = await import('../server/credentials.js');
  const password = Buffer.from(input.password, 'utf8');
  try {
    return await hashClientPassword(input.username, password);
  } finally {
    password.fill(0);
  }
}

function peerName(peer: PeerContext): string {
  return peer.identity ? `${peer.identity.name} (${peer.remoteAddress})` : peer.remoteAddress;
}

export class ServerService {
  #running: RunningServer | undefined;
  #address: string | undefined;
  readonly #connections = new Map<number, Connection>();
  readonly #log: LogLine[] = [];
  readonly #session: VaultSession;
  #clients: Promise<ServerStatus['clients']> | undefined;

  constructor(session: VaultSession) {
    this.#session = session;
    session.onLock(async () => {
      this.#clients = undefined;
      await this.stop();
    });
  }

  get #server(): KmipServer | undefined {
    return this.#running?.server;
  }

  /**
   * The engine that administers clients: the running server's (changes take effect in it at
   * once, no restart), else one over the vault for this change.
   */
  async #control(): Promise<ServerControl> {
    if (this.#running) return this.#running.control;
    const { ServerControl } = await import('../server/control-engine.js');
    return ServerControl.load(this.#session.vault());
  }

  async #grants(): Promise<Grant[]> {
    if (this.#running) return this.#running.control.grants();
    return (await import('../server/control-grants.js')).loadGrants(this.#session.vault());
  }

  /**
   * The enrolled clients and their grants, read from the vault once and again only after a
   * change: the panel polls the status, and each read of the vault is an audit entry.
   */
  async #clientList(): Promise<ServerStatus['clients']> {
    this.#clients ??= Promise.all([
      import('../server/pki.js').then((m) => m.listClients(this.#session.vault())),
      this.#grants(),
    ]).then(([list, grants]) =>
      list.map((c) => ({
        name: c.name,
        serialNumber: c.serialNumber,
        notAfter: new Date(c.notAfter).toISOString(),
        revoked: c.revoked,
        admin: c.admin,
        credentialRequired: c.credentialRequired,
        ...(c.credentialUsername !== undefined ? { credentialUsername: c.credentialUsername } : {}),
        grants: grants
          .filter((g) => g.identity === c.name)
          .map((g) => ({ uniqueIdentifier: g.uniqueIdentifier, operations: g.operations })),
      })),
    );
    try {
      return await this.#clients;
    } catch (e) {
      this.#clients = undefined;
      throw e;
    }
  }

  get running(): boolean {
    return this.#server !== undefined;
  }

  async status(): Promise<ServerStatus> {
    const unlocked = this.#session.status().state === 'unlocked';
    const clients = unlocked ? await this.#clientList() : [];
    const server = this.#server;
    const base: ServerStatus = {
      available: true,
      running: server !== undefined,
      clients,
      connectionCount: server?.connectionCount ?? 0,
      connections: [...this.#connections.values()].map((c) => ({ ...c })),
      requestLog: [...this.#log],
    };
    if (!unlocked) base.blockedBy = 'Unlock the vault to start the KMIP server or enroll clients.';
    return server ? { ...base, address: this.#address ?? '', port: server.port } : base;
  }

  async start(address: string, port: number): Promise<ServerStatus> {
    if (this.#server) {
      throw new KeyholdError(
        'illegal-state',
        `The KMIP server is already running on ${this.#address}:${this.#server.port}.`,
      );
    }
    const vault = this.#session.vault();
    const [{ startVaultServer }, { logLines }, { controlSocketPath }] = await Promise.all([
      import('../server/serve.js'),
      import('./server-log.js'),
      import('../server/control-socket.js'),
    ]);
    // The panel calls the engine in-process; the socket is for `keyhold clients ...` meanwhile.
    const running = await startVaultServer(vault, {
      host: address,
      port,
      controlSocket: controlSocketPath(this.#session.path),
    });
    const server = running.server;
    this.#running = running;
    this.#clients = undefined;
    this.#address = address;
    this.#connections.clear();
    server.on('connect', (peer: PeerContext) =>
      this.#connections.set(peer.connectionId, { peer: peerName(peer), since: new Date().toISOString(), requests: 0 }),
    );
    server.on('disconnect', (peer: PeerContext) => this.#connections.delete(peer.connectionId));
    server.on('request', (e: { peer: PeerContext; response: Buffer }) => {
      const c = this.#connections.get(e.peer.connectionId);
      if (c) c.requests++;
      this.#log.push(...logLines(e.response, peerName(e.peer), new Date()));
      if (this.#log.length > requestLogSize) this.#log.splice(0, this.#log.length - requestLogSize);
    });
    return this.status();
  }

  async stop(): Promise<ServerStatus> {
    const running = this.#running;
    this.#running = undefined;
    this.#clients = undefined;
    this.#connections.clear();
    running?.server.removeAllListeners();
    await running?.stop();
    return this.status();
  }

  /** Enrolls a client: a PEM bundle with its certificate, its private key (when asked) and the server CA. */
  async enroll(
    name: string,
    includePrivateKey: boolean,
    admin = false,
    credentialInput?: CredentialInput,
  ): Promise<{ fileName: string; mediaType: string; data: string }> {
    this.#session.vault();
    const credential = credentialInput ? await hashed(credentialInput) : undefined;
    // A running server accepts the new client at once: no restart, open connections stay.
    const bundle = await (
      await this.#control()
    ).enroll(name, { admin, ...(credential ? { credential } : {}) }, this.#session.identity);
    this.#clients = undefined;
    const parts = [
      `# Keyhold KMIP client bundle for ${name}: client certificate${includePrivateKey ? ', its private key' : ''} and the server CA.\n`,
      bundle.certPem,
      includePrivateKey ? bundle.keyPem : '',
      bundle.caCertPem,
    ];
    const text = Buffer.from(parts.join(''), 'utf8');
    try {
      return {
        fileName: `${name}-kmip-bundle.pem`,
        mediaType: 'application/x-pem-file',
        data: text.toString('base64'),
      };
    } finally {
      text.fill(0);
    }
  }

  /** Revokes a client: a running server refuses it from now on and closes its open connections. */
  async revoke(name: string): Promise<ServerStatus> {
    this.#session.vault();
    try {
      await (await this.#control()).revoke(name, this.#session.identity);
    } finally {
      this.#clients = undefined;
    }
    return this.status();
  }

  async grant(name: string, uniqueIdentifier: string, operations: string[]): Promise<ServerStatus> {
    this.#session.vault();
    try {
      await (await this.#control()).grant(name, uniqueIdentifier, operations, this.#session.identity);
    } finally {
      this.#clients = undefined;
    }
    return this.status();
  }

  async ungrant(name: string, uniqueIdentifier: string): Promise<ServerStatus> {
    this.#session.vault();
    try {
      await (await this.#control()).ungrant(name, uniqueIdentifier, this.#session.identity);
    } finally {
      this.#clients = undefined;
    }
    return this.status();
  }

  /**
   * Sets (or with `undefined` clears) the Credential client `name` must send besides its
   * certificate; a running server checks the next request against it.
   */
  async setCredential(name: string, input: CredentialInput | undefined): Promise<ServerStatus> {
    this.#session.vault();
    const credential = input ? await hashed(input) : undefined;
    try {
      await (await this.#control()).setCredential(name, credential, this.#session.identity);
    } finally {
      this.#clients = undefined;
    }
    return this.status();
  }

  handlers(): Handlers {
    return {
      'server.status': () => this.status(),
      'server.start': ({ address, port }) => this.start(address, port),
      'server.stop': () => this.stop(),
      'server.enroll': ({ name, includePrivateKey, admin, credential }) =>
        this.enroll(name, includePrivateKey, admin === true, credential),
      'server.revoke': ({ name }) => this.revoke(name),
      'server.grant': ({ name, uniqueIdentifier, operations }) => this.grant(name, uniqueIdentifier, operations ?? []),
      'server.ungrant': ({ name, uniqueIdentifier }) => this.ungrant(name, uniqueIdentifier),
      'server.setCredential': ({ name, credential }) => this.setCredential(name, credential),
      'server.clearCredential': ({ name }) => this.setCredential(name, undefined),
    };
  }

  close(): Promise<ServerStatus> {
    return this.stop();
  }
}
