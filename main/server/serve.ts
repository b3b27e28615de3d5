import type { TokenKeyCrypto } from '../ops/context.js';
import type { Vault } from '../vault/index.js';
import { answerControl, ServerControl } from './control-engine.js';
import { ControlSocketServer, socketPathFits } from './control-socket.js';
import { KmipServer } from './kmip-server.js';
import type { ServerLimits } from './limits.js';
import { ensureServerPki } from './pki.js';
import { VaultObjectStore } from './vault-store.js';
import { createHttpsBinding } from './https-binding.js';
import { httpsBodyCodecs } from './body-codecs.js';

export interface ServeOptions {
  host: string;
  port: number;
  limits?: Partial<ServerLimits>;
  log?: (line: string) => void;
  /** Crypto on vault objects whose key stays on a PKCS#11 token. */
  tokenCrypto?: TokenKeyCrypto;
  /**
   * Path of the local control socket (control-socket.ts: controlSocketPath(vault folder)) to
   * open for `keyhold clients ...`; none when omitted (the desktop calls the engine in-process).
   */
  controlSocket?: string;
}

export interface RunningServer {
  server: KmipServer;
  /** Client administration of this server, in-process (enroll, revoke, grants). */
  control: ServerControl;
  /** The control socket, when one was asked for. */
  controlSocket: ControlSocketServer | undefined;
  created: boolean;
  caCertPem: string;
  /** Stops the KMIP listener and removes the control socket. */
  stop(): Promise<void>;
}

/**
 * Starts the KMIP server over an unlocked vault: the server PKI (created on first start), the
 * enrolled clients (checked at each connection against the vault), admins and grants, TTLV and
 * the HTTPS binding on one port, and optionally the local control socket.
 */
export async function startVaultServer(vault: Vault, options: ServeOptions): Promise<RunningServer> {
  const names = [...new Set([options.host, '127.0.0.1', 'localhost'])].filter((h) => h !== '0.0.0.0' && h !== '::');
  const pki = await ensureServerPki(vault, names);
  const control = await ServerControl.load(vault);
  const store = new VaultObjectStore(vault);
  const holder: { server?: KmipServer } = {};
  const binding = createHttpsBinding(() => (holder.server as KmipServer).processor, httpsBodyCodecs);
  const server = new KmipServer({
    host: options.host,
    port: options.port,
    cert: pki.certPem,
    key: pki.keyPem,
    ca: pki.caCertPem,
    store,
    access: control.access,
    limits: options.limits,
    isRevoked: (identity) => control.isRevoked(identity),
    authenticator: control.credentials,
    http: (socket, first, peer) => binding.takeOver(socket, first, peer),
    whenQuiet: () => vault.releaseIdleMemory(),
    ...(options.tokenCrypto ? { tokenCrypto: options.tokenCrypto } : {}),
  });
  holder.server = server;
  // The control socket first: a second server on the same vault stops here, before it binds a port.
  const socketPath = options.controlSocket;
  if (socketPath !== undefined && !socketPathFits(socketPath)) {
    options.log?.(
      `keyhold: no control socket: the vault's path is too long for one; stop the server to run keyhold clients`,
    );
  }
  const controlSocket =
    socketPath === undefined || !socketPathFits(socketPath)
      ? undefined
      : await ControlSocketServer.start(socketPath, (request) =>
          answerControl(control, request, () => ({ pid: process.pid, host: options.host, port: server.port })),
        );
  try {
    await server.listen();
  } catch (e) {
    await controlSocket?.close();
    throw e;
  }
  const detach = control.attach(server);
  return {
    server,
    control,
    controlSocket,
    created: pki.created,
    caCertPem: pki.caCertPem,
    stop: async () => {
      detach();
      await Promise.all([server.close(), controlSocket?.close()]);
    },
  };
}
