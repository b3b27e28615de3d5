import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KmipClient } from '../../main/client/kmip-client.js';
import { MemoryObjectStore } from '../../main/ops/index.js';
import { findBytes, findEnum, t } from '../../main/ops/ttlv.js';
import { Tag } from '../../main/ops/vocabulary.js';
import type { KmipServer } from '../../main/server/kmip-server.js';
import { generateKey, openModule, withTokenSession, TokenCrypto } from '../../main/tokens/pkcs11/index.js';
import { tokenKeyReference } from '../../main/tokens/pkcs11/reference.js';
import type { ManagedObject } from '../../main/vault/model.js';
import { connectTestClient, startMemoryKmipServer } from '../support/memory-kmip-server.js';
import { SoftHsm } from '../tokens/softhsm.js';

const PIN = '1234';
const VALID = 1;
const INVALID = 2;

/** The KMIP server's Sign, Signature Verify, Encrypt and Decrypt on keys that stay on a SoftHSM2 token. */
describe('KMIP operations on token-backed keys', () => {
  let hsm: SoftHsm;
  let tokenDir: string;
  let server: KmipServer;
  let client: KmipClient;
  const store = new MemoryObjectStore();
  const ids = { aes: 'token-aes', signer: 'token-signer', verifier: 'token-verifier' };

  beforeAll(async () => {
    hsm = new SoftHsm();
    tokenDir = hsm.initToken('office', PIN, '87654321');
    const modules = [openModule(hsm.module)];
    const refs = await withTokenSession(modules, { label: 'office' }, { pin: PIN, readWrite: true }, (s) => {
      const [aes] = generateKey(s, { algorithm: 'AES', label: 'data key' });
      const pair = generateKey(s, { algorithm: 'EC', label: 'signer' });
      return {
        aes: tokenKeyReference(s.token, aes!, 'data key'),
        signer: tokenKeyReference(
          s.token,
          pair.find((o) => o.objectClass === 'PrivateKey')!,
          'signer',
        ),
        verifier: tokenKeyReference(
          s.token,
          pair.find((o) => o.objectClass === 'PublicKey')!,
          'signer',
        ),
      };
    });
    for (const [k, ref] of Object.entries(refs) as [keyof typeof ids, Omit<ManagedObject, 'uniqueIdentifier'>][]) {
      const obj: ManagedObject = {
        ...ref,
        uniqueIdentifier: ids[k],
        owner: 'alice',
        attributes: { ...ref.attributes, State: ['Active'], UniqueIdentifier: [ids[k]] },
      };
      await store.put(obj, 'alice');
    }
    const started = await startMemoryKmipServer({
      store,
      tokenCrypto: new TokenCrypto(modules, { pin: async () => PIN }),
    });
    server = started.server;
    client = await connectTestClient(started, 'alice');
  });

  afterAll(async () => {
    await client?.close();
    await server?.close();
    hsm?.dispose();
  });

  it('encrypts and decrypts with an AES key that never leaves the token (CBC, server-chosen IV)', async () => {
    const params = { CryptographicAlgorithm: 'AES', BlockCipherMode: 'CBC', PaddingMethod: 'PKCS5' };
    const plain = Buffer.from('the November payroll file');
    const sealed = await client.encrypt(ids.aes, plain, params);
    expect(sealed.iv).toHaveLength(16);
    expect(Buffer.from(sealed.data).includes(plain)).toBe(false);
    expect(Buffer.from(await client.decrypt(ids.aes, sealed.data, params, sealed.iv)).toString()).toBe(
      'the November payroll file',
    );
  });

  it('signs on the token and verifies there: a changed message is Invalid', async () => {
    const data = Buffer.from('release 4.2 manifest');
    const signed = await client.call('Sign', [
      t.text(Tag.UniqueIdentifier, ids.signer),
      t.struct(Tag.CryptographicParameters, [t.enm(Tag.HashingAlgorithm, 4)]),
      t.bytes(Tag.Data, data),
    ]);
    const signature = findBytes(signed, Tag.SignatureData)!;
    expect(signature.length).toBeGreaterThan(60);
    const verify = async (message: Buffer) =>
      findEnum(
        await client.call('SignatureVerify', [
          t.text(Tag.UniqueIdentifier, ids.verifier),
          t.struct(Tag.CryptographicParameters, [t.enm(Tag.HashingAlgorithm, 4)]),
          t.bytes(Tag.Data, message),
          t.bytes(Tag.SignatureData, signature),
        ]),
        Tag.ValidityIndicator,
      );
    expect(await verify(data)).toBe(VALID);
    expect(await verify(Buffer.from('release 4.3 manifest'))).toBe(INVALID);
  });

  it('a removed token fails the operation with a clear error; the server goes on', async () => {
    hsm.removeToken(tokenDir);
    await expect(client.encrypt(ids.aes, Buffer.from('x'), { BlockCipherMode: 'CBC' })).rejects.toThrow(/token/i);
    hsm.reinsertToken(tokenDir);
    const again = await client.encrypt(ids.aes, Buffer.from('again'), { BlockCipherMode: 'CBC' });
    expect(again.data).toHaveLength(16);
  });
});
