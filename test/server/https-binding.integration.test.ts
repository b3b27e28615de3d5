import https from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryObjectStore } from '../../main/ops/index.js';
import { GrantTable } from '../../main/server/access.js';
import { httpsBodyCodecs } from '../../main/server/body-codecs.js';
import { createHttpsBinding } from '../../main/server/https-binding.js';
import { KmipServer } from '../../main/server/kmip-server.js';
import { makeTestPki, pem, type TestPki } from '../interop/support/certs.js';

const xmlQuery = `<RequestMessage><RequestHeader><ProtocolVersion><ProtocolVersionMajor type="Integer" value="1"/><ProtocolVersionMinor type="Integer" value="4"/></ProtocolVersion><BatchCount type="Integer" value="1"/></RequestHeader><BatchItem><Operation type="Enumeration" value="Query"/><RequestPayload><QueryFunction type="Enumeration" value="QueryObjects"/></RequestPayload></BatchItem></RequestMessage>`;

describe('HTTPS binding with XML and JSON bodies (Additional Message Encodings 1.0 section 2)', () => {
  let pki: TestPki;
  let server: KmipServer;
  let port: number;
  beforeAll(async () => {
    pki = makeTestPki();
    const holder: { s?: KmipServer } = {};
    const binding = createHttpsBinding(() => (holder.s as KmipServer).processor, httpsBodyCodecs);
    server = new KmipServer({
      host: '127.0.0.1',
      port: 0,
      cert: pem(pki.serverCert),
      key: pem(pki.serverKey),
      ca: pem(pki.caCert),
      store: new MemoryObjectStore(),
      access: new GrantTable(),
      http: (socket, first, peer) => binding.takeOver(socket, first, peer),
    });
    holder.s = server;
    port = await server.listen();
  });
  afterAll(async () => {
    await server?.close();
    pki?.dispose();
  });

  const post = (type: string, body: string) => {
    const c = pki.client('web');
    return new Promise<{ status: number; type: string; body: string }>((resolve, reject) => {
      const req = https.request(
        {
          host: '127.0.0.1',
          port,
          path: '/kmip',
          method: 'POST',
          cert: pem(c.cert),
          key: pem(c.key),
          ca: pem(pki.caCert),
          headers: { 'Content-Type': type, 'Cache-Control': 'no-cache' },
        },
        (r) => {
          let text = '';
          r.on('data', (d: Buffer) => (text += d.toString()));
          r.on('end', () =>
            resolve({ status: r.statusCode ?? 0, type: String(r.headers['content-type']), body: text }),
          );
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  };

  it('answers an XML request in XML', async () => {
    const r = await post('text/xml', xmlQuery);
    expect(r.status).toBe(200);
    expect(r.type).toBe('text/xml');
    expect(r.body).toContain('<ResultStatus type="Enumeration" value="Success"/>');
    expect(r.body).toContain('value="SymmetricKey"');
  });

  it('answers a JSON request in JSON', async () => {
    const json = httpsBodyCodecs['application/json']!.encode(
      httpsBodyCodecs['text/xml']!.decode(Buffer.from(xmlQuery)),
    ).toString();
    const r = await post('application/json', json);
    expect(r.status).toBe(200);
    expect(r.type).toBe('application/json');
    expect(r.body).toContain('"Success"');
  });

  it('answers unreadable XML with a KMIP Invalid Message response', async () => {
    const r = await post('text/xml', '<RequestMessage><oops');
    expect(r.status).toBe(200);
    expect(r.body).toContain('InvalidMessage');
  });
});
