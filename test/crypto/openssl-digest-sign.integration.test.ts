// ECDSA on a pre-digested value runs openssl pkeyutl; openssl itself checks the signatures.
import { createHash, createPublicKey } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { exportPublicKey, generateKeyPair, signDigest, verifyDigest } from '../../main/crypto/index.js';
import { scratch } from './support/tools.js';

const s = scratch();
afterAll(() => s.remove());

describe('ECDSA with digested data', () => {
  it('openssl dgst -verify accepts what signDigest makes over the data, and rejects other data', async () => {
    for (const [curve, hash] of [
      ['P-256', 'sha256'],
      ['P-384', 'sha384'],
      ['P-521', 'sha512'],
    ] as const) {
      const { privateKey } = await generateKeyPair({ algorithm: 'EC', curve });
      const data = Buffer.from(`message on ${curve}`);
      s.write('data', data);
      s.write('other', 'something else');
      s.write('pub.pem', exportPublicKey(createPublicKey(privateKey), 'pem'));
      s.write('sig', signDigest(privateKey, { hash }, createHash(hash).update(data).digest()));
      expect(s.openssl('dgst', `-${hash}`, '-verify', 'pub.pem', '-signature', 'sig', 'data')).toMatch(/Verified OK/);
      expect(() => s.openssl('dgst', `-${hash}`, '-verify', 'pub.pem', '-signature', 'sig', 'other')).toThrow();
    }
  });
  it('verifyDigest accepts what openssl dgst -sign makes', async () => {
    const { privateKey } = await generateKeyPair({ algorithm: 'EC', curve: 'P-256' });
    s.write('key.pem', privateKey.export({ format: 'pem', type: 'pkcs8' }));
    s.write('data', 'signed by openssl');
    s.openssl('dgst', '-sha256', '-sign', 'key.pem', '-out', 'osig', 'data');
    const digest = createHash('sha256').update('signed by openssl').digest();
    const pub = createPublicKey(privateKey);
    expect(verifyDigest(pub, { hash: 'sha256' }, digest, s.read('osig'))).toBe(true);
    expect(verifyDigest(pub, { hash: 'sha256' }, Buffer.alloc(32, 1), s.read('osig'))).toBe(false);
    expect(verifyDigest(pub, { hash: 'sha256' }, digest, s.read('osig').subarray(0, 20))).toBe(false);
  });
});
