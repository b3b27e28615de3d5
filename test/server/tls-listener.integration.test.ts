import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeyholdError } from '../../shared/errors.js';
import { KmipConnection } from '../../main/client/connection.js';
import { KmipTlsListener, type PeerContext } from '../../main/server/tls-listener.js';
import { makeTestPki, pem, type TestPki } from '../interop/support/certs.js';

/** A minimal TTLV Structure: tag 0x420078 (Request Message) holding one Text String (tag 0x420094). */
function message(text: string): Buffer {
  const value = Buffer.from(text, 'utf8');
  const padded = Math.ceil(value.length / 8) * 8;
  const inner = Buffer.alloc(8 + padded);
  inner.writeUIntBE(0x420094, 0, 3);
  inner[3] = 0x07;
  inner.writeUInt32BE(value.length, 4);
  value.copy(inner, 8);
  const outer = Buffer.alloc(8);
  outer.writeUIntBE(0x420078, 0, 3);
  outer[3] = 0x01;
  outer.writeUInt32BE(inner.length, 4);
  return Buffer.concat([outer, inner]);
}

function textOf(frame: Buffer): string {
  return frame.subarray(16, 16 + frame.readUInt32BE(12)).toString('utf8');
}

describe('KMIP TLS listener', () => {
  let pki: TestPki;
  let listener: KmipTlsListener;
  let port: number;
  const seen: PeerContext[] = [];
  let release: (() => void) | undefined;

  beforeAll(async () => {
    pki = makeTestPki();
    listener = new KmipTlsListener({
      host: '127.0.0.1',
      port: 0,
      cert: pem(pki.serverCert),
      key: pem(pki.serverKey),
      ca: pem(pki.caCert),
      limits: { maxMessageBytes: 4096 },
      handler: {
        async handle(request, peer) {
          seen.push(peer);
          const text = textOf(request);
          if (text === 'stall') await new Promise<void>((r) => (release = r));
          return message(`${peer.identity?.name}:${text}`);
        },
        malformed(error: KeyholdError) {
          return message(`error:${error.reason}`);
        },
      },
    });
    port = await listener.listen();
  });
  afterAll(async () => {
    await listener?.close();
    pki?.dispose();
  });

  const open = (name: string, extra: Partial<Parameters<typeof KmipConnection.open>[0]> = {}) => {
    const c = pki.client(name);
    return KmipConnection.open({
      host: '127.0.0.1',
      port,
      cert: pem(c.cert),
      key: pem(c.key),
      ca: pem(pki.caCert),
      ...extra,
    });
  };

  it('answers over TLS 1.3 and TLS 1.2 with the client certificate as identity', async () => {
    for (const v of ['TLSv1.3', 'TLSv1.2'] as const) {
      const c = await open('alice', { minVersion: v, maxVersion: v });
      expect(c.tlsVersion).toBe(v);
      expect(textOf(await c.request(message('hello')))).toBe('alice:hello');
      await c.close();
    }
  });

  it('refuses a client without a certificate (mutual TLS required by default)', async () => {
    const c = KmipConnection.open({ host: '127.0.0.1', port, ca: pem(pki.caCert), timeoutMs: 5000 }).then((conn) =>
      conn.request(message('x')),
    );
    await expect(c).rejects.toThrow();
  });

  it('refuses a certificate without the clientAuth EKU (PyKMIP #234, #361)', async () => {
    const c = pki.client('no-eku', { clientAuth: false });
    const conn = await KmipConnection.open({
      host: '127.0.0.1',
      port,
      cert: pem(c.cert),
      key: pem(c.key),
      ca: pem(pki.caCert),
      maxVersion: 'TLSv1.2',
    }).catch((e: unknown) => e);
    if (conn instanceof KmipConnection) await expect(conn.request(message('x'))).rejects.toThrow();
    else expect(conn).toBeInstanceOf(Error);
  });

  it('answers an oversized message with Invalid Message and closes only that connection', async () => {
    const bob = await open('bob');
    const carol = await open('carol');
    const huge = Buffer.alloc(8);
    huge.writeUIntBE(0x420078, 0, 3);
    huge[3] = 0x01;
    huge.writeUInt32BE(1_000_000, 4);
    expect(textOf(await bob.request(huge))).toBe('error:Invalid Message');
    expect(textOf(await carol.request(message('still here')))).toBe('carol:still here');
    await carol.close();
    await bob.close();
  });

  it('a client stalled in a request does not stall another client', async () => {
    const slow = await open('slow');
    const fast = await open('fast');
    const stalled = slow.request(message('stall'));
    await new Promise((r) => setTimeout(r, 50));
    expect(textOf(await fast.request(message('quick')))).toBe('fast:quick');
    release?.();
    expect(textOf(await stalled)).toBe('slow:stall');
    await slow.close();
    await fast.close();
  });

  it('a client that sends half a header does not stall another client', async () => {
    const c = pki.client('dribble');
    const raw = tls.connect({ host: '127.0.0.1', port, cert: pem(c.cert), key: pem(c.key), ca: pem(pki.caCert) });
    raw.on('error', () => undefined);
    await new Promise((r) => raw.once('secureConnect', r));
    raw.write(Buffer.from([0x42, 0x00]));
    const fast = await open('fast2');
    expect(textOf(await fast.request(message('ok')))).toBe('fast2:ok');
    raw.destroy();
    await fast.close();
  });

  it('offers TLS session resumption (session id context set; Veeam resumes sessions)', async () => {
    const c = pki.client('resumer');
    const base = {
      host: '127.0.0.1',
      port,
      cert: pem(c.cert),
      key: pem(c.key),
      ca: pem(pki.caCert),
      maxVersion: 'TLSv1.2' as const,
    };
    const first = tls.connect(base).on('error', () => undefined);
    const session = await new Promise<Buffer>((resolve) => first.once('session', resolve));
    first.end();
    const second = tls.connect({ ...base, session }).on('error', () => undefined);
    await new Promise((r) => second.once('secureConnect', r));
    expect(second.isSessionReused()).toBe(true);
    second.end();
  });
});
