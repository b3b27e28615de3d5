// Known-answer tests for main/crypto primitives; each vector names its source.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  aesKeyUnwrap,
  aesKeyWrap,
  createSymmetricStream,
  decryptSymmetric,
  encryptSymmetric,
  exportKeyMaterial,
  generateKeyPair,
  generateSymmetricKey,
  hash,
  hkdf,
  hmac,
  hmacVerify,
  importKeyMaterial,
  pbkdf2Derive,
  rsaDecrypt,
  rsaEncrypt,
  sign,
  signDigest,
  unwrapKey,
  verify,
  verifyDigest,
  wrapKey,
} from '../../main/crypto/index.js';

const h = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('hashes', () => {
  it('SHA-1, SHA-256, SHA-512/256 and SHA3-256 of "abc" (FIPS 180-4 / FIPS 202 examples)', () => {
    const abc = Buffer.from('abc');
    expect(hex(hash('sha1', abc))).toBe('a9993e364706816aba3e25717850c26c9cd0d89d');
    expect(hex(hash('sha256', abc))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(hex(hash('sha3-256', abc))).toBe('3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532');
    expect(hex(hash('sha512-256', abc))).toBe('53048e2681941ef99b2e29b76b4c7dabe4c2d0c634fc6d46e0e2f13107e7af23');
  });
  it('refuses an unknown hash with an unsupported error', () => {
    expect(() => hash('whirlpool' as never, Buffer.alloc(1))).toThrow(expect.objectContaining({ code: 'unsupported' }));
  });
});

describe('HMAC, HKDF, PBKDF2', () => {
  it('HMAC-SHA-256 RFC 4231 test case 1', () => {
    const mac = hmac('sha256', Buffer.alloc(20, 0x0b), Buffer.from('Hi There'));
    expect(hex(mac)).toBe('b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7');
    expect(hmacVerify('sha256', Buffer.alloc(20, 0x0b), Buffer.from('Hi There'), mac)).toBe(true);
    mac[0]! ^= 1;
    expect(hmacVerify('sha256', Buffer.alloc(20, 0x0b), Buffer.from('Hi There'), mac)).toBe(false);
  });
  it('HKDF-SHA-256 RFC 5869 test case 1', () => {
    const okm = hkdf('sha256', Buffer.alloc(22, 0x0b), h('000102030405060708090a0b0c'), h('f0f1f2f3f4f5f6f7f8f9'), 42);
    expect(hex(okm)).toBe('3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865');
  });
  it('PBKDF2-HMAC-SHA1 RFC 6070 (c=1 and c=2)', () => {
    const p = Buffer.from('password');
    const s = Buffer.from('salt');
    expect(hex(pbkdf2Derive('sha1', p, s, 1, 20))).toBe('0c60c80f961f0e71f3a9b524af6012062fe037a6');
    expect(hex(pbkdf2Derive('sha1', p, s, 2, 20))).toBe('ea6c014dc72d6f8ccd1ed92ace1d41f0d8de8957');
  });
});

describe('AES and ChaCha20-Poly1305', () => {
  const key = h('2b7e151628aed2a6abf7158809cf4f3c');
  const block = h('6bc1bee22e409f96e93d7e117393172a');
  it('AES-128 ECB, FIPS 197 appendix C.1', () => {
    const r = encryptSymmetric(
      h('000102030405060708090a0b0c0d0e0f'),
      { algorithm: 'AES', mode: 'ECB', padding: 'None' },
      h('00112233445566778899aabbccddeeff'),
    );
    expect(hex(r.data)).toBe('69c4e0d86a7b0430d8cdb78070b4c55a');
  });
  it('AES-128 CBC without padding, SP 800-38A F.2.1', () => {
    const p = {
      algorithm: 'AES' as const,
      mode: 'CBC' as const,
      padding: 'None' as const,
      iv: h('000102030405060708090a0b0c0d0e0f'),
    };
    const r = encryptSymmetric(key, p, block);
    expect(hex(r.data)).toBe('7649abac8119b246cee98e9b12e9197d');
    expect(hex(decryptSymmetric(key, p, r.data))).toBe(hex(block));
  });
  it('AES-128 CBC with PKCS#5 padding adds a full block and round-trips', () => {
    const p = { algorithm: 'AES' as const, mode: 'CBC' as const, padding: 'PKCS5' as const, iv: Buffer.alloc(16) };
    const r = encryptSymmetric(key, p, block);
    expect(r.data.length).toBe(32);
    expect(hex(decryptSymmetric(key, p, r.data))).toBe(hex(block));
  });
  it('AES-128 CTR, SP 800-38A F.5.1', () => {
    const r = encryptSymmetric(
      key,
      { algorithm: 'AES', mode: 'CTR', iv: h('f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff') },
      block,
    );
    expect(hex(r.data)).toBe('874d6191b620e3261bef6864990db6ce');
  });
  it('AES-128 GCM with AAD, McGrew-Viega test case 4, and a wrong tag fails', () => {
    const k = h('feffe9928665731c6d6a8f9467308308');
    const p = h(
      `d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39`,
    );
    const params = {
      algorithm: 'AES' as const,
      mode: 'GCM' as const,
      iv: h('cafebabefacedbaddecaf888'),
      aad: h('feedfacedeadbeeffeedfacedeadbeefabaddad2'),
    };
    const r = encryptSymmetric(k, params, p);
    expect(hex(r.data)).toBe(
      '42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091',
    );
    expect(hex(r.tag!)).toBe('5bc94fbc3221a5db94fae95ae7121a47');
    const short = encryptSymmetric(k, { ...params, tagLength: 12 }, p);
    expect(hex(short.tag!)).toBe('5bc94fbc3221a5db94fae95a');
    const bad = Buffer.from(r.tag!);
    bad[0]! ^= 1;
    expect(() => decryptSymmetric(k, params, r.data, bad)).toThrow(expect.objectContaining({ code: 'crypto' }));
  });
  it('ChaCha20-Poly1305 AEAD, RFC 8439 section 2.8.2', () => {
    const k = h('808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f');
    const pt = Buffer.from(
      "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.",
    );
    const params = {
      algorithm: 'ChaCha20Poly1305' as const,
      iv: h('070000004041424344454647'),
      aad: h('50515253c0c1c2c3c4c5c6c7'),
    };
    const r = encryptSymmetric(k, params, pt);
    expect(hex(r.data)).toBe(
      'd31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d63dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b3692ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc3ff4def08e4b7a9de576d26586cec64b6116',
    );
    expect(hex(r.tag!)).toBe('1ae10b594f09e26a7e902ecbd0600691');
    expect(decryptSymmetric(k, params, r.data, r.tag).toString()).toBe(pt.toString());
  });
  it('multi-part GCM gives the same bytes as one-shot', () => {
    const k = generateSymmetricKey('AES', 256);
    const params = {
      algorithm: 'AES' as const,
      mode: 'GCM' as const,
      iv: Buffer.alloc(12, 7),
      aad: Buffer.from('hdr'),
    };
    const data = Buffer.alloc(1000, 0x5a);
    const one = encryptSymmetric(k, params, data);
    const s = createSymmetricStream(k, params, 'encrypt');
    const parts = [s.update(data.subarray(0, 333)), s.update(data.subarray(333))];
    const f = s.final();
    expect(hex(Buffer.concat([...parts, f.data]))).toBe(hex(one.data));
    expect(hex(f.tag!)).toBe(hex(one.tag!));
  });
  it('rejects a wrong key length, a missing IV, an unpadded partial block', () => {
    expect(() => encryptSymmetric(Buffer.alloc(17), { algorithm: 'AES', mode: 'CBC' }, Buffer.alloc(16))).toThrow(
      /AES key/,
    );
    expect(() => decryptSymmetric(Buffer.alloc(16), { algorithm: 'AES', mode: 'CBC' }, Buffer.alloc(16))).toThrow(/IV/);
    expect(() =>
      encryptSymmetric(Buffer.alloc(16), { algorithm: 'AES', mode: 'ECB', padding: 'None' }, Buffer.alloc(15)),
    ).toThrow(/multiple/);
  });
});

describe('key wrap', () => {
  it('AES Key Wrap, RFC 3394 section 4.1 (128-bit KEK, 128-bit key)', () => {
    const kek = h('000102030405060708090A0B0C0D0E0F');
    const w = aesKeyWrap(kek, h('00112233445566778899AABBCCDDEEFF'), false);
    expect(hex(w)).toBe('1fa68b0a8112b447aef34bd8fb5a7b829d3e862371d2cfe5');
    expect(hex(aesKeyUnwrap(kek, w, false))).toBe('00112233445566778899aabbccddeeff');
    w[3]! ^= 1;
    expect(() => aesKeyUnwrap(kek, w, false)).toThrow(expect.objectContaining({ code: 'crypto' }));
  });
  it('AES Key Wrap with Padding, RFC 5649 section 6 (20-byte and 7-byte keys)', () => {
    const kek = h('5840df6e29b02af1ab493b705bf16ea1ae8338f4dcc176a8');
    expect(hex(aesKeyWrap(kek, h('c37b7e6492584340bed12207808941155068f738'), true))).toBe(
      '138bdeaa9b8fa7fc61f97742e72248ee5ae6ae5360d1ae6a5f54f373fa543b6a',
    );
    expect(hex(aesKeyWrap(kek, h('466f7250617369'), true))).toBe('afbeb0f07dfbf5419200f2ccb50bb24f');
    expect(hex(aesKeyUnwrap(kek, h('afbeb0f07dfbf5419200f2ccb50bb24f'), true))).toBe('466f7250617369');
  });
  it('AES-GCM and RSA-OAEP wrapping round-trip as Key Wrapping Data describes', async () => {
    const kek = generateSymmetricKey('AES', 256);
    const key = generateSymmetricKey('AES', 128);
    const g = wrapKey(kek, { mode: 'GCM' }, key);
    expect(g.iv?.length).toBe(12);
    expect(hex(unwrapKey(kek, { mode: 'GCM' }, g.wrapped, g.iv))).toBe(hex(key));
    const { privateKey, publicKey } = await generateKeyPair({ algorithm: 'RSA', length: 2048 });
    const r = wrapKey(publicKey, { mode: 'OAEP', hash: 'sha256' }, key);
    expect(hex(unwrapKey(privateKey, { mode: 'OAEP', hash: 'sha256' }, r.wrapped))).toBe(hex(key));
  });
});

describe('RSA encryption', () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  it('PKCS#1 v1.5 decrypts what it encrypts despite Node refusing RSA_PKCS1_PADDING decryption', () => {
    const ct = rsaEncrypt(publicKey, { padding: 'PKCS1V1_5' }, Buffer.from('secret'));
    expect(rsaDecrypt(privateKey, { padding: 'PKCS1V1_5' }, ct).toString()).toBe('secret');
  });
  it('PKCS#1 v1.5 with a bad block answers a deterministic synthetic message (implicit rejection)', () => {
    const garbage = Buffer.alloc(256, 0x42);
    const a = rsaDecrypt(privateKey, { padding: 'PKCS1V1_5' }, garbage);
    const b = rsaDecrypt(privateKey, { padding: 'PKCS1V1_5' }, garbage);
    expect(hex(a)).toBe(hex(b));
  });
  it('OAEP with SHA-1, SHA-256 and a separate MGF1 hash round-trips', () => {
    for (const p of [
      { padding: 'OAEP' as const },
      { padding: 'OAEP' as const, hash: 'sha256' as const },
      { padding: 'OAEP' as const, hash: 'sha384' as const, mgf1Hash: 'sha256' as const },
    ]) {
      const ct = rsaEncrypt(publicKey, p, Buffer.from('k'));
      expect(rsaDecrypt(privateKey, p, ct).toString()).toBe('k');
    }
  });
});

describe('signatures', () => {
  it('Ed25519, RFC 8032 section 7.1 test 1', () => {
    const seed = h('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60');
    const key = importKeyMaterial('PrivateKey', 'Raw', seed, 'Ed25519');
    expect(hex(exportKeyMaterial(createPublicKey(key), 'Raw') as Uint8Array)).toBe(
      'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
    );
    const sig = sign(key, {}, Buffer.alloc(0));
    expect(hex(sig)).toBe(
      'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
    );
  });
  it('RSA PKCS#1 v1.5 and PSS, on data and on a digest, interchangeably', () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const data = Buffer.from('to be signed');
    const digest = createHash('sha256').update(data).digest();
    for (const padding of ['PKCS1V1_5', 'PSS'] as const) {
      const p = { hash: 'sha256' as const, padding };
      expect(verify(publicKey, p, data, signDigest(privateKey, p, digest))).toBe(true);
      expect(verifyDigest(publicKey, p, digest, sign(privateKey, p, data))).toBe(true);
      expect(verify(publicKey, p, Buffer.from('other'), sign(privateKey, p, data))).toBe(false);
    }
    // PKCS#1 v1.5 is deterministic: the digest path gives the same bytes.
    const p = { hash: 'sha256' as const };
    expect(hex(signDigest(privateKey, p, digest))).toBe(hex(sign(privateKey, p, data)));
  });
  it('ECDSA P-256/P-384/P-521 and Ed448 sign and verify; ECDSA on a digest interchanges with on data', async () => {
    for (const curve of ['P-256', 'P-384', 'P-521'] as const) {
      const { privateKey, publicKey } = await generateKeyPair({ algorithm: 'EC', curve });
      const sig = sign(privateKey, { hash: 'sha384' }, Buffer.from('x'));
      expect(verify(publicKey, { hash: 'sha384' }, Buffer.from('x'), sig)).toBe(true);
      const digest = createHash('sha384').update('x').digest();
      for (const dsaEncoding of ['der', 'ieee-p1363'] as const) {
        const p = { hash: 'sha384' as const, dsaEncoding };
        expect(verify(publicKey, p, Buffer.from('x'), signDigest(privateKey, p, digest))).toBe(true);
        expect(verifyDigest(publicKey, p, digest, sign(privateKey, p, Buffer.from('x')))).toBe(true);
        expect(verifyDigest(publicKey, p, Buffer.alloc(48), sign(privateKey, p, Buffer.from('x')))).toBe(false);
      }
      expect(() => signDigest(privateKey, { hash: 'sha256' }, Buffer.alloc(20))).toThrow(
        expect.objectContaining({ code: 'invalid-argument', message: expect.stringMatching(/32 bytes/) }),
      );
    }
    const ed25519 = await generateKeyPair({ algorithm: 'Ed25519' });
    expect(() => signDigest(ed25519.privateKey, {}, Buffer.alloc(64))).toThrow(
      expect.objectContaining({ code: 'unsupported', message: expect.stringMatching(/Ed25519ph/) }),
    );
    const ed = await generateKeyPair({ algorithm: 'Ed448' });
    expect(verify(ed.publicKey, {}, Buffer.from('y'), sign(ed.privateKey, {}, Buffer.from('y')))).toBe(true);
  });
});

describe('key material in KMIP key format types', () => {
  it('RSA round-trips PKCS_1, PKCS_8, X_509 and the transparent forms', async () => {
    const { privateKey, publicKey } = await generateKeyPair({ algorithm: 'RSA', length: 2048 });
    const want = hex(privateKey.export({ format: 'der', type: 'pkcs8' }));
    for (const f of ['PKCS_1', 'PKCS_8', 'TransparentRSAPrivateKey']) {
      const back = importKeyMaterial('PrivateKey', f, exportKeyMaterial(privateKey, f));
      expect(hex(back.export({ format: 'der', type: 'pkcs8' }))).toBe(want);
    }
    for (const f of ['PKCS_1', 'X_509', 'TransparentRSAPublicKey']) {
      const back = importKeyMaterial('PublicKey', f, exportKeyMaterial(publicKey, f));
      expect(back.equals(publicKey)).toBe(true);
    }
  });
  it('EC round-trips ECPrivateKey and the transparent EC forms; X25519 Raw', async () => {
    const { privateKey, publicKey } = await generateKeyPair({ algorithm: 'EC', curve: 'P-384' });
    for (const f of ['ECPrivateKey', 'TransparentECPrivateKey']) {
      const back = importKeyMaterial('PrivateKey', f, exportKeyMaterial(privateKey, f));
      expect(back.equals(privateKey)).toBe(true);
    }
    const pub = importKeyMaterial(
      'PublicKey',
      'TransparentECPublicKey',
      exportKeyMaterial(publicKey, 'TransparentECPublicKey'),
    );
    expect(pub.equals(publicKey)).toBe(true);
    const x = await generateKeyPair({ algorithm: 'X25519' });
    const raw = exportKeyMaterial(x.privateKey, 'Raw');
    expect(importKeyMaterial('PrivateKey', 'Raw', raw, 'ECDH', 'CURVE25519').equals(x.privateKey)).toBe(true);
  });
  it('truncated DER is a format error that names the format', () => {
    const der = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'der', type: 'pkcs8' });
    expect(() => importKeyMaterial('PrivateKey', 'PKCS_8', der.subarray(0, 40))).toThrow(
      expect.objectContaining({ code: 'format', message: expect.stringContaining('PKCS_8') }),
    );
    expect(createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }).asymmetricKeyType).toBe('ec');
  });
});

describe('Key Block wrapping as KMIP Key Wrapping Data describes', () => {
  it('wraps a symmetric key block with NISTKeyWrap and an RSA key block with RSA-OAEP, and unwraps both', async () => {
    const { wrapKeyBlock, unwrapKeyBlock } = await import('../../main/crypto/index.js');
    const kek = generateSymmetricKey('AES', 256);
    const key = generateSymmetricKey('AES', 128);
    const block = { keyFormatType: 'Raw', keyMaterial: key, cryptographicAlgorithm: 'AES', cryptographicLength: 128 };
    const wrapped = wrapKeyBlock(block, kek, 'kek-1', { mode: 'NISTKeyWrap' });
    expect(wrapped.keyWrappingData).toEqual({
      WrappingMethod: 'Encrypt',
      EncryptionKeyInformation: {
        UniqueIdentifier: 'kek-1',
        CryptographicParameters: { BlockCipherMode: 'NISTKeyWrap' },
      },
      EncodingOption: 'NoEncoding',
    });
    expect(wrapped.keyMaterial.length).toBe(24);
    expect(hex(unwrapKeyBlock(wrapped, kek, { mode: 'NISTKeyWrap' }).keyMaterial)).toBe(hex(key));
    const rsa = await generateKeyPair({ algorithm: 'RSA', length: 2048 });
    const g = wrapKeyBlock(block, rsa.publicKey, 'rsa-1', { mode: 'OAEP', hash: 'sha256' });
    expect(g.keyWrappingData.EncryptionKeyInformation.CryptographicParameters).toEqual({
      PaddingMethod: 'OAEP',
      HashingAlgorithm: 'SHA_256',
    });
    expect(hex(unwrapKeyBlock(g, rsa.privateKey, { mode: 'OAEP', hash: 'sha256' }).keyMaterial)).toBe(hex(key));
    const gcm = wrapKeyBlock(block, kek, 'kek-1', { mode: 'GCM' });
    expect(gcm.keyWrappingData.IVCounterNonce?.length).toBe(12);
    expect(hex(unwrapKeyBlock(gcm, kek, { mode: 'GCM' }).keyMaterial)).toBe(hex(key));
    expect(() => unwrapKeyBlock(wrapped, generateSymmetricKey('AES', 256), { mode: 'NISTKeyWrap' })).toThrow(
      /integrity/,
    );
  });
});
