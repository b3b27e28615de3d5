import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KmipHttpsTransport, type HttpsEncoding } from '../../main/client/https-transport.js';
import { formatResults, runTestCase } from '../../main/conformance/index.js';
import { httpsBodyCodecs } from '../../main/server/body-codecs.js';
import { createHttpsBinding } from '../../main/server/https-binding.js';
import type { KmipServer } from '../../main/server/kmip-server.js';
import { pem, type TestPki } from '../interop/support/certs.js';
import { startMemoryKmipServer } from '../support/memory-kmip-server.js';
import { mandatoryFiles } from './support.js';

/**
 * The message-encoding test cases (MSGENC-*) of 1.4 and 2.1 sent over the HTTPS binding, with
 * TTLV, XML and JSON bodies (Additional Message Encodings 1.0 sections 2, 4, 5), as
 * `keyhold conformance --https --encoding ...` sends them.
 */
describe('OASIS MSGENC test cases over the HTTPS binding', () => {
  let pki: TestPki;
  let server: KmipServer;
  let port: number;
  beforeAll(async () => {
    const holder: { s?: KmipServer } = {};
    const binding = createHttpsBinding(() => (holder.s as KmipServer).processor, httpsBodyCodecs);
    ({ pki, server, port } = await startMemoryKmipServer({
      http: (socket, first, peer) => binding.takeOver(socket, first, peer),
    }));
    holder.s = server;
  });
  afterAll(async () => {
    await server?.close();
    pki?.dispose();
  });

  const files = [...mandatoryFiles('v1.4'), ...mandatoryFiles('v2.1')].filter((f) => /MSGENC-/.test(f));

  it('finds the MSGENC files', () => {
    expect(files.length).toBe(6);
  });

  for (const encoding of ['ttlv', 'xml', 'json'] as const satisfies readonly HttpsEncoding[]) {
    it(`every MSGENC file passes over HTTPS with ${encoding} bodies`, async () => {
      const c = pki.client(`msgenc-${encoding}`);
      const results = [];
      for (const file of files) {
        results.push(
          await runTestCase(file, async () => {
            const t = KmipHttpsTransport.open({
              host: '127.0.0.1',
              port,
              cert: pem(c.cert),
              key: pem(c.key),
              ca: pem(pki.caCert),
              servername: 'localhost',
              encoding,
            });
            return { send: (b) => t.request(b), close: () => t.close() };
          }),
        );
      }
      process.stdout.write(`--- MSGENC over HTTPS (${encoding}) ---\n${formatResults(results)}`);
      expect(results.filter((r) => !r.passed)).toEqual([]);
    }, 120_000);
  }
});
