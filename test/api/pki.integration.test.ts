import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CertificateInfo, CsrCreated, ExportedFile, LocalCaStatus } from '../../shared/api/index.js';
import { tempEngine, value } from './support/temp-engine.js';

const { dir, router } = tempEngine('pki');

describe('certificates through the API (vault on disk, checked by openssl)', () => {
  it('makes a CSR from a vault key, signs it with the local CA, inspects and exports it', async () => {
    value(await router.call('vault.create', { passphrase: 'pki test passphrase' }));
    const [priv] = value<{ uniqueIdentifiers: string[] }>(
      await router.call('keys.generate', {
        kind: 'KeyPair',
        algorithm: 'EC',
        curve: 'P256',
        usageMask: ['Sign', 'Verify'],
        name: 'tls',
        location: 'vault',
      }),
    ).uniqueIdentifiers;

    const csr = value<CsrCreated>(
      await router.call('csr.create', {
        keyUniqueIdentifier: priv,
        subject: { commonName: 'www.example.com', organization: 'Example, Inc.', country: 'DE' },
        subjectAlternativeNames: [
          { type: 'dns', value: 'www.example.com' },
          { type: 'ip', value: '10.0.0.1' },
        ],
        keyUsage: ['digitalSignature'],
        extendedKeyUsage: ['serverAuth'],
      }),
    );
    expect(csr.pem).toMatch(/^-----BEGIN CERTIFICATE REQUEST-----/);
    expect(csr.decoded).toMatchObject({
      signatureValid: true,
      extendedKeyUsage: ['serverAuth'],
      publicKeyAlgorithm: 'EC P-256',
    });
    expect(csr.decoded.subject).toContain('CN=www.example.com');
    expect(csr.decoded.subjectAlternativeNames).toEqual(['dns:www.example.com', 'ip:10.0.0.1']);
    writeFileSync(path.join(dir, 'req.pem'), csr.pem);
    expect(
      execFileSync('openssl', ['req', '-in', path.join(dir, 'req.pem'), '-noout', '-verify'], {
        encoding: 'utf8',
        stdio: 'pipe',
      }),
    ).toBe('');

    expect(value<LocalCaStatus>(await router.call('ca.status', {}))).toEqual({ exists: false });
    expect(
      await router.call('ca.sign', { requestUniqueIdentifier: csr.uniqueIdentifier, validityDays: 30 }),
    ).toMatchObject({ ok: false, error: { code: 'illegal-state' } });
    const ca = value<LocalCaStatus>(
      await router.call('ca.create', { subject: { commonName: 'Keyhold Test CA' }, validityDays: 3650 }),
    );
    expect(ca).toMatchObject({ exists: true, subject: 'CN=Keyhold Test CA' });

    const signed = value<{ uniqueIdentifier: string; certificate: CertificateInfo }>(
      await router.call('ca.sign', { requestUniqueIdentifier: csr.uniqueIdentifier, validityDays: 30 }),
    );
    expect(signed.certificate.issuer).toBe('CN=Keyhold Test CA');
    expect(signed.certificate.subjectAlternativeNames).toContain('dns:www.example.com');

    const info = value<CertificateInfo>(
      await router.call('certificates.inspect', { uniqueIdentifier: signed.uniqueIdentifier }),
    );
    expect(info.chain).toEqual([info.subject, 'CN=Keyhold Test CA']);
    expect(info.fingerprints.sha256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);

    const pem = value<ExportedFile>(
      await router.call('objects.export', { uniqueIdentifier: signed.uniqueIdentifier, format: 'PEM' }),
    );
    const caPem = value<ExportedFile>(
      await router.call('objects.export', { uniqueIdentifier: ca.uniqueIdentifier!, format: 'PEM' }),
    );
    writeFileSync(path.join(dir, 'cert.pem'), Buffer.from(pem.data, 'base64'));
    writeFileSync(path.join(dir, 'ca.pem'), Buffer.from(caPem.data, 'base64'));
    expect(
      execFileSync('openssl', ['verify', '-CAfile', path.join(dir, 'ca.pem'), path.join(dir, 'cert.pem')], {
        encoding: 'utf8',
      }),
    ).toMatch(/OK/);

    const der = value<ExportedFile>(
      await router.call('objects.export', { uniqueIdentifier: signed.uniqueIdentifier, format: 'DER' }),
    );
    expect(Buffer.from(der.data, 'base64')[0]).toBe(0x30);
    const key = value<ExportedFile>(await router.call('objects.export', { uniqueIdentifier: priv!, format: 'PKCS8' }));
    expect(Buffer.from(key.data, 'base64').toString()).toMatch(/^-----BEGIN PRIVATE KEY-----/);

    const p12 = value<ExportedFile>(
      await router.call('objects.export', { uniqueIdentifier: priv!, format: 'PKCS12', passphrase: 'p12 passphrase' }),
    );
    expect(p12.fileName).toBe('tls.p12');
    writeFileSync(path.join(dir, 'tls.p12'), Buffer.from(p12.data, 'base64'));
    const certs = execFileSync(
      'openssl',
      ['pkcs12', '-in', path.join(dir, 'tls.p12'), '-nokeys', '-passin', 'pass:p12 passphrase'],
      { encoding: 'utf8' },
    );
    expect(certs.match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
    expect(await router.call('objects.export', { uniqueIdentifier: priv!, format: 'PKCS12' })).toMatchObject({
      ok: false,
      error: { code: 'invalid-argument' },
    });

    const imported = value<{ uniqueIdentifiers: string[] }>(
      await router.call('certificates.import', { data: p12.data, fileName: 'tls.p12', passphrase: 'p12 passphrase' }),
    );
    expect(imported.uniqueIdentifiers).toHaveLength(3);
    expect(
      await router.call('certificates.import', { data: p12.data, fileName: 'tls.p12', passphrase: 'wrong' }),
    ).toMatchObject({ ok: false, error: { code: 'format' } });

    const pub = value<{ uniqueIdentifiers: string[] }>(
      await router.call('keys.generate', {
        kind: 'KeyPair',
        algorithm: 'Ed25519',
        usageMask: ['Sign', 'Verify'],
        name: 'ssh',
        location: 'vault',
      }),
    );
    const ssh = value<ExportedFile>(
      await router.call('objects.export', { uniqueIdentifier: pub.uniqueIdentifiers[1]!, format: 'OpenSSH' }),
    );
    expect(Buffer.from(ssh.data, 'base64').toString()).toMatch(/^ssh-ed25519 AAAA/);

    const audit = value<{ operation: string }[]>(await router.call('audit.list', {}));
    expect(audit.map((e) => e.operation)).toEqual(
      expect.arrayContaining(['CreateLocalCA', 'Certify', 'Export', 'Import']),
    );
    expect(value<{ valid: boolean }>(await router.call('audit.verify', {})).valid).toBe(true);
  });
});
