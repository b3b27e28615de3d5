// Builders from keys/certificates to vault objects, stored in a real SQLCipher vault and read back.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  certificateObject,
  generateKeyPair,
  generateSymmetricKey,
  keyObjectOf,
  keyPairObjects,
  linkedIds,
  secretBytesOf,
  selfSign,
  symmetricKeyObject,
  USAGE_MASK,
} from '../../main/crypto/index.js';
import { Vault } from '../../main/vault/index.js';

let dir: string;
let vault: Vault;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'keyhold-objects-'));
  vault = await Vault.create(path.join(dir, 'vault'), {
    unlock: { kind: 'passphrase', passphrase: Buffer.from('pw') },
    sealOptions: { argon2: { memoryKiB: 64, iterations: 1, parallelism: 1 } },
  });
});

afterAll(async () => {
  await vault.lock();
  rmSync(dir, { recursive: true, force: true });
});

describe('vault objects from crypto', () => {
  it('a symmetric key: Raw material, algorithm, length, usage mask, digest, fresh, name', async () => {
    const bytes = generateSymmetricKey('AES', 256);
    const uid = await vault.insert(symmetricKeyObject(bytes, 'AES', { name: 'k1' }), 'test', 'Create');
    const o = await vault.getObjectForUse(uid, 'test');
    expect(o.keyBlock?.keyFormatType).toBe('Raw');
    expect(o.attributes['CryptographicAlgorithm']).toEqual(['AES']);
    expect(o.attributes['CryptographicLength']).toEqual([256]);
    expect(o.attributes['CryptographicUsageMask']).toEqual([
      USAGE_MASK.Encrypt | USAGE_MASK.Decrypt | USAGE_MASK.WrapKey | USAGE_MASK.UnwrapKey,
    ]);
    expect(o.attributes['Fresh']).toEqual([true]);
    expect(o.attributes['Name']).toEqual([{ NameValue: 'k1', NameType: 'UninterpretedTextString' }]);
    expect((o.attributes['Digest']?.[0] as { HashingAlgorithm: string }).HashingAlgorithm).toBe('SHA_256');
    expect(secretBytesOf(o).equals(bytes)).toBe(true);
    expect(o.attributes['State']).toEqual(['PreActive']);
  });

  it('a key pair and its certificate are linked all ways and read back as the same keys', async () => {
    const pair = await generateKeyPair({ algorithm: 'EC', curve: 'P-384' });
    const [priv, pub] = keyPairObjects(pair.privateKey, { name: 'ec', activationDate: new Date(Date.now() - 1000) });
    const der = await selfSign(pair.privateKey, 'CN=ec', { profile: 'tls-client' });
    const cert = certificateObject(der, { publicKeyId: pub.uniqueIdentifier });
    priv.attributes['Link']!.push({ LinkType: 'CertificateLink', LinkedObjectIdentifier: cert.uniqueIdentifier });
    pub.attributes['Link']!.push({ LinkType: 'CertificateLink', LinkedObjectIdentifier: cert.uniqueIdentifier });
    const [pid, qid, cid] = await vault.insertMany([priv, pub, cert], 'test', 'CreateKeyPair');
    const p = await vault.getObjectForUse(pid!, 'test');
    const q = await vault.getObjectForUse(qid!, 'test');
    const c = await vault.getObjectForUse(cid!, 'test');
    expect(p.keyBlock?.keyFormatType).toBe('PKCS_8');
    expect(q.keyBlock?.keyFormatType).toBe('X_509');
    expect(p.attributes['State']).toEqual(['Active']);
    expect(p.attributes['CryptographicAlgorithm']).toEqual(['EC']);
    expect(p.attributes['CryptographicLength']).toEqual([384]);
    expect(p.attributes['CryptographicDomainParameters']).toEqual([{ RecommendedCurve: 'P_384' }]);
    expect(linkedIds(p, 'PublicKeyLink')).toEqual([qid]);
    expect(linkedIds(q, 'PrivateKeyLink')).toEqual([pid]);
    expect(linkedIds(c, 'PublicKeyLink')).toEqual([qid]);
    expect(linkedIds(p, 'CertificateLink')).toEqual([cid]);
    expect(c.valueType).toBe('X_509');
    expect(c.attributes['CertificateType']).toEqual(['X_509']);
    expect(c.attributes['CertificateLength']).toEqual([der.length]);
    expect(keyObjectOf(p).equals(pair.privateKey)).toBe(true);
    expect(keyObjectOf(q).equals(pair.publicKey)).toBe(true);
  });

  it('an RSA private key in PKCS#1 when asked; Ed25519 keys describe themselves', async () => {
    const rsa = await generateKeyPair({ algorithm: 'RSA', length: 2048 });
    const [priv] = keyPairObjects(rsa.privateKey, { privateKeyFormat: 'PKCS_1' });
    expect(priv.keyBlock?.keyFormatType).toBe('PKCS_1');
    expect(keyObjectOf({ ...priv, uniqueIdentifier: priv.uniqueIdentifier }).equals(rsa.privateKey)).toBe(true);
    const ed = await generateKeyPair({ algorithm: 'Ed25519' });
    const [edPriv, edPub] = keyPairObjects(ed.privateKey);
    expect(edPriv.attributes['CryptographicAlgorithm']).toEqual(['Ed25519']);
    expect(edPriv.attributes['CryptographicUsageMask']).toEqual([USAGE_MASK.Sign]);
    expect(edPub.attributes['CryptographicUsageMask']).toEqual([USAGE_MASK.Verify]);
  });
});
