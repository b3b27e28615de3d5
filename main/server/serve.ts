import type { TokenKeyCrypto } from '../ops/context.js';
import type { Vault } from '../vault/index.js';
import { GrantTable } from './access.js';
import { KmipServer } from './kmip-server.js';
import type { ServerLimits } from './limits.js';
import { ensureServerPki, listClients } from './pki.js';
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
}

function normalSerial(s: string): string {
  return s.toUpperCase().replace(/^0+/, '');
}

/**
 * Starts the KMIP server over an unlocked vault: the server PKI (created on first start), the
 * enrolled clients (revoked ones refused at connect), admins, TTLV and the HTTPS binding on one port.
 */
export async function startVaultServer(
  vault: Vault,
  options: ServeOptions,
): Promise<{ server: KmipServer; created: boolean; caCertPem: string }> {
  const names = [...new Set([options.host, '127.0.0.1', 'localhost'])].filter((h) => h !== '0.0.0.0' && h !== '::');
  const pki = await ensureServerPki(vault, names);
  const clients = await listClients(vault);
  const active = new Set(clients.filter((c) => !c.revoked).map((c) => normalSerial(c.serialNumber)));
  const access = new GrantTable(clients.filter((c) => c.admin && !c.revoked).map((c) => c.name));
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
    access,
    limits: options.limits,
    isRevoked: (identity) => !active.has(normalSerial(identity.serialNumber)),
    http: (socket, first, peer) => binding.takeOver(socket, first, peer),
    ...(options.tokenCrypto ? { tokenCrypto: options.tokenCrypto } : {}),
  });
  holder.server = server;
  await server.listen();
  return { server, created: pki.created, caCertPem: pki.caCertPem };
}
