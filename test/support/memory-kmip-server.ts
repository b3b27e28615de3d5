import { KmipClient, type KmipClientOptions } from '../../main/client/kmip-client.js';
import { MemoryObjectStore } from '../../main/ops/index.js';
import { GrantTable } from '../../main/server/access.js';
import { KmipServer, type KmipServerOptions } from '../../main/server/kmip-server.js';
import { makeTestPki, pem, type TestPki } from '../interop/support/certs.js';

/**
 * Keyhold's KMIP server on 127.0.0.1 (any free port) over an in-memory store, with a throwaway
 * test PKI (server certificate, CA; `pki.client(name)` makes client certificates). Options
 * override the defaults (a store, token crypto, limits...).
 */
export async function startMemoryKmipServer(
  options: Partial<KmipServerOptions> = {},
): Promise<{ pki: TestPki; server: KmipServer; port: number }> {
  const pki = makeTestPki();
  const server = new KmipServer({
    host: '127.0.0.1',
    port: 0,
    cert: pem(pki.serverCert),
    key: pem(pki.serverKey),
    ca: pem(pki.caCert),
    store: new MemoryObjectStore(),
    access: new GrantTable(),
    ...options,
  });
  const port = await server.listen();
  return { pki, server, port };
}

/**
 * A KmipClient connected to a test server as `name` (a fresh client certificate from its PKI);
 * `options` add to or override the connection's (version, timeout...).
 */
export function connectTestClient(
  server: { pki: TestPki; port: number },
  name: string,
  options: Partial<KmipClientOptions> = {},
): Promise<KmipClient> {
  const identity = server.pki.client(name);
  return KmipClient.connect({
    host: '127.0.0.1',
    port: server.port,
    cert: pem(identity.cert),
    key: pem(identity.key),
    ca: pem(server.pki.caCert),
    ...options,
  });
}
