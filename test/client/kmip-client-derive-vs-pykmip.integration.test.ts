import { createHash, createHmac, pbkdf2Sync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KmipClient } from '../../main/client/kmip-client.js';
import { connectToPyKmipServer, type PyKmipPeer } from '../interop/support/pykmip-server.js';

const DERIVE = 0x200;

/** SP 800-108 counter mode as PyKMIP's server computes it: [i]_32 || Derivation Data, no [L]. */
function counterWithoutL(key: Buffer, data: Buffer, length: number): Buffer {
  const blocks: Buffer[] = [];
  for (let i = 1; blocks.length * 32 < length; i++) {
    const counter = Buffer.alloc(4);
    counter.writeUInt32BE(i);
    blocks.push(createHmac('sha256', key).update(counter).update(data).digest());
  }
  return Buffer.concat(blocks).subarray(0, length);
}

describe('Keyhold KmipClient.deriveKey against pykmip-server', () => {
  let peer: PyKmipPeer | undefined;
  let client: KmipClient;
  beforeAll(async () => {
    peer = await connectToPyKmipServer();
    client = peer.client;
  }, 90_000);
  afterAll(async () => {
    await peer?.close();
  });

  it('PBKDF2 and HASH agree with node:crypto; PyKMIP computes NIST800-108-C without [L]', async () => {
    const pw = await client.registerKey('SecretData', Buffer.from('password'), { CryptographicUsageMask: [DERIVE] });
    await client.activate(pw);
    const pb = await client.deriveKey({
      objectType: 'SymmetricKey',
      baseIdentifiers: [pw],
      method: 'PBKDF2',
      parameters: { HashingAlgorithm: 'SHA_256' },
      salt: Buffer.from('NaCl'),
      iterationCount: 1000,
      attributes: { CryptographicAlgorithm: ['AES'], CryptographicLength: [256] },
    });
    expect(Buffer.from((await client.get(pb)).keyMaterial as Uint8Array)).toEqual(
      pbkdf2Sync('password', 'NaCl', 1000, 32, 'sha256'),
    );

    const key = Buffer.alloc(32, 0x0b);
    const k = await client.registerKey('SymmetricKey', key, { CryptographicUsageMask: [DERIVE] }, 'HMAC_SHA256');
    await client.activate(k);
    const hashed = await client.deriveKey({
      objectType: 'SymmetricKey',
      baseIdentifiers: [k],
      method: 'HASH',
      parameters: { HashingAlgorithm: 'SHA_256' },
      attributes: { CryptographicAlgorithm: ['AES'], CryptographicLength: [256] },
    });
    expect(Buffer.from((await client.get(hashed)).keyMaterial as Uint8Array)).toEqual(
      createHash('sha256').update(key).digest(),
    );

    const data = Buffer.from('label\0context');
    const kb = await client.deriveKey({
      objectType: 'SymmetricKey',
      baseIdentifiers: [k],
      method: 'NIST800_108_C',
      parameters: { HashingAlgorithm: 'SHA_256' },
      derivationData: data,
      attributes: { CryptographicAlgorithm: ['AES'], CryptographicLength: [256] },
    });
    // Keyhold appends [L]_32 as SP 800-108 specifies; PyKMIP uses the Derivation Data alone.
    expect(Buffer.from((await client.get(kb)).keyMaterial as Uint8Array)).toEqual(counterWithoutL(key, data, 32));
  }, 90_000);
});
