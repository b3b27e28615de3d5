import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { registerKmip } from '../../main/cli/commands/kmip.js';
import { KmipClient } from '../../main/client/kmip-client.js';
import type { StructureItem } from '../../main/kmip/ttlv/index.js';
import { find } from '../../main/ops/ttlv.js';
import { Tag } from '../../main/ops/vocabulary.js';
import type { KmipServer } from '../../main/server/kmip-server.js';
import { enrollClient } from '../../main/server/pki.js';
import { startVaultServer } from '../../main/server/serve.js';
import { Vault } from '../../main/vault/index.js';
import type { TestPki } from '../interop/support/certs.js';
import { freePort } from '../interop/support/ports.js';
import { connectTestClient, startMemoryKmipServer } from '../support/memory-kmip-server.js';
import { CHEAP_KDF, PASSPHRASE, tempVaultPath } from '../vault/helpers.js';

/**
 * Certify, Re-certify, Get with key wrapping, Export and Import over mutual TLS: Keyhold's
 * client (and the `keyhold kmip` commands, in process) against `keyhold serve`'s server over a
 * SQLCipher vault, whose server CA signs; the export lands in a second server (in memory).
 */
describe('Certify, key wrapping, Export/Import over TLS against the vault-backed server', () => {
  let tmp: ReturnType<typeof tempVaultPath>;
  let vault: Vault;
  let server: KmipServer;
  let port: number;
  let alice: { certPem: string; keyPem: string; caCertPem: string };
  let client: KmipClient;
  let second: { pki: TestPki; server: KmipServer; port: number };
  const files = mkdtempSync(path.join(tmpdir(), 'keyhold-certify-tls-'));

  beforeAll(async () => {
    tmp = tempVaultPath();
    vault = await Vault.create(tmp.vaultPath, {
      unlock: { kind: 'passphrase', passphrase: PASSPHRASE },
      sealOptions: CHEAP_KDF,
    });
    alice = await enrollClient(vault, 'alice');
    port = await freePort();
    ({ server } = await startVaultServer(vault, { host: '127.0.0.1', port }));
    client = await KmipClient.connect({
      host: '127.0.0.1',
      port,
      cert: alice.certPem,
      key: alice.keyPem,
      ca: alice.caCertPem,
      timeoutMs: 30_000,
    });
    second = await startMemoryKmipServer();
  }, 60_000);

  afterAll(async () => {
    await client?.close();
    await server?.close();
    await second?.server.close();
    second?.pki.dispose();
    await vault?.lock();
    tmp?.cleanup();
    rmSync(files, { recursive: true, force: true });
  });

  const write = (name: string, data: string | Uint8Array) => {
    const file = path.join(files, name);
    writeFileSync(file, data);
    return file;
  };

  const certificateOf = async (uid: string): Promise<Buffer> => {
    const { object } = await client.get(uid);
    return Buffer.from(find(object as StructureItem, Tag.CertificateValue)?.value as Uint8Array);
  };

  it('issues certificates the server CA signed (openssl verify), renews them, links them', async () => {
    expect(client.version).toEqual({ major: 2, minor: 1 });
    const pair = await client.createKeyPair(
      { CryptographicAlgorithm: ['EC'], CryptographicLength: [256] },
      { CryptographicUsageMask: [1] },
      { CryptographicUsageMask: [2] },
    );
    const certId = await client.certify({
      uniqueIdentifier: pair.publicKey,
      attributes: { CertificateSubjectCN: ['app.example.test'] },
    });
    const der = await certificateOf(certId);
    const caFile = write('ca.crt', alice.caCertPem);
    const certFile = write('cert.pem', new X509Certificate(der).toString());
    expect(execFileSync('openssl', ['verify', '-CAfile', caFile, certFile]).toString()).toContain(': OK');
    const x = new X509Certificate(der);
    expect(x.subject).toBe('CN=app.example.test');
    expect(x.issuer).toBe('CN=Keyhold KMIP Server CA');
    // The certificate's key is the public key's (compare with the key's SubjectPublicKeyInfo from Get).
    const pub = await client.get(pair.publicKey);
    const spki = find(find(pub.object as StructureItem, Tag.KeyBlock) as StructureItem, Tag.KeyValue) as StructureItem;
    expect(x.publicKey.export({ format: 'der', type: 'spki' })).toEqual(
      Buffer.from(find(spki, Tag.KeyMaterial)?.value as Uint8Array),
    );
    const certificateLinks = async () =>
      ((await client.getAttributes(pair.publicKey, ['Link'])).Link ?? []).filter(
        (l) => (l as { LinkType: string }).LinkType === 'CertificateLink',
      );
    expect(await certificateLinks()).toEqual([{ LinkType: 'CertificateLink', LinkedObjectIdentifier: certId }]);

    const renewed = await client.reCertify(certId);
    const y = new X509Certificate(await certificateOf(renewed));
    expect(y.serialNumber).not.toBe(x.serialNumber);
    expect(y.verify(new X509Certificate(alice.caCertPem).publicKey)).toBe(true);
    expect((await client.getAttributes(certId, ['Link'])).Link).toContainEqual({
      LinkType: 'ReplacementObjectLink',
      LinkedObjectIdentifier: renewed,
    });
    expect((await client.getAttributes(renewed, ['Link'])).Link).toContainEqual({
      LinkType: 'ReplacedObjectLink',
      LinkedObjectIdentifier: certId,
    });
    expect(await certificateLinks()).toEqual([{ LinkType: 'CertificateLink', LinkedObjectIdentifier: renewed }]);
  });

  it('returns a key wrapped with AES Key Wrap that openssl unwraps; refuses a key without Wrap Key usage', async () => {
    const kek = await client.create('SymmetricKey', {
      CryptographicAlgorithm: ['AES'],
      CryptographicLength: [256],
      CryptographicUsageMask: [0x30],
      CryptographicParameters: [{ BlockCipherMode: 'NISTKeyWrap' }],
      ActivationDate: [new Date(Date.now() - 60_000)],
    });
    const key = await client.create('SymmetricKey', {
      CryptographicAlgorithm: ['AES'],
      CryptographicLength: [256],
      CryptographicUsageMask: [0x0c],
      ActivationDate: [new Date(Date.now() - 60_000)],
    });
    const wrapped = await client.getWrapped(key, {
      wrappingKey: kek,
      parameters: { BlockCipherMode: 'NISTKeyWrap' },
      encoding: 'NoEncoding',
    });
    const kekBytes = (await client.get(kek)).keyMaterial as Uint8Array;
    const plainKey = (await client.get(key)).keyMaterial as Uint8Array;
    const out = path.join(files, 'unwrapped.bin');
    execFileSync('openssl', [
      'enc',
      '-d',
      '-id-aes256-wrap',
      '-K',
      Buffer.from(kekBytes).toString('hex'),
      '-iv',
      'A6A6A6A6A6A6A6A6',
      '-in',
      write('wrapped.bin', wrapped.wrappedKey as Uint8Array),
      '-out',
      out,
    ]);
    expect(readFileSync(out).equals(Buffer.from(plainKey))).toBe(true);
    await expect(
      client.getWrapped(kek, { wrappingKey: key, parameters: { BlockCipherMode: 'NISTKeyWrap' } }),
    ).rejects.toThrow(/IncompatibleCryptographicUsageMask/);
  });

  it('exports from the vault and imports into another server: same identifier, same key bytes', async () => {
    const key = await client.create('SymmetricKey', {
      CryptographicAlgorithm: ['AES'],
      CryptographicLength: [128],
      CryptographicUsageMask: [0x0c],
      Name: [{ NameValue: 'travelling key', NameType: 'UninterpretedTextString' }],
    });
    const exported = await client.exportObject(key);
    const other = await connectTestClient(second, 'importer', { timeoutMs: 30_000 });
    try {
      expect(await other.importObject(exported)).toBe(key);
      expect((await other.get(key)).keyMaterial).toEqual((await client.get(key)).keyMaterial);
      expect((await other.getAttributes(key, ['Name'])).Name).toEqual([
        { NameValue: 'travelling key', NameType: 'UninterpretedTextString' },
      ]);
      // A wrapped export imported as registered stays wrapped there; Get shows no key material.
      const kek = await client.create('SymmetricKey', {
        CryptographicAlgorithm: ['AES'],
        CryptographicLength: [256],
        CryptographicUsageMask: [0x30],
        CryptographicParameters: [{ BlockCipherMode: 'NISTKeyWrap' }],
        ActivationDate: [new Date(Date.now() - 60_000)],
      });
      const wrapped = await client.exportObject(key, { wrapping: { wrappingKey: kek } });
      const copy = {
        ...wrapped,
        value: wrapped.value.map((i) => (i.tag === Tag.UniqueIdentifier ? { ...i, value: `${key}-wrapped` } : i)),
      } as StructureItem;
      const wrappedId = await other.importObject(copy, { keyWrapType: 'AsRegistered' });
      const got = await other.get(wrappedId);
      expect(got.keyMaterial).toBeUndefined();
      expect(find(find(got.object as StructureItem, Tag.KeyBlock) as StructureItem, Tag.KeyWrappingData)).toBeDefined();
    } finally {
      await other.close();
    }
  });

  it('keyhold kmip certify / recertify / export / import', async () => {
    const out: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
      out.push(String(s));
      return true;
    });
    const cli = async (args: string[]): Promise<Record<string, unknown>> => {
      out.length = 0;
      const program = new Command().exitOverride();
      registerKmip(program);
      const flags = [
        '--server',
        `127.0.0.1:${port}`,
        '--cert',
        write('a.crt', alice.certPem),
        '--key',
        write('a.key', alice.keyPem),
        '--ca',
        write('ca.pem', alice.caCertPem),
        '--json',
      ];
      await program.parseAsync(['node', 'keyhold', 'kmip', ...flags, ...args]);
      return JSON.parse(out.join('')) as Record<string, unknown>;
    };
    try {
      const csr = path.join(files, 'cli.csr');
      execFileSync('openssl', [
        'req',
        '-new',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        path.join(files, 'cli.key'),
        '-subj',
        '/CN=cli.example.test',
        '-out',
        csr,
      ]);
      const certPem = path.join(files, 'cli.crt');
      const issued = await cli(['certify', '--csr', csr, '--out', certPem]);
      expect(issued.file).toBe(certPem);
      expect(execFileSync('openssl', ['verify', '-CAfile', path.join(files, 'ca.pem'), certPem]).toString()).toContain(
        ': OK',
      );
      const renewed = await cli(['recertify', issued.uniqueIdentifier as string, '--offset', '0']);
      expect(renewed.replaces).toBe(issued.uniqueIdentifier);
      const exportFile = path.join(files, 'cert.kmip');
      await cli(['export', renewed.uniqueIdentifier as string, '--out', exportFile]);
      const imported = await cli(['import', exportFile, '--replace']);
      expect(imported.uniqueIdentifier).toBe(renewed.uniqueIdentifier);
    } finally {
      spy.mockRestore();
    }
  });
});
