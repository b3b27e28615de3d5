import { X509Certificate } from 'node:crypto';
import { KeyholdError, isKeyholdError } from '../../shared/errors.js';
import type { Vault } from '../vault/index.js';
import { GrantTable, operationList, type Grant } from './access.js';
import { loadGrants, ownerOf, saveGrants } from './control-grants.js';
import type { ControlRequest } from './control-protocol.js';
import type { ClientIdentity } from './identity.js';
import { credentialFromWire, saveClientCredential } from './control-credentials.js';
import { ClientCredentials, type StoredCredential } from './credentials.js';
import { clientCredentials, enrollClient, listClients, revokeClient, type EnrolledClient } from './pki.js';
import type { PeerContext } from './tls-listener.js';

/** What the engine needs from a running listener: closing a revoked client's connections. */
export interface ConnectionCloser {
  closeConnections(match: (peer: PeerContext) => boolean): number;
}

export interface ClientBundle {
  certPem: string;
  keyPem: string;
  caCertPem: string;
}

/** Who a change is audited under when the caller does not say. */
const DEFAULT_ACTOR = 'keyhold:server';

/** Who a change is audited under when it came through the control socket. */
export const CONTROL_SOCKET_ACTOR = 'local:control-socket';

/** Certificate serial numbers as hex without leading zeros, upper case (Node prints both ways). */
export function normalSerial(s: string): string {
  return s.toUpperCase().replace(/^0+/, '');
}

/**
 * Client administration for a running server, in-process: enroll, revoke, grant. The same
 * object answers the control socket (`keyhold clients ...` while `keyhold serve` runs) and the
 * desktop's server panel, so a change takes effect at once for the server it belongs to:
 * a new client may connect, a revoked one is refused and its open connections are closed.
 * Who may connect is decided per connection against the vault (the enrollment's State), not
 * from a list read at start.
 */
export class ServerControl {
  readonly access: GrantTable;
  /** The optional per-client Credentials, checked by the server (its Authenticator). */
  readonly credentials = new ClientCredentials();
  /** Enrollment record Unique Identifier by certificate serial (normalized). */
  private readonly records = new Map<string, string>();
  private servers = new Set<ConnectionCloser>();
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly vault: Vault,
    clients: EnrolledClient[],
    grants: Grant[],
    credentials: Map<string, StoredCredential>,
  ) {
    this.access = new GrantTable(
      clients.filter((c) => c.admin && !c.revoked).map((c) => c.name),
      grants,
    );
    for (const c of clients) this.records.set(normalSerial(c.serialNumber), c.uniqueIdentifier);
    for (const [name, credential] of credentials) this.credentials.set(name, credential);
  }

  /** Reads the enrolled clients and the grants from the vault. */
  static async load(vault: Vault): Promise<ServerControl> {
    return new ServerControl(vault, await listClients(vault), await loadGrants(vault), await clientCredentials(vault));
  }

  /** Connects a listener: revocations close its matching connections. */
  attach(server: ConnectionCloser): () => void {
    this.servers.add(server);
    return () => this.servers.delete(server);
  }

  /**
   * True unless the certificate is an enrolled client whose enrollment is still Active in the
   * vault: one indexed read per connection, so a revocation made a moment ago is seen.
   */
  async isRevoked(identity: ClientIdentity): Promise<boolean> {
    const uid = this.records.get(normalSerial(identity.serialNumber));
    if (uid === undefined) return true;
    try {
      const state = (await this.vault.getObject(uid)).attributes.State?.[0];
      return state !== 'Active' && state !== 'PreActive';
    } catch (e) {
      if (isKeyholdError(e) && e.code === 'not-found') return true;
      throw e;
    }
  }

  /**
   * Changes run one at a time: each is a read, a vault write and an update of the tables. Each
   * is audited under the name of whoever asked (the control socket, the desktop, the CLI), with
   * the client's name, besides the vault's own entries for the server's objects.
   */
  private serial<T>(actor: string, operation: string, detail: string, fn: () => Promise<T>): Promise<T> {
    const audited = async (): Promise<T> => {
      try {
        const out = await fn();
        await this.vault.appendAudit({ identity: actor, operation, result: 'Success', detail });
        return out;
      } catch (e) {
        const result = isKeyholdError(e) ? (e.reason ?? e.code) : 'internal';
        await this.vault.appendAudit({ identity: actor, operation, result, detail }).catch(() => undefined);
        throw e;
      }
    };
    const run = this.queue.then(audited, audited);
    this.queue = run.catch(() => undefined);
    return run;
  }

  listClients(): Promise<EnrolledClient[]> {
    return listClients(this.vault);
  }

  enroll(
    name: string,
    options: { admin?: boolean; credential?: StoredCredential } = {},
    actor = DEFAULT_ACTOR,
  ): Promise<ClientBundle> {
    const detail = `${name}${options.admin === true ? ' (admin)' : ''}${options.credential ? ' (credential required)' : ''}`;
    return this.serial(actor, 'EnrollClient', detail, async () => {
      const bundle = await enrollClient(this.vault, name, {
        admin: options.admin === true,
        ...(options.credential ? { credential: options.credential } : {}),
      });
      this.credentials.set(name, options.credential);
      const serial = normalSerial(new X509Certificate(bundle.certPem).serialNumber);
      const record = (await listClients(this.vault)).find((c) => normalSerial(c.serialNumber) === serial);
      if (record) this.records.set(serial, record.uniqueIdentifier);
      if (options.admin === true) this.access.addAdmin(name);
      return bundle;
    });
  }

  /** Revokes a client's enrollments and closes its open connections; returns how many were closed. */
  revoke(name: string, actor = DEFAULT_ACTOR): Promise<{ closedConnections: number }> {
    return this.serial(actor, 'RevokeClient', name, async () => {
      const before = (await listClients(this.vault)).filter((c) => c.name === name && !c.revoked);
      await revokeClient(this.vault, name);
      const serials = new Set(before.map((c) => normalSerial(c.serialNumber)));
      this.access.removeAdmin(name);
      this.credentials.set(name, undefined);
      let closedConnections = 0;
      for (const server of this.servers) {
        closedConnections += server.closeConnections(
          (peer) => peer.identity !== undefined && serials.has(normalSerial(peer.identity.serialNumber)),
        );
      }
      return { closedConnections };
    });
  }

  /**
   * Sets (or with `undefined` clears) the Credential an enrolled client must send besides its
   * certificate; the server checks the next request against it. Only the hash is stored.
   */
  setCredential(name: string, credential: StoredCredential | undefined, actor = DEFAULT_ACTOR): Promise<void> {
    const detail = credential ? `${name} set (username ${credential.username})` : `${name} cleared`;
    return this.serial(actor, 'SetClientCredential', detail, async () => {
      const active = (await listClients(this.vault)).filter((c) => c.name === name && !c.revoked);
      if (active.length === 0) throw new KeyholdError('not-found', `no enrolled client ${name}`);
      await saveClientCredential(
        this.vault,
        active.map((c) => c.uniqueIdentifier),
        credential,
      );
      this.credentials.set(name, credential);
    });
  }

  /** Opens an object another identity owns to an enrolled client, for every operation or those named. */
  grant(
    name: string,
    uniqueIdentifier: string,
    operations: readonly string[] = [],
    actor = DEFAULT_ACTOR,
  ): Promise<Grant> {
    const ops = operationList(operations);
    const detail = `${name} ${uniqueIdentifier} ${ops.length === 0 ? 'every operation' : ops.join(',')}`;
    return this.serial(actor, 'GrantObject', detail, async () => {
      const client = (await listClients(this.vault)).find((c) => c.name === name && !c.revoked);
      if (!client) throw new KeyholdError('not-found', `no enrolled client ${name}`);
      const owner = await ownerOf(this.vault, uniqueIdentifier);
      if (owner === name) throw new KeyholdError('invalid-argument', `${name} already owns ${uniqueIdentifier}`);
      const next = new GrantTable([], this.access.list());
      next.grant(uniqueIdentifier, name, ops);
      await saveGrants(this.vault, next.list());
      this.access.grant(uniqueIdentifier, name, ops);
      return { identity: name, uniqueIdentifier, operations: ops };
    });
  }

  /** Removes a grant; the next request of that client on the object is Permission Denied. */
  ungrant(name: string, uniqueIdentifier: string, actor = DEFAULT_ACTOR): Promise<void> {
    return this.serial(actor, 'UngrantObject', `${name} ${uniqueIdentifier}`, async () => {
      const next = new GrantTable([], this.access.list());
      if (!next.ungrant(uniqueIdentifier, name))
        throw new KeyholdError('not-found', `${name} has no grant on ${uniqueIdentifier}`);
      await saveGrants(this.vault, next.list());
      this.access.ungrant(uniqueIdentifier, name);
    });
  }

  grants(name?: string): Grant[] {
    return this.access.list(name);
  }
}

/** What `server.status` answers over the control socket. */
export interface ControlServerInfo {
  pid: number;
  host: string;
  port: number;
}

/** Answers one checked control request with the engine (the control socket's handler). */
export async function answerControl(
  control: ServerControl,
  request: ControlRequest,
  info: () => ControlServerInfo,
): Promise<unknown> {
  switch (request.method) {
    case 'server.status':
      return info();
    case 'clients.list':
      return control.listClients();
    case 'clients.enroll': {
      const credential = request.params.credential;
      return control.enroll(
        request.params.name,
        { admin: request.params.admin === true, ...(credential ? { credential: credentialFromWire(credential) } : {}) },
        CONTROL_SOCKET_ACTOR,
      );
    }
    case 'clients.password': {
      const credential = request.params.credential;
      await control.setCredential(
        request.params.name,
        credential ? credentialFromWire(credential) : undefined,
        CONTROL_SOCKET_ACTOR,
      );
      return {};
    }
    case 'clients.revoke':
      return control.revoke(request.params.name, CONTROL_SOCKET_ACTOR);
    case 'grants.list':
      return control.grants(request.params.name);
    case 'grants.add':
      return control.grant(
        request.params.name,
        request.params.uniqueIdentifier,
        request.params.operations ?? [],
        CONTROL_SOCKET_ACTOR,
      );
    case 'grants.remove':
      await control.ungrant(request.params.name, request.params.uniqueIdentifier, CONTROL_SOCKET_ACTOR);
      return {};
  }
}
