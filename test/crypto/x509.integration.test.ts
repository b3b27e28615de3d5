// X.509 against a real peer: openssl verifies what Keyhold issues, Keyhold reads what openssl writes.
import { createPrivateKey } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createCrl,
  createCsr,
  generateKeyPair,
  inspect,
  parseCrl,
  parseSubjectAltNames,
  readCsr,
  renderInspection,
  selfSign,
  signCsr,
  x509,
} from '../../main/crypto/index.js';
import { pem, scratch } from './support/tools.js';

const s = scratch();
afterAll(() => s.remove());

describe('a local CA that openssl trusts', () => {
  it('root -> intermediate -> TLS server leaf verifies with openssl, with SANs, EKU, AKI/SKI, CRL DP', async () => {
    const root = await generateKeyPair({ algorithm: 'EC', curve: 'P-384' });
    const rootCert = await selfSign(root.privateKey, 'CN=Keyhold Test Root,O=Keyhold', { profile: 'ca' });
    const inter = await generateKeyPair({ algorithm: 'EC', curve: 'P-256' });
    const interCsr = await readCsr(
      await createCsr({ privateKey: inter.privateKey, subject: 'CN=Keyhold Issuing CA,O=Keyhold' }),
    );
    const interCert = await signCsr({ certificate: rootCert, privateKey: root.privateKey }, interCsr, {
      profile: 'ca',
    });
    const leaf = await generateKeyPair({ algorithm: 'RSA', length: 2048 });
    const csrDer = await createCsr({
      privateKey: leaf.privateKey,
      subject: 'CN=www.example.test,O=Example',
      subjectAltNames: parseSubjectAltNames(
        'dns:www.example.test,ip:192.0.2.7,email:ops@example.test,uri:https://example.test/',
      ),
      challengePassword: 'not-a-secret',
    });
    s.write('leaf.csr', pem('CERTIFICATE REQUEST', csrDer));
    expect(s.openssl('req', '-in', 'leaf.csr', '-noout', '-verify', '-text')).toMatch(/challengePassword/);
    const leafCert = await signCsr({ certificate: interCert, privateKey: inter.privateKey }, await readCsr(csrDer), {
      profile: 'tls-server',
      crlDistributionPoints: ['http://crl.example.test/issuing.crl'],
    });
    s.write('root.pem', pem('CERTIFICATE', rootCert));
    s.write('inter.pem', pem('CERTIFICATE', interCert));
    s.write('leaf.pem', pem('CERTIFICATE', leafCert));
    const out = s.openssl(
      'verify',
      '-CAfile',
      'root.pem',
      '-untrusted',
      'inter.pem',
      '-purpose',
      'sslserver',
      'leaf.pem',
    );
    expect(out).toContain('leaf.pem: OK');
    const text = s.openssl('x509', '-in', 'leaf.pem', '-noout', '-text');
    expect(text).toContain('DNS:www.example.test');
    expect(text).toContain('IP Address:192.0.2.7');
    expect(text).toContain('email:ops@example.test');
    expect(text).toContain('URI:https://example.test/');
    expect(text).toContain('TLS Web Server Authentication');
    expect(text).toContain('X509v3 Authority Key Identifier');
    expect(text).toContain('http://crl.example.test/issuing.crl');
    // Inspect the chain as one PEM bundle.
    const shown = renderInspection(
      await inspect(
        Buffer.from(pem('CERTIFICATE', leafCert) + pem('CERTIFICATE', interCert) + pem('CERTIFICATE', rootCert)),
      ),
    );
    expect(shown).toContain('issued by certificate 2 (signature valid)');
    expect(shown).toContain('dns:www.example.test');
    // CRL revoking the leaf, verified by openssl against the issuing CA, and honoured by verify -crl_check.
    const serial = new x509.X509Certificate(leafCert).serialNumber;
    const crl = await createCrl({ certificate: interCert, privateKey: inter.privateKey }, [
      { serialNumber: serial, revocationDate: new Date(), reason: 'keyCompromise' },
    ]);
    s.write('inter.crl', pem('X509 CRL', crl));
    expect(s.openssl('crl', '-in', 'inter.crl', '-CAfile', 'inter.pem', '-noout', '-text')).toMatch(
      /Serial Number: 0*/i,
    );
    expect(parseCrl(crl).entries[0]?.serialNumber.toLowerCase()).toBe(serial.toLowerCase());
    s.write('chain.pem', pem('CERTIFICATE', interCert) + pem('CERTIFICATE', rootCert));
    expect(() =>
      s.openssl('verify', '-crl_check', '-CAfile', 'chain.pem', '-CRLfile', 'inter.crl', 'leaf.pem'),
    ).toThrow(/revoked/);
  });

  it('Keyhold signs an Ed25519 CSR that openssl made, under an Ed25519 CA that openssl verifies', async () => {
    s.openssl('genpkey', '-algorithm', 'ed25519', '-out', 'ed.key');
    s.openssl(
      'req',
      '-new',
      '-key',
      'ed.key',
      '-subj',
      '/CN=ed.example.test/O=Peer',
      '-addext',
      'subjectAltName=DNS:ed.example.test',
      '-out',
      'ed.csr',
    );
    const ca = await generateKeyPair({ algorithm: 'Ed25519' });
    const caCert = await selfSign(ca.privateKey, 'CN=Ed CA', { profile: 'ca' });
    const csr = await readCsr(s.read('ed.csr'));
    const cert = await signCsr({ certificate: caCert, privateKey: ca.privateKey }, csr, { profile: 'tls-client' });
    s.write('edca.pem', pem('CERTIFICATE', caCert));
    s.write('ed.pem', pem('CERTIFICATE', cert));
    expect(s.openssl('verify', '-CAfile', 'edca.pem', 'ed.pem')).toContain('ed.pem: OK');
    const ext = s.openssl('x509', '-in', 'ed.pem', '-noout', '-ext', 'subjectAltName,extendedKeyUsage');
    expect(ext).toContain('DNS:ed.example.test');
    expect(ext).toContain('TLS Web Client Authentication');
    // The certificate carries the key of the CSR.
    expect(s.openssl('pkey', '-in', 'ed.key', '-pubout')).toBe(s.openssl('x509', '-in', 'ed.pem', '-noout', '-pubkey'));
  });

  it('refuses a tampered CSR, a non-CA issuer and a bad subject with clear errors', async () => {
    const k = await generateKeyPair({ algorithm: 'EC', curve: 'P-256' });
    const der = await createCsr({ privateKey: k.privateKey, subject: 'CN=a' });
    const bad = Buffer.from(der);
    bad[bad.length - 5]! ^= 0xff;
    await expect(readCsr(bad)).rejects.toMatchObject({ code: expect.stringMatching(/crypto|format/) });
    await expect(readCsr(der.subarray(0, 30))).rejects.toMatchObject({ code: 'format' });
    const leafCert = await selfSign(k.privateKey, 'CN=leaf', { profile: 'tls-server' });
    await expect(signCsr({ certificate: leafCert, privateKey: k.privateKey }, await readCsr(der))).rejects.toThrow(
      /not a CA/,
    );
    await expect(selfSign(k.privateKey, 'no equals sign')).rejects.toMatchObject({ code: 'invalid-argument' });
    expect(() => parseSubjectAltNames('dns:ok,ip:999.1.1.1')).toThrow(/IP address/);
    expect(createPrivateKey(k.privateKey.export({ format: 'pem', type: 'pkcs8' })).asymmetricKeyType).toBe('ec');
  });
});
