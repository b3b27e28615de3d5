import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KmipOperationError, type KmipClient } from '../../main/client/kmip-client.js';
import { connectToPyKmipServer, type PyKmipPeer } from '../interop/support/pykmip-server.js';

const ENCRYPT_DECRYPT = 0x04 | 0x08;

describe('Keyhold KmipClient against pykmip-server (TLS 1.2 only, INTEROP-NOTES 2 / PyKMIP #642)', () => {
  let peer: PyKmipPeer | undefined;
  let client: KmipClient;
  beforeAll(async () => {
    peer = await connectToPyKmipServer();
    client = peer.client;
  });
  afterAll(async () => {
    await peer?.close();
  });

  it('negotiates a version with Discover Versions', () => {
    expect(client.version.major).toBeGreaterThanOrEqual(1);
  });

  it('runs a symmetric key lifecycle: create, get, attributes, locate, activate, encrypt/decrypt, revoke, destroy', async () => {
    const name = `keyhold-${Date.now()}`;
    const uid = await client.create('SymmetricKey', {
      CryptographicAlgorithm: ['AES'],
      CryptographicLength: [256],
      CryptographicUsageMask: [ENCRYPT_DECRYPT],
      Name: [{ NameValue: name, NameType: 'UninterpretedTextString' }],
    });
    const got = await client.get(uid);
    expect(got.objectType).toBe('SymmetricKey');
    expect(got.keyMaterial?.length).toBe(32);
    const attrs = await client.getAttributes(uid, ['State', 'CryptographicAlgorithm', 'CryptographicLength']);
    expect(attrs.State).toEqual(['PreActive']);
    expect(attrs.CryptographicAlgorithm).toEqual(['AES']);
    expect(await client.locate({ Name: [{ NameValue: name, NameType: 'UninterpretedTextString' }] })).toEqual([uid]);
    await client.activate(uid);
    expect((await client.getAttributes(uid, ['State'])).State).toEqual(['Active']);
    const params = { CryptographicAlgorithm: 'AES', BlockCipherMode: 'CBC', PaddingMethod: 'PKCS5' };
    const iv = Buffer.alloc(16, 7);
    const enc = await client.encrypt(uid, Buffer.from('hello pykmip from keyhold'), params, iv);
    const dec = await client.decrypt(uid, enc.data, params, enc.iv ?? iv);
    expect(Buffer.from(dec).toString()).toBe('hello pykmip from keyhold');
    await client.revoke(uid, 'CessationOfOperation');
    await client.destroy(uid);
    await expect(client.get(uid)).rejects.toBeInstanceOf(KmipOperationError);
  });

  it('registers secret data and reads it back', async () => {
    const secret = Buffer.alloc(32, 0x5a);
    const uid = await client.registerKey('SecretData', secret, { CryptographicUsageMask: [0x02] });
    const got = await client.get(uid);
    expect(Buffer.from(got.keyMaterial ?? []).equals(secret)).toBe(true);
    await client.destroy(uid);
  });

  it('creates an RSA key pair and gets both halves', async () => {
    const pair = await client.createKeyPair(
      { CryptographicAlgorithm: ['RSA'], CryptographicLength: [2048] },
      { CryptographicUsageMask: [0x01] },
      { CryptographicUsageMask: [0x02] },
    );
    expect((await client.get(pair.privateKey)).objectType).toBe('PrivateKey');
    expect((await client.get(pair.publicKey)).objectType).toBe('PublicKey');
    await client.destroy(pair.publicKey);
    await client.destroy(pair.privateKey);
  });

  it('reports a failure as KmipOperationError with the Result Reason', async () => {
    const e = await client.get('no-such-object').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(KmipOperationError);
    expect((e as KmipOperationError).resultReason).toMatch(/ItemNotFound|PermissionDenied/);
  });
});
