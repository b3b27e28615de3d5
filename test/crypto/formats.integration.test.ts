// Every file format both ways against real peers: openssl (and ssh-keygen for OpenSSH) reads
// what Keyhold writes, and Keyhold reads what they write.
import { chmodSync } from 'node:fs';
import { createCipheriv, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  exportJwk,
  exportPrivateKey,
  exportPublicKey,
  generateKeyPair,
  jwkThumbprint,
  readAny,
  readJwks,
  readOpenSshPrivateKey,
  readOpenSshPublicKey,
  readPkcs12,
  readPkcs7,
  readPrivateKey,
  selfSign,
  signCsr,
  createCsr,
  readCsr,
  writeOpenSshPrivateKey,
  writeOpenSshPublicKey,
  writePkcs12,
  writePkcs7,
} from '../../main/crypto/index.js';
import { pem, scratch } from './support/tools.js';

const s = scratch();
afterAll(() => s.remove());

const spki = (k: KeyObject): string =>
  (k.type === 'public' ? k : createPublicKey(k)).export({ format: 'der', type: 'spki' }).toString('hex');
const opensslSpki = (file: string, ...args: string[]): string =>
  Buffer.from(
    s.openssl('pkey', '-in', file, ...args, '-pubout', '-outform', 'PEM').replace(/-----[A-Z ]+-----|\s/g, ''),
    'base64',
  ).toString('hex');

let chain: { root: Buffer; leaf: Buffer; leafKey: KeyObject };

beforeAll(async () => {
  const root = await generateKeyPair({ algorithm: 'EC', curve: 'P-256' });
  const rootCert = await selfSign(root.privateKey, 'CN=Formats Root', { profile: 'ca' });
  const leaf = await generateKeyPair({ algorithm: 'RSA', length: 2048 });
  const leafCert = await signCsr(
    { certificate: rootCert, privateKey: root.privateKey },
    await readCsr(await createCsr({ privateKey: leaf.privateKey, subject: 'CN=leaf.test' })),
    {
      profile: 'tls-client',
    },
  );
  chain = { root: rootCert, leaf: leafCert, leafKey: leaf.privateKey };
  s.write('root.pem', pem('CERTIFICATE', rootCert));
  s.write('leaf.pem', pem('CERTIFICATE', leafCert));
  s.write('leaf.key', exportPrivateKey(leaf.privateKey, { encoding: 'pem' }));
});

describe('PKCS#8, PKCS#1, SEC1 and SubjectPublicKeyInfo', () => {
  it('openssl reads Keyhold keys: PKCS#8 PEM/DER, PBES2-encrypted PKCS#8, PKCS#1, SPKI', async () => {
    for (const spec of [
      { algorithm: 'RSA', length: 2048 },
      { algorithm: 'EC', curve: 'P-521' },
      { algorithm: 'Ed25519' },
    ] as const) {
      const { privateKey } = await generateKeyPair(spec);
      s.write('k.pem', exportPrivateKey(privateKey, { encoding: 'pem' }));
      s.write('k.der', exportPrivateKey(privateKey, { encoding: 'der' }));
      s.write('k.enc.pem', exportPrivateKey(privateKey, { encoding: 'pem', password: 'correct horse' }));
      s.write('pub.pem', exportPublicKey(privateKey, 'pem'));
      expect(opensslSpki('k.pem')).toBe(spki(privateKey));
      expect(opensslSpki('k.der', '-inform', 'DER')).toBe(spki(privateKey));
      expect(opensslSpki('k.enc.pem', '-passin', 'pass:correct horse')).toBe(spki(privateKey));
      expect(s.openssl('asn1parse', '-in', 'k.enc.pem')).toMatch(/PBES2[\s\S]*PBKDF2[\s\S]*aes-256-cbc/);
      expect(s.openssl('pkey', '-pubin', '-in', 'pub.pem', '-noout', '-text_pub')).toBeTruthy();
    }
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    s.write('rsa1.pem', exportPrivateKey(rsa, { encoding: 'pem', type: 'pkcs1' }));
    expect(s.read('rsa1.pem').toString()).toContain('BEGIN RSA PRIVATE KEY');
    expect(s.openssl('rsa', '-in', 'rsa1.pem', '-check', '-noout')).toContain('RSA key ok');
  });

  it('Keyhold reads openssl keys: PKCS#8, encrypted PKCS#8 (PBES2 and legacy 3DES PBE), PKCS#1, SEC1, DER', () => {
    s.openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384', '-out', 'o.pem');
    s.openssl('pkcs8', '-topk8', '-in', 'o.pem', '-v2', 'aes-256-cbc', '-passout', 'pass:pw', '-out', 'o.p8e.pem');
    s.openssl('pkcs8', '-topk8', '-in', 'o.pem', '-v1', 'PBE-SHA1-3DES', '-passout', 'pass:pw', '-out', 'o.p8l.pem');
    s.openssl('ec', '-in', 'o.pem', '-out', 'o.sec1.pem');
    s.openssl('pkey', '-in', 'o.pem', '-outform', 'DER', '-out', 'o.der');
    const want = opensslSpki('o.pem');
    expect(spki(readAny(s.read('o.pem')).privateKeys[0]!.key)).toBe(want);
    expect(spki(readAny(s.read('o.p8e.pem'), 'pw').privateKeys[0]!.key)).toBe(want);
    expect(spki(readAny(s.read('o.p8l.pem'), 'pw').privateKeys[0]!.key)).toBe(want);
    expect(spki(readAny(s.read('o.sec1.pem')).privateKeys[0]!.key)).toBe(want);
    expect(spki(readAny(s.read('o.der')).privateKeys[0]!.key)).toBe(want);
    s.openssl('genrsa', '-traditional', '-out', 'r1.pem', '2048');
    expect(readAny(s.read('r1.pem')).privateKeys[0]!.key.asymmetricKeyType).toBe('rsa');
    // Wrong password, no password, truncated: each a clear format error.
    expect(() => readAny(s.read('o.p8e.pem'), 'nope')).toThrow(
      expect.objectContaining({ code: 'format', message: expect.stringMatching(/wrong password/) }),
    );
    expect(() => readAny(s.read('o.p8e.pem'))).toThrow(
      expect.objectContaining({ code: 'format', message: expect.stringMatching(/password/) }),
    );
    const cut = s.read('o.pem').subarray(0, 100);
    expect(() => readAny(cut)).toThrow(
      expect.objectContaining({ code: 'format', message: expect.stringMatching(/truncated/) }),
    );
    expect(() => readAny(s.read('o.der').subarray(0, 50))).toThrow(expect.objectContaining({ code: 'format' }));
  });
});

describe('PKCS#12', () => {
  it('openssl reads the modern and the legacy (3DES) files Keyhold writes, with key and chain', () => {
    for (const profile of ['modern', 'legacy'] as const) {
      s.write(
        `k-${profile}.p12`,
        writePkcs12(chain.leafKey, [chain.leaf, chain.root], 'secret', { profile, friendlyName: 'leaf' }),
      );
      const out = s.opensslAll('pkcs12', '-in', `k-${profile}.p12`, '-passin', 'pass:secret', '-nodes', '-info');
      expect(out).toContain('BEGIN PRIVATE KEY');
      expect((out.match(/BEGIN CERTIFICATE/g) ?? []).length).toBe(2);
      expect(out).toContain('friendlyName: leaf');
      expect(out).toMatch(profile === 'modern' ? /PBES2, PBKDF2, AES-256-CBC/ : /pbeWithSHA1And3-KeyTripleDES-CBC/);
      expect(() => s.opensslAll('pkcs12', '-in', `k-${profile}.p12`, '-passin', 'pass:wrong', '-nodes')).toThrow(
        /mac verify (failure|error)/i,
      );
    }
  });

  it('Keyhold reads what openssl pkcs12 -export writes (default AES and 3DES), and refuses a wrong password or a truncated file', () => {
    s.write('chain.pem', pem('CERTIFICATE', chain.root));
    const exportP12 = (out: string, ...options: string[]) =>
      s.openssl(
        'pkcs12',
        '-export',
        '-inkey',
        'leaf.key',
        '-in',
        'leaf.pem',
        '-certfile',
        'chain.pem',
        '-passout',
        'pass:pw',
        ...options,
        '-out',
        out,
      );
    exportP12('o.p12');
    exportP12('o3.p12', '-keypbe', 'PBE-SHA1-3DES', '-certpbe', 'PBE-SHA1-3DES', '-macalg', 'sha1');
    for (const f of ['o.p12', 'o3.p12']) {
      const p = readPkcs12(s.read(f), 'pw');
      expect(spki(p.privateKeys[0]!.key)).toBe(spki(chain.leafKey));
      expect(p.certificates.map((c) => c.der.toString('hex')).sort()).toEqual(
        [chain.leaf, chain.root].map((c) => c.toString('hex')).sort(),
      );
    }
    expect(() => readPkcs12(s.read('o.p12'), 'wrong')).toThrow(
      expect.objectContaining({ code: 'format', message: expect.stringMatching(/wrong password/) }),
    );
    expect(() => readPkcs12(s.read('o.p12').subarray(0, 200), 'pw')).toThrow(
      expect.objectContaining({ code: 'format' }),
    );
    expect(() => readAny(s.read('o.p12'))).toThrow(/password is needed/);
  });

  it('legacy files (openssl pkcs12 -legacy: RC2-40 certs, 3DES key; and RC2-40/3DES named) import without the legacy provider', () => {
    const variants: [string, string[]][] = [
      ['rc2.p12', ['-legacy']],
      ['rc2-named.p12', ['-certpbe', 'PBE-SHA1-RC2-40', '-keypbe', 'PBE-SHA1-3DES', '-macalg', 'sha1']],
    ];
    for (const [file, opts] of variants) {
      s.openssl(
        'pkcs12',
        '-export',
        ...opts,
        '-provider',
        'legacy',
        '-provider',
        'default',
        '-inkey',
        'leaf.key',
        '-in',
        'leaf.pem',
        '-certfile',
        'root.pem',
        '-name',
        'legacy one',
        '-passout',
        'pass:pw',
        '-out',
        file,
      );
      expect(s.opensslAll('pkcs12', '-in', file, '-info', '-noout', '-passin', 'pass:pw', '-legacy')).toMatch(
        /pbeWithSHA1And40BitRC2-CBC/,
      );
      const p = readPkcs12(s.read(file), 'pw');
      expect(p.certificates.map((c) => c.der.toString('hex')).sort()).toEqual(
        [chain.leaf.toString('hex'), chain.root.toString('hex')].sort(),
      );
      expect(p.privateKeys).toHaveLength(1);
      expect(spki(p.privateKeys[0]!.key)).toBe(spki(chain.leafKey));
      expect(p.privateKeys[0]!.friendlyName).toBe('legacy one');
      expect(() => readPkcs12(s.read(file), 'wrong')).toThrow(
        expect.objectContaining({ code: 'format', message: expect.stringMatching(/wrong password/) }),
      );
      expect(() => readPkcs12(s.read(file).subarray(0, 300), 'pw')).toThrow(
        expect.objectContaining({ code: 'format' }),
      );
    }
    // This process runs without --openssl-legacy-provider: RC2 came from the node-forge path.
    expect(() => createCipheriv('rc2-40-cbc', Buffer.alloc(5), Buffer.alloc(8)).final()).toThrow();
  });
});

describe('PKCS#7 certificate chains', () => {
  it('openssl reads Keyhold .p7b (PEM and DER); Keyhold reads openssl crl2pkcs7 output', () => {
    s.write('k.p7b', writePkcs7([chain.leaf, chain.root], 'pem'));
    s.write('k.p7b.der', writePkcs7([chain.leaf, chain.root], 'der'));
    expect((s.openssl('pkcs7', '-in', 'k.p7b', '-print_certs').match(/BEGIN CERTIFICATE/g) ?? []).length).toBe(2);
    expect(
      (s.openssl('pkcs7', '-inform', 'DER', '-in', 'k.p7b.der', '-print_certs').match(/subject=/g) ?? []).length,
    ).toBe(2);
    s.write('both.pem', pem('CERTIFICATE', chain.leaf) + pem('CERTIFICATE', chain.root));
    s.openssl('crl2pkcs7', '-nocrl', '-certfile', 'both.pem', '-out', 'o.p7b');
    expect(readPkcs7(s.read('o.p7b')).map((c) => c.toString('hex'))).toEqual(
      [chain.leaf, chain.root].map((c) => c.toString('hex')),
    );
    s.openssl('crl2pkcs7', '-nocrl', '-certfile', 'both.pem', '-outform', 'DER', '-out', 'o.p7b.der');
    expect(readAny(s.read('o.p7b.der')).certificates).toHaveLength(2);
  });
});

describe('JWK', () => {
  it('RFC 7638 section 3.1 thumbprint and RFC 8037 appendix A.1 Ed25519 key', () => {
    const rfc7638 = {
      kty: 'RSA',
      n: '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw',
      e: 'AQAB',
    };
    expect(jwkThumbprint(rfc7638)).toBe('NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs');
    const ed = {
      kty: 'OKP',
      crv: 'Ed25519',
      d: 'nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A',
      x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo',
    };
    const k = readJwks(JSON.stringify(ed))[0]!.privateKey!;
    // openssl derives the same public key from the private key Keyhold read.
    s.write('ed.pem', exportPrivateKey(k, { encoding: 'pem' }));
    expect(opensslSpki('ed.pem')).toBe(spki(k));
    expect(exportJwk(k, { publicOnly: true }).x).toBe(ed.x);
  });
  it('openssl keys round-trip through JWK (private and public, with x5c)', async () => {
    s.openssl('genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', 'j.pem');
    const k = readPrivateKey(s.read('j.pem').toString());
    const jwk = exportJwk(k, { certificates: [chain.leaf, chain.root] });
    const back = readAny(Buffer.from(JSON.stringify({ keys: [jwk, exportJwk(k, { publicOnly: true })] })));
    expect(back.privateKeys).toHaveLength(1);
    expect(back.publicKeys).toHaveLength(1);
    expect(back.certificates).toHaveLength(2);
    s.write('j2.pem', exportPrivateKey(back.privateKeys[0]!.key, { encoding: 'pem' }));
    expect(s.openssl('pkey', '-in', 'j2.pem', '-noout', '-text')).toContain(
      s.openssl('pkey', '-in', 'j.pem', '-noout', '-text'),
    );
    expect(() => readAny(Buffer.from('{"kty":"RSA","n":"AQAB"'))).toThrow(expect.objectContaining({ code: 'format' }));
    expect(() => readAny(Buffer.from('{"kty":"XYZ"}'))).toThrow(expect.objectContaining({ code: 'unsupported' }));
  });
});

describe('OpenSSH', () => {
  it('Keyhold reads ssh-keygen private and public keys (Ed25519, ECDSA, RSA)', () => {
    for (const [t, extra] of [
      ['ed25519', []],
      ['ecdsa', ['-b', '384']],
      ['rsa', ['-b', '2048']],
    ] as const) {
      s.run('ssh-keygen', '-q', '-t', t, ...extra, '-N', '', '-C', `peer-${t}`, '-f', `id_${t}`);
      const priv = readOpenSshPrivateKey(s.read(`id_${t}`).toString());
      const pub = readOpenSshPublicKey(s.read(`id_${t}.pub`).toString());
      expect(priv.comment).toBe(`peer-${t}`);
      expect(spki(priv.key)).toBe(spki(pub.key));
      expect(writeOpenSshPublicKey(priv.key, `peer-${t}`)).toBe(s.read(`id_${t}.pub`).toString());
    }
  });
  it('ssh-keygen reads the private and public keys Keyhold writes', async () => {
    for (const spec of [
      { algorithm: 'Ed25519' },
      { algorithm: 'EC', curve: 'P-256' },
      { algorithm: 'RSA', length: 2048 },
    ] as const) {
      const { privateKey } = await generateKeyPair(spec);
      chmodSync(s.write('kh_key', writeOpenSshPrivateKey(privateKey, 'keyhold')), 0o600);
      s.write('kh_key.pub', writeOpenSshPublicKey(privateKey, 'keyhold'));
      expect(s.run('ssh-keygen', '-y', '-f', 'kh_key').trim()).toBe(
        s
          .read('kh_key.pub')
          .toString()
          .trim()
          .replace(/ keyhold$/, ' keyhold'),
      );
      expect(s.run('ssh-keygen', '-l', '-f', 'kh_key.pub')).toMatch(/SHA256:/);
    }
  });
  it('Keyhold reads passphrase-protected keys ssh-keygen writes (bcrypt KDF, aes256-ctr)', () => {
    for (const t of ['ed25519', 'ecdsa', 'rsa'] as const) {
      s.run('ssh-keygen', '-q', '-t', t, '-N', 'pass phrase', '-C', `enc-${t}`, '-f', `id_enc_${t}`);
      const text = s.read(`id_enc_${t}`).toString();
      const priv = readOpenSshPrivateKey(text, 'pass phrase');
      expect(priv.comment).toBe(`enc-${t}`);
      expect(spki(priv.key)).toBe(spki(readOpenSshPublicKey(s.read(`id_enc_${t}.pub`).toString()).key));
      expect(readAny(Buffer.from(text), 'pass phrase').privateKeys).toHaveLength(1);
    }
  });
  it('ssh-keygen reads the passphrase-protected keys Keyhold writes', async () => {
    for (const spec of [{ algorithm: 'Ed25519' }, { algorithm: 'EC', curve: 'P-384' }] as const) {
      const { privateKey } = await generateKeyPair(spec);
      const text = writeOpenSshPrivateKey(privateKey, 'kh-enc', 'secret words');
      expect(text).not.toBe(writeOpenSshPrivateKey(privateKey, 'kh-enc'));
      chmodSync(s.write('kh_enc', text), 0o600);
      expect(s.run('ssh-keygen', '-y', '-P', 'secret words', '-f', 'kh_enc').trim()).toBe(
        writeOpenSshPublicKey(privateKey, 'kh-enc').trim(),
      );
      expect(() => s.run('ssh-keygen', '-y', '-P', 'wrong', '-f', 'kh_enc')).toThrow();
      expect(spki(readOpenSshPrivateKey(text, 'secret words').key)).toBe(spki(privateKey));
    }
  });
  it('wrong, missing passphrase, truncated file and unknown cipher are clear errors', () => {
    s.run('ssh-keygen', '-q', '-t', 'ed25519', '-N', 'pass phrase', '-f', 'id_enc');
    const text = s.read('id_enc').toString();
    expect(() => readAny(Buffer.from(text))).toThrow(
      expect.objectContaining({ code: 'format', message: expect.stringMatching(/passphrase-protected/) }),
    );
    expect(() => readOpenSshPrivateKey(text, 'not it')).toThrow(
      expect.objectContaining({ code: 'format', message: expect.stringMatching(/wrong passphrase/) }),
    );
    const body = text.split('\n').slice(1, -2).join('');
    const der = Buffer.from(body, 'base64');
    const wrap = (b: Buffer): string =>
      `-----BEGIN OPENSSH PRIVATE KEY-----\n${b.toString('base64')}\n-----END OPENSSH PRIVATE KEY-----\n`;
    expect(() => readOpenSshPrivateKey(wrap(der.subarray(0, der.length - 40)), 'pass phrase')).toThrow(
      expect.objectContaining({ code: 'format', message: expect.stringMatching(/truncated/) }),
    );
    const odd = Buffer.from(der);
    odd.write('aes256-xts', 15 + 4, 'latin1'); // same length as aes256-ctr
    expect(() => readOpenSshPrivateKey(wrap(odd), 'pass phrase')).toThrow(
      expect.objectContaining({ code: 'unsupported', message: expect.stringMatching(/cipher aes256-xts/) }),
    );
  });
});
