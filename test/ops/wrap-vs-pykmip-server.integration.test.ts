import { createDecipheriv } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KmipClient } from '../../main/client/kmip-client.js';
import { connectToPyKmipServer, type PyKmipPeer } from '../interop/support/pykmip-server.js';

/**
 * Keyhold's client asks pykmip-server for a wrapped key. PyKMIP answers with the wrapped bytes
 * inside Key Material (a Structure) rather than a Byte String Key Value; the client reads both.
 */
describe('Keyhold KmipClient.getWrapped against pykmip-server', () => {
  let peer: PyKmipPeer | undefined;
  let client: KmipClient;
  beforeAll(async () => {
    peer = await connectToPyKmipServer();
    client = peer.client;
  }, 60_000);
  afterAll(async () => {
    await peer?.close();
  });

  it('gets an AES key wrapped with NIST Key Wrap that unwraps to the key', async () => {
    const kek = await client.create('SymmetricKey', {
      CryptographicAlgorithm: ['AES'],
      CryptographicLength: [256],
      CryptographicUsageMask: [0x10 | 0x20],
    });
    await client.activate(kek);
    const key = await client.create('SymmetricKey', {
      CryptographicAlgorithm: ['AES'],
      CryptographicLength: [256],
      CryptographicUsageMask: [0x04 | 0x08],
    });
    const wrapped = await client.getWrapped(key, {
      wrappingKey: kek,
      parameters: { BlockCipherMode: 'NISTKeyWrap' },
      encoding: 'NoEncoding',
    });
    const kekBytes = (await client.get(kek)).keyMaterial as Uint8Array;
    const d = createDecipheriv('id-aes256-wrap', kekBytes, Buffer.from('a6a6a6a6a6a6a6a6', 'hex'));
    const plain = Buffer.concat([d.update(wrapped.wrappedKey as Uint8Array), d.final()]);
    expect(plain.equals(Buffer.from((await client.get(key)).keyMaterial as Uint8Array))).toBe(true);
  });
});
