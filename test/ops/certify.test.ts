import { execFileSync } from 'node:child_process';
import { X509Certificate, createPublicKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { StructureItem } from '../../main/kmip/ttlv/index.js';
import { CERTIFY_CA_NAME } from '../../main/ops/certify.js';
import type { MemoryObjectStore } from '../../main/ops/index.js';
import { find, t } from '../../main/ops/ttlv.js';
import { EnumNames, Operation, ResultReason, Tag } from '../../main/ops/vocabulary.js';
import type { ManagedObject } from '../../main/vault/model.js';
import { ok, opsHarness, resultOf, uidOf, valueOf } from './ops-harness.js';

const E = EnumNames;
const PKCS_10 = 2;
const CRMF = 1;
const SIGN_VERIFY = 0x3;

const dir = mkdtempSync(path.join(tmpdir(), 'keyhold-certify-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const pem = (label: string, der: Uint8Array) =>
  `-----BEGIN ${label}-----\n${Buffer.from(der)
    .toString('base64')
    .replace(/.{1,64}/g, '$&\n')}-----END ${label}-----\n`;

/** `openssl verify -CAfile` of a DER certificate against the store's Certify CA. */
async function opensslVerify(store: MemoryObjectStore, der: Uint8Array, purpose?: string): Promise<string> {
  const ca = (await store.all()).find(
    (o) =>
      o.objectType === 'Certificate' &&
      (o.attributes.Name?.[0] as { NameValue?: string })?.NameValue === CERTIFY_CA_NAME,
  ) as ManagedObject;
  const caFile = path.join(dir, `ca-${Math.random()}.pem`);
  const certFile = path.join(dir, `cert-${Math.random()}.pem`);
  writeFileSync(caFile, pem('CERTIFICATE', ca.value as Uint8Array));
  writeFileSync(certFile, pem('CERTIFICATE', der));
  const args = ['verify', '-CAfile', caFile, ...(purpose ? ['-purpose', purpose] : []), certFile];
  try {
    return execFileSync('openssl', args, { stdio: 'pipe' }).toString();
  } catch (e) {
    return `refused: ${String((e as { stdout?: Buffer }).stdout ?? '')}`;
  }
}

type Send = ReturnType<typeof opsHarness>['send'];

async function keyPair(send: Send, algorithm = 'EC', length = 256, identity = 'alice') {
  const payload = ok(
    await send(
      Operation.CreateKeyPair,
      [
        t.struct(Tag.CommonAttributes, [
          t.enm(Tag.CryptographicAlgorithm, E.CryptographicAlgorithm![algorithm]!),
          t.int(Tag.CryptographicLength, length),
          t.int(Tag.CryptographicUsageMask, SIGN_VERIFY),
        ]),
        t.struct(Tag.PrivateKeyAttributes, [
          t.struct(Tag.Name, [t.text(Tag.NameValue, 'signer'), t.enm(Tag.NameType, 1)]),
        ]),
        t.struct(Tag.PublicKeyAttributes, []),
      ],
      { identity },
    ),
  );
  return {
    priv: valueOf(payload, Tag.PrivateKeyUniqueIdentifier) as string,
    pub: valueOf(payload, Tag.PublicKeyUniqueIdentifier) as string,
  };
}

const links = (o: ManagedObject, type: string) =>
  (o.attributes.Link ?? []).flatMap((l) => {
    const f = l as { LinkType: string; LinkedObjectIdentifier: string };
    return f.LinkType === type ? [f.LinkedObjectIdentifier] : [];
  });

function spki(o: ManagedObject): Buffer {
  const kb = o.keyBlock!;
  const der = Buffer.from(kb.keyMaterial as Uint8Array);
  const type = kb.keyFormatType === 'PKCS_1' ? 'pkcs1' : 'spki';
  return createPublicKey({ key: der, format: 'der', type }).export({ format: 'der', type: 'spki' });
}

/** A PKCS#10 request made by the openssl command line (an independent implementation). */
function opensslCsr(subject: string, extensions: string[] = []): { der: Buffer; keyFile: string } {
  const keyFile = path.join(dir, `key-${Math.random()}.pem`);
  const csrFile = path.join(dir, `csr-${Math.random()}.der`);
  execFileSync('openssl', [
    'req',
    '-new',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    keyFile,
    '-subj',
    subject,
    '-addext',
    'subjectAltName=DNS:db1.example.test',
    ...extensions.flatMap((e) => ['-addext', e]),
    '-outform',
    'DER',
    '-out',
    csrFile,
  ]);
  return { der: readFileSync(csrFile), keyFile };
}

describe('Certify', () => {
  it('issues a certificate for a public key that openssl verifies against the CA, linked both ways', async () => {
    const { send, object, store } = opsHarness();
    const { pub } = await keyPair(send);
    const certId = uidOf(
      await send(Operation.Certify, [
        t.text(Tag.UniqueIdentifier, pub),
        t.struct(Tag.Attributes, [
          t.enm(Tag.CertificateType, E.CertificateType!.X_509!),
          t.text(Tag.CertificateSubjectCN, 'alice.example.test'),
          t.text(Tag.CertificateSubjectO, 'Example'),
        ]),
      ]),
    );
    const cert = await object(certId);
    expect(cert.objectType).toBe('Certificate');
    expect(await opensslVerify(store, cert.value as Uint8Array)).toContain(': OK');
    const x = new X509Certificate(Buffer.from(cert.value as Uint8Array));
    expect(x.subject).toContain('CN=alice.example.test');
    expect(x.publicKey.export({ format: 'der', type: 'spki' }).equals(spki(await object(pub)))).toBe(true);
    expect(links(cert, 'PublicKeyLink')).toEqual([pub]);
    expect(links(await object(pub), 'CertificateLink')).toEqual([certId]);
    expect(cert.attributes['CertificateType']).toEqual(['X_509']);
    expect(cert.attributes['CertificateSubjectCN']).toEqual(['alice.example.test']);
    expect(cert.attributes['CertificateIssuerCN']).toEqual(['Keyhold Certify CA']);
    expect(cert.attributes['DigitalSignatureAlgorithm']).toEqual(['ECDSAWithSHA256']);
    expect(cert.attributes['State']).toEqual(['Active']);
    expect(cert.owner).toBe('alice');
    // 2.x Get Attributes carries the X.509 Certificate Subject/Issuer.
    const attrs = find(
      ok(await send(Operation.GetAttributes, [t.text(Tag.UniqueIdentifier, certId)])),
      Tag.Attributes,
    ) as StructureItem;
    const subject = find(attrs, Tag.X509CertificateSubject) as StructureItem;
    expect(Buffer.from(valueOf(subject, Tag.SubjectDistinguishedName) as Uint8Array).length).toBeGreaterThan(10);
    expect(find(attrs, Tag.X509CertificateIssuer)).toBeDefined();
  });

  it('1.4: certifies an openssl PKCS#10 request; the key it carries becomes a linked Public Key', async () => {
    const { send, object, store } = opsHarness();
    const { der, keyFile } = opensslCsr('/CN=db1.example.test/O=Example');
    const certId = uidOf(
      await send(
        Operation.Certify,
        [
          t.enm(Tag.CertificateRequestType, PKCS_10),
          t.bytes(Tag.CertificateRequest, der),
          t.struct(Tag.TemplateAttribute, [
            t.struct(Tag.Attribute, [
              t.text(Tag.AttributeName, 'Name'),
              t.struct(Tag.AttributeValue, [t.text(Tag.NameValue, 'db1 cert'), t.enm(Tag.NameType, 1)]),
            ]),
          ]),
        ],
        { version: [1, 4] },
      ),
    );
    const cert = await object(certId);
    expect(await opensslVerify(store, cert.value as Uint8Array)).toContain(': OK');
    const x = new X509Certificate(Buffer.from(cert.value as Uint8Array));
    expect(x.subject).toBe('CN=db1.example.test\nO=Example');
    expect(x.subjectAltName).toBe('DNS:db1.example.test');
    const keyPub = createPublicKey(readFileSync(keyFile)).export({ format: 'der', type: 'spki' });
    expect(x.publicKey.export({ format: 'der', type: 'spki' }).equals(keyPub)).toBe(true);
    const [pubId] = links(cert, 'PublicKeyLink');
    expect(spki(await object(pubId!)).equals(keyPub)).toBe(true);
    expect(links(await object(pubId!), 'CertificateLink')).toEqual([certId]);
    expect((cert.attributes['Name']?.[0] as { NameValue: string }).NameValue).toBe('db1 cert');
  });

  it('refuses CRMF (Feature Not Supported), a damaged request (Invalid CSR) and a request for another key', async () => {
    const { send } = opsHarness();
    const { der } = opensslCsr('/CN=x');
    const crmf = resultOf(
      await send(Operation.Certify, [
        t.enm(Tag.CertificateRequestType, CRMF),
        t.bytes(Tag.CertificateRequestValue, der),
      ]),
    );
    expect(crmf.reason).toBe(ResultReason.FeatureNotSupported);
    const damaged = Buffer.from(der);
    damaged[damaged.length - 5]! ^= 0xff;
    const bad = resultOf(
      await send(Operation.Certify, [
        t.enm(Tag.CertificateRequestType, PKCS_10),
        t.bytes(Tag.CertificateRequestValue, damaged),
      ]),
    );
    expect(bad.reason).toBe(ResultReason.InvalidCSR);
    const { pub } = await keyPair(send);
    const other = resultOf(
      await send(Operation.Certify, [
        t.text(Tag.UniqueIdentifier, pub),
        t.enm(Tag.CertificateRequestType, PKCS_10),
        t.bytes(Tag.CertificateRequestValue, der),
      ]),
    );
    expect(other.reason).toBe(ResultReason.InvalidCSR);
  });

  it('never issues a TLS server certificate: serverAuth requests refused, issued ones fail openssl -purpose sslserver', async () => {
    const { send, object, store } = opsHarness();
    const server = opensslCsr('/CN=127.0.0.1', ['extendedKeyUsage=serverAuth']);
    const r = resultOf(
      await send(Operation.Certify, [
        t.enm(Tag.CertificateRequestType, PKCS_10),
        t.bytes(Tag.CertificateRequestValue, server.der),
      ]),
    );
    expect(r.reason).toBe(ResultReason.PermissionDenied);
    const plain = opensslCsr('/CN=127.0.0.1');
    const certId = uidOf(
      await send(Operation.Certify, [
        t.enm(Tag.CertificateRequestType, PKCS_10),
        t.bytes(Tag.CertificateRequestValue, plain.der),
      ]),
    );
    const der = (await object(certId)).value as Uint8Array;
    expect(await opensslVerify(store, der, 'sslclient')).toContain(': OK');
    expect(await opensslVerify(store, der, 'sslserver')).toMatch(/^refused/);
  });

  it("does not certify another client's key", async () => {
    const { send } = opsHarness();
    const { pub } = await keyPair(send, 'EC', 256, 'bob');
    const r = resultOf(await send(Operation.Certify, [t.text(Tag.UniqueIdentifier, pub)]));
    expect(r.reason).toBe(ResultReason.PermissionDenied);
  });

  it('certifies an RSA key with the ID Placeholder of Create Key Pair (a private key stands for its public key)', async () => {
    const { send, object, store } = opsHarness();
    const { priv, pub } = await keyPair(send, 'RSA', 2048);
    void priv;
    const certId = uidOf(await send(Operation.Certify, [t.text(Tag.UniqueIdentifier, priv)]));
    const cert = await object(certId);
    expect(links(cert, 'PublicKeyLink')).toEqual([pub]);
    expect(await opensslVerify(store, cert.value as Uint8Array)).toContain(': OK');
    expect(cert.attributes['CryptographicAlgorithm']).toEqual(['RSA']);
    expect(cert.attributes['CryptographicLength']).toEqual([2048]);
  });
});

describe('Certificate attributes', () => {
  it('a registered X.509 certificate gets Certificate Subject CN, Certificate Length and the X.509 attributes', async () => {
    const { send } = opsHarness();
    const keyFile = path.join(dir, 'self.key');
    const certFile = path.join(dir, 'self.der');
    execFileSync('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      keyFile,
      '-subj',
      '/CN=registered.example.test/O=Example',
      '-days',
      '10',
      '-outform',
      'DER',
      '-out',
      certFile,
    ]);
    const der = readFileSync(certFile);
    const uid = uidOf(
      await send(Operation.Register, [
        t.enm(Tag.ObjectType, E.ObjectType!.Certificate!),
        t.struct(Tag.Attributes, [t.enm(Tag.CertificateType, E.CertificateType!.X_509!)]),
        t.struct(Tag.Certificate, [
          t.enm(Tag.CertificateType, E.CertificateType!.X_509!),
          t.bytes(Tag.CertificateValue, der),
        ]),
      ]),
    );
    const attrs = find(
      ok(
        await send(Operation.GetAttributes, [
          t.text(Tag.UniqueIdentifier, uid),
          t.enm(Tag.AttributeReference, Tag.CertificateSubjectCN),
          t.enm(Tag.AttributeReference, Tag.CertificateLength),
          t.enm(Tag.AttributeReference, Tag.CertificateSubjectO),
        ]),
      ),
      Tag.Attributes,
    ) as StructureItem;
    expect(valueOf(attrs, Tag.CertificateSubjectCN)).toBe('registered.example.test');
    expect(valueOf(attrs, Tag.CertificateSubjectO)).toBe('Example');
    expect(valueOf(attrs, Tag.CertificateLength)).toBe(der.length);
  });

  it('2.x: certifies a registered Certificate Request object by its identifier', async () => {
    const { send, object, store } = opsHarness();
    const { der } = opensslCsr('/CN=by-object.example.test');
    const csrId = uidOf(
      await send(Operation.Register, [
        t.enm(Tag.ObjectType, E.ObjectType!.CertificateRequest!),
        t.struct(Tag.Attributes, []),
        t.struct(Tag.CertificateRequest, [
          t.enm(Tag.CertificateRequestType, PKCS_10),
          t.bytes(Tag.CertificateRequestValue, der),
        ]),
      ]),
    );
    const certId = uidOf(await send(Operation.Certify, [t.text(Tag.UniqueIdentifier, csrId)]));
    const cert = await object(certId);
    expect(new X509Certificate(Buffer.from(cert.value as Uint8Array)).subject).toBe('CN=by-object.example.test');
    expect(await opensslVerify(store, cert.value as Uint8Array)).toContain(': OK');
  });
});

describe('Re-certify', () => {
  it('renews with a new serial and validity, moves the name, links Replaced/Replacement and repoints the key', async () => {
    const { send, object, store } = opsHarness();
    const { pub } = await keyPair(send);
    const oldId = uidOf(
      await send(Operation.Certify, [
        t.text(Tag.UniqueIdentifier, pub),
        t.struct(Tag.Attributes, [
          t.struct(Tag.Name, [t.text(Tag.NameValue, 'web cert'), t.enm(Tag.NameType, 1)]),
          t.text(Tag.CertificateSubjectCN, 'web.example.test'),
        ]),
      ]),
    );
    const newId = uidOf(
      await send(Operation.ReCertify, [t.text(Tag.UniqueIdentifier, oldId), t.interval(Tag.Offset, 3600)]),
    );
    expect(newId).not.toBe(oldId);
    const [old, renewed, key] = [await object(oldId), await object(newId), await object(pub)];
    const xo = new X509Certificate(Buffer.from(old.value as Uint8Array));
    const xn = new X509Certificate(Buffer.from(renewed.value as Uint8Array));
    expect(xn.serialNumber).not.toBe(xo.serialNumber);
    expect(xn.subject).toBe(xo.subject);
    expect(xn.publicKey.export({ format: 'der', type: 'spki' }).equals(spki(key))).toBe(true);
    expect(await opensslVerify(store, renewed.value as Uint8Array)).toContain(': OK');
    expect(links(renewed, 'ReplacedObjectLink')).toEqual([oldId]);
    expect(links(old, 'ReplacementObjectLink')).toEqual([newId]);
    expect(links(renewed, 'PublicKeyLink')).toEqual([pub]);
    expect(links(key, 'CertificateLink')).toEqual([newId]);
    expect(renewed.attributes['Name']).toEqual([{ NameValue: 'web cert', NameType: 'UninterpretedTextString' }]);
    expect(old.attributes['Name']).toBeUndefined();
    // Offset: the new certificate becomes Active an hour from now.
    const activation = renewed.attributes['ActivationDate']?.[0] as Date;
    expect(activation.getTime()).toBeGreaterThan(Date.now() + 3_000_000);
    expect(renewed.attributes['State']).toEqual(['PreActive']);
  });

  it('refuses to renew what is not a certificate', async () => {
    const { send } = opsHarness();
    const { pub } = await keyPair(send);
    expect(resultOf(await send(Operation.ReCertify, [t.text(Tag.UniqueIdentifier, pub)])).reason).toBe(
      ResultReason.InvalidObjectType,
    );
  });
});
