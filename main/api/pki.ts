/**
 * Certificates for the window: CSRs from a vault key, a local CA kept in the vault, signing,
 * inspection and export, on main/crypto's X.509. The CA is an EC P-256 key pair and a
 * self-signed certificate marked with the custom attribute "x-keyhold-local-ca".
 */
import { createHash, createPrivateKey, createPublicKey, randomUUID } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { KeyholdError } from '../../shared/errors.js';
import type {
  CertificateInfo,
  CertificateRequestInfo,
  ExportedFile,
  LocalCaStatus,
  Request,
} from '../../shared/api/index.js';
import {
  createCsr,
  describeKey,
  exportKeyMaterial,
  generateKeyPair,
  importKeyMaterial,
  parseCertificate,
  parseExtendedKeyUsage,
  parseKeyUsage,
  readAny,
  readCsr,
  writeOpenSshPrivateKey,
  writeOpenSshPublicKey,
  writePkcs12,
  selfSign,
  signCsr,
  x509,
} from '../crypto/index.js';
import type { Attributes, ManagedObject } from '../vault/model.js';
import type { NewManagedObject, Vault } from '../vault/index.js';
import type { Handlers } from './router.js';
import type { VaultSession } from './vault-session.js';

const CA_MARK = 'x-keyhold-local-ca';

function dn(s: Request<'csr.create'>['subject']): string {
  const esc = (v: string) => v.replace(/([,+"\\<>;=])/g, '\\$1');
  const parts: string[] = [`CN=${esc(s.commonName)}`];
  if (s.organizationalUnit) parts.push(`OU=${esc(s.organizationalUnit)}`);
  if (s.organization) parts.push(`O=${esc(s.organization)}`);
  if (s.locality) parts.push(`L=${esc(s.locality)}`);
  if (s.state) parts.push(`ST=${esc(s.state)}`);
  if (s.country) parts.push(`C=${s.country}`);
  return parts.join(', ');
}

function named(name: string): Attributes {
  return name ? { Name: [{ NameValue: name, NameType: 'UninterpretedTextString' }] } : {};
}

export function pemOf(label: string, der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64');
  return `-----BEGIN ${label}-----\n${b64.replace(/.{1,64}/g, '$&\n')}-----END ${label}-----\n`;
}

const fingerprint = (der: Uint8Array, alg: 'sha1' | 'sha256') =>
  createHash(alg)
    .update(der)
    .digest('hex')
    .toUpperCase()
    .replace(/(..)(?=.)/g, '$1:');

const kuNames = Object.entries(x509.KeyUsageFlags).filter(([k]) => Number.isNaN(Number(k))) as [string, number][];
const ekuNames = new Map(Object.entries(x509.ExtendedKeyUsage).map(([k, v]) => [String(v), k]));

function extensionsInfo(exts: readonly x509.Extension[]) {
  const ku = exts.find((e): e is x509.KeyUsagesExtension => e instanceof x509.KeyUsagesExtension);
  const eku = exts.find((e): e is x509.ExtendedKeyUsageExtension => e instanceof x509.ExtendedKeyUsageExtension);
  const san = exts.find(
    (e): e is x509.SubjectAlternativeNameExtension => e instanceof x509.SubjectAlternativeNameExtension,
  );
  const bc = exts.find((e): e is x509.BasicConstraintsExtension => e instanceof x509.BasicConstraintsExtension);
  return {
    keyUsage: ku ? kuNames.filter(([, f]) => (ku.usages & f) !== 0).map(([n]) => n) : [],
    extendedKeyUsage: eku ? eku.usages.map((u) => ekuNames.get(String(u)) ?? String(u)) : [],
    subjectAlternativeNames: san ? san.names.toJSON().map((n) => `${n.type}:${n.value}`) : [],
    isCertificateAuthority: bc?.ca === true,
  };
}

function keyText(spki: ArrayBuffer): string {
  const d = describeKey(createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' }));
  return `${d.cryptographicAlgorithm} ${d.recommendedCurve?.replace('_', '-') ?? `${d.cryptographicLength} bits`}`;
}

function csrInfo(csr: x509.Pkcs10CertificateRequest, valid: boolean): CertificateRequestInfo {
  const e = extensionsInfo(csr.extensions);
  return {
    subject: csr.subject,
    subjectAlternativeNames: e.subjectAlternativeNames,
    keyUsage: e.keyUsage,
    extendedKeyUsage: e.extendedKeyUsage,
    publicKeyAlgorithm: keyText(csr.publicKey.rawData),
    signatureAlgorithm: String((csr.signatureAlgorithm as { name?: string }).name ?? 'unknown'),
    signatureValid: valid,
  };
}

function certInfo(der: Uint8Array, chain: string[]): CertificateInfo {
  const c = parseCertificate(der);
  const e = extensionsInfo(c.extensions);
  return {
    subject: c.subject,
    issuer: c.issuer,
    serialNumber: c.serialNumber,
    notBefore: c.notBefore.toISOString(),
    notAfter: c.notAfter.toISOString(),
    ...e,
    fingerprints: { sha1: fingerprint(der, 'sha1'), sha256: fingerprint(der, 'sha256') },
    chain,
  };
}

/** The private key of a vault object, for signing; the use is audited. */
async function privateKeyOf(vault: Vault, uid: string, identity: string, operation: string): Promise<KeyObject> {
  const o = await vault.getObjectForUse(uid, identity, operation);
  if (o.objectType !== 'PrivateKey' || !o.keyBlock) {
    throw new KeyholdError('invalid-argument', 'Choose a private key.', { reason: 'Invalid Object Type' });
  }
  const k = importKeyMaterial(
    'PrivateKey',
    o.keyBlock.keyFormatType,
    o.keyBlock.keyMaterial,
    o.keyBlock.cryptographicAlgorithm,
  );
  wipeMaterial(o);
  return k;
}

function wipeMaterial(o: ManagedObject): void {
  const m = o.keyBlock?.keyMaterial;
  if (m instanceof Uint8Array) m.fill(0);
}

async function valueOf(
  vault: Vault,
  uid: string,
  identity: string,
  type: 'Certificate' | 'CertificateRequest',
): Promise<Uint8Array> {
  const o = await vault.getObjectForUse(uid, identity, 'Get');
  if (o.objectType !== type || !o.value) {
    throw new KeyholdError(
      'invalid-argument',
      `That object is not a ${type === 'Certificate' ? 'certificate' : 'certificate request'}.`,
      {
        reason: 'Invalid Object Type',
      },
    );
  }
  return o.value;
}

async function objectsOfType(vault: Vault, type: string): Promise<ManagedObject[]> {
  const { uniqueIdentifiers } = await vault.locate({ attributes: { ObjectType: [type] } });
  return Promise.all(uniqueIdentifiers.map((u) => vault.getObject(u)));
}

async function findCa(vault: Vault): Promise<ManagedObject | undefined> {
  return (await objectsOfType(vault, 'Certificate')).find((o) => o.attributes[CA_MARK]?.[0] === 'true');
}

function linked(o: ManagedObject, type: string): string | undefined {
  for (const l of o.attributes['Link'] ?? []) {
    const f = l as { [k: string]: unknown };
    if (f['LinkType'] === type && typeof f['LinkedObjectIdentifier'] === 'string') return f['LinkedObjectIdentifier'];
  }
  return undefined;
}

function profileFor(eku: string[]): string {
  if (eku.includes('serverAuth')) return 'tls-server';
  if (eku.includes('clientAuth')) return 'tls-client';
  if (eku.includes('codeSigning')) return 'code-signing';
  if (eku.includes('emailProtection')) return 'smime';
  return 'tls-server';
}

function file(fileName: string, mediaType: string, data: Uint8Array | string): ExportedFile {
  return { fileName, mediaType, data: Buffer.from(data).toString('base64') };
}

export function pkiHandlers(session: VaultSession): Handlers {
  const id = () => session.identity;
  return {
    'csr.create': async (r) => {
      const vault = session.vault();
      const key = await privateKeyOf(vault, r.keyUniqueIdentifier, id(), 'Sign');
      const der = await createCsr({
        privateKey: key,
        subject: dn(r.subject),
        subjectAltNames: r.subjectAlternativeNames.map((s) => ({
          type: s.type === 'uri' ? 'url' : s.type,
          value: s.value,
        })),
        keyUsage: r.keyUsage.length ? parseKeyUsage(r.keyUsage.join(',')) : 0,
        extendedKeyUsage: r.extendedKeyUsage.length ? parseExtendedKeyUsage(r.extendedKeyUsage.join(',')) : [],
      });
      const csr = await readCsr(der);
      const uid = await vault.insert(
        {
          objectType: 'CertificateRequest',
          value: der,
          valueType: 'PKCS10',
          attributes: {
            ...named(r.name || `${r.subject.commonName} request`),
            Link: [{ LinkType: 'PrivateKeyLink', LinkedObjectIdentifier: r.keyUniqueIdentifier }],
          },
          owner: id(),
        },
        id(),
        'Register',
      );
      return { uniqueIdentifier: uid, pem: pemOf('CERTIFICATE REQUEST', der), decoded: csrInfo(csr, true) };
    },
    'ca.status': async (): Promise<LocalCaStatus> => {
      const ca = await findCa(session.vault());
      if (!ca) return { exists: false };
      const der = await valueOf(session.vault(), ca.uniqueIdentifier, id(), 'Certificate');
      return { exists: true, uniqueIdentifier: ca.uniqueIdentifier, subject: parseCertificate(der).subject };
    },
    'ca.create': async (r): Promise<LocalCaStatus> => {
      const vault = session.vault();
      if (await findCa(vault)) throw new KeyholdError('illegal-state', 'This vault already has a local CA.');
      const pair = await generateKeyPair({ algorithm: 'EC', curve: 'P-256' });
      const subject = dn(r.subject);
      const der = await selfSign(pair.privateKey, subject, { profile: 'ca', validityDays: r.validityDays });
      const [privateId, publicId, certId] = [randomUUID(), randomUUID(), randomUUID()];
      const base: Attributes = {
        CryptographicAlgorithm: ['EC'],
        CryptographicLength: [256],
        CryptographicDomainParameters: [{ RecommendedCurve: 'P_256' }],
      };
      const objects: NewManagedObject[] = [
        {
          uniqueIdentifier: privateId,
          objectType: 'PrivateKey',
          keyBlock: {
            keyFormatType: 'PKCS_8',
            keyMaterial: exportKeyMaterial(pair.privateKey, 'PKCS_8'),
            cryptographicAlgorithm: 'EC',
            cryptographicLength: 256,
          },
          attributes: {
            ...named(`${r.subject.commonName} key`),
            ...base,
            CryptographicUsageMask: [0x1 | 0x1000 | 0x2000],
            ActivationDate: [new Date()],
            Link: [
              { LinkType: 'PublicKeyLink', LinkedObjectIdentifier: publicId },
              { LinkType: 'CertificateLink', LinkedObjectIdentifier: certId },
            ],
          },
          owner: id(),
        },
        {
          uniqueIdentifier: publicId,
          objectType: 'PublicKey',
          keyBlock: {
            keyFormatType: 'X_509',
            keyMaterial: exportKeyMaterial(pair.publicKey, 'X_509'),
            cryptographicAlgorithm: 'EC',
            cryptographicLength: 256,
          },
          attributes: {
            ...named(`${r.subject.commonName} public key`),
            ...base,
            CryptographicUsageMask: [0x2],
            ActivationDate: [new Date()],
            Link: [
              { LinkType: 'PrivateKeyLink', LinkedObjectIdentifier: privateId },
              { LinkType: 'CertificateLink', LinkedObjectIdentifier: certId },
            ],
          },
          owner: id(),
        },
        {
          uniqueIdentifier: certId,
          objectType: 'Certificate',
          value: der,
          valueType: 'X_509',
          attributes: {
            ...named(r.subject.commonName),
            CertificateType: ['X_509'],
            ActivationDate: [new Date()],
            [CA_MARK]: ['true'],
            Link: [
              { LinkType: 'PublicKeyLink', LinkedObjectIdentifier: publicId },
              { LinkType: 'PrivateKeyLink', LinkedObjectIdentifier: privateId },
            ],
          },
          owner: id(),
        },
      ];
      await vault.insertMany(objects, id(), 'CreateLocalCA');
      return { exists: true, uniqueIdentifier: certId, subject: parseCertificate(der).subject };
    },
    'ca.sign': async (r) => {
      const vault = session.vault();
      const ca = await findCa(vault);
      if (!ca) throw new KeyholdError('illegal-state', 'This vault has no local CA yet; create it first.');
      const caKeyId = linked(ca, 'PrivateKeyLink');
      if (!caKeyId) throw new KeyholdError('vault-corrupt', 'The local CA has lost its private key link.');
      const csrDer = await valueOf(vault, r.requestUniqueIdentifier, id(), 'CertificateRequest');
      const csr = await readCsr(csrDer);
      const caDer = await valueOf(vault, ca.uniqueIdentifier, id(), 'Certificate');
      const caKey = await privateKeyOf(vault, caKeyId, id(), 'Certify');
      const der = await signCsr({ certificate: caDer, privateKey: caKey }, csr, {
        profile: profileFor(extensionsInfo(csr.extensions).extendedKeyUsage),
        validityDays: r.validityDays,
      });
      const requestObject = await vault.getObject(r.requestUniqueIdentifier);
      const keyId = linked(requestObject, 'PrivateKeyLink');
      const cert = parseCertificate(der);
      const cn = cert.subjectName.getField('CN')[0] ?? cert.subject;
      const links = [{ LinkType: 'CertificateLink', LinkedObjectIdentifier: ca.uniqueIdentifier }];
      if (keyId) links.push({ LinkType: 'PrivateKeyLink', LinkedObjectIdentifier: keyId });
      const uid = await vault.insert(
        {
          objectType: 'Certificate',
          value: der,
          valueType: 'X_509',
          attributes: { ...named(cn), CertificateType: ['X_509'], ActivationDate: [cert.notBefore], Link: links },
          owner: id(),
        },
        id(),
        'Certify',
      );
      return { uniqueIdentifier: uid, certificate: certInfo(der, [cert.subject, cert.issuer]) };
    },
    'certificates.inspect': async ({ uniqueIdentifier }) => {
      const vault = session.vault();
      const der = await valueOf(vault, uniqueIdentifier, id(), 'Certificate');
      const cert = parseCertificate(der);
      // The chain, as far as the vault holds the issuers.
      const chain = [cert.subject];
      const certs = (await objectsOfType(vault, 'Certificate')).filter((o) => o.uniqueIdentifier !== uniqueIdentifier);
      let current = cert;
      for (let depth = 0; depth < 8 && current.subject !== current.issuer; depth++) {
        let issuer: x509.X509Certificate | undefined;
        for (const o of certs) {
          const c = parseCertificate(await valueOf(vault, o.uniqueIdentifier, id(), 'Certificate'));
          if (c.subject === current.issuer) issuer = c;
        }
        if (!issuer) {
          chain.push(`${current.issuer} (not in the vault)`);
          break;
        }
        chain.push(issuer.subject);
        current = issuer;
      }
      return certInfo(der, chain);
    },
    'certificates.import': async ({ data, fileName, passphrase }) => {
      const vault = session.vault();
      const bytes = Buffer.from(data, 'base64');
      try {
        const { objects } = importedObjects(bytes, passphrase, fileName ?? 'imported', id());
        return { uniqueIdentifiers: await vault.insertMany(objects, id(), 'Import') };
      } finally {
        bytes.fill(0);
      }
    },
    'objects.export': async ({ uniqueIdentifier, format, passphrase }) => {
      const vault = session.vault();
      const o = await vault.getObjectForUse(uniqueIdentifier, id(), 'Export');
      try {
        const name = summaryName(o);
        if (o.objectType === 'Certificate' || o.objectType === 'CertificateRequest') {
          const label = o.objectType === 'Certificate' ? 'CERTIFICATE' : 'CERTIFICATE REQUEST';
          const ext = o.objectType === 'Certificate' ? 'crt' : 'csr';
          if (!o.value) throw new KeyholdError('illegal-state', 'This object has no value (it was destroyed).');
          if (format === 'PEM') return file(`${name}.${ext}`, 'application/x-pem-file', pemOf(label, o.value));
          if (format === 'DER') return file(`${name}.der`, 'application/pkix-cert', o.value);
          if (format === 'PKCS12' && o.objectType === 'Certificate') {
            const keyId = linked(o, 'PrivateKeyLink');
            const key = keyId ? await privateKeyOf(vault, keyId, id(), 'Export') : undefined;
            const chain = [o.value, ...(await issuersOf(vault, o, id()))];
            return file(
              `${name}.p12`,
              'application/x-pkcs12',
              writePkcs12(key, chain, requirePassphrase(passphrase), { friendlyName: name }),
            );
          }
        }
        if (!o.keyBlock) throw new KeyholdError('illegal-state', 'This object has no key material (it was destroyed).');
        const kb = o.keyBlock;
        if (o.objectType === 'SymmetricKey' || o.objectType === 'SecretData') {
          if (!(kb.keyMaterial instanceof Uint8Array))
            throw new KeyholdError('unsupported', 'This key’s format cannot be exported raw.');
          if (format === 'Raw') return file(`${name}.key`, 'application/octet-stream', kb.keyMaterial);
          if (format === 'JWK' && o.objectType === 'SymmetricKey') {
            return file(
              `${name}.jwk`,
              'application/jwk+json',
              JSON.stringify({ kty: 'oct', k: Buffer.from(kb.keyMaterial).toString('base64url') }),
            );
          }
        }
        if (o.objectType === 'PrivateKey' || o.objectType === 'PublicKey') {
          const key = importKeyMaterial(o.objectType, kb.keyFormatType, kb.keyMaterial, kb.cryptographicAlgorithm);
          const pub = o.objectType === 'PublicKey' ? key : createPublicKey(key);
          if (o.objectType === 'PublicKey') {
            if (format === 'PEM')
              return file(`${name}.pub.pem`, 'application/x-pem-file', pub.export({ format: 'pem', type: 'spki' }));
            if (format === 'DER')
              return file(`${name}.pub.der`, 'application/octet-stream', pub.export({ format: 'der', type: 'spki' }));
          } else {
            const priv = createPrivateKey({
              key: key.export({ format: 'der', type: 'pkcs8' }),
              format: 'der',
              type: 'pkcs8',
            });
            if (format === 'PKCS8' || format === 'PEM')
              return file(`${name}.key.pem`, 'application/x-pem-file', priv.export({ format: 'pem', type: 'pkcs8' }));
            if (format === 'DER')
              return file(`${name}.key.der`, 'application/octet-stream', priv.export({ format: 'der', type: 'pkcs8' }));
          }
          if (format === 'JWK')
            return file(`${name}.jwk`, 'application/jwk+json', JSON.stringify(key.export({ format: 'jwk' })));
          if (format === 'OpenSSH') {
            return o.objectType === 'PublicKey'
              ? file(`${name}.pub`, 'text/plain', writeOpenSshPublicKey(pub, name))
              : file(`${name}`, 'text/plain', writeOpenSshPrivateKey(key, name));
          }
          if (format === 'PKCS12' && o.objectType === 'PrivateKey') {
            const certs = await certificatesFor(vault, o.uniqueIdentifier, id());
            return file(
              `${name}.p12`,
              'application/x-pkcs12',
              writePkcs12(key, certs, requirePassphrase(passphrase), { friendlyName: name }),
            );
          }
        }
        throw new KeyholdError('unsupported', `Export as ${format} is not available for this object in this build.`, {
          reason: 'Key Format Type Not Supported',
        });
      } finally {
        wipeMaterial(o);
      }
    },
  };
}

function requirePassphrase(p: string | undefined): string {
  if (!p) throw new KeyholdError('invalid-argument', 'A PKCS#12 file needs a passphrase to protect it.');
  return p;
}

/** The certificates for a private key (those linking to it), each followed by its issuers in the vault. */
async function certificatesFor(vault: Vault, keyId: string, identity: string): Promise<Uint8Array[]> {
  for (const c of await objectsOfType(vault, 'Certificate')) {
    if (linked(c, 'PrivateKeyLink') !== keyId || c.attributes[CA_MARK]) continue;
    return [
      await valueOf(vault, c.uniqueIdentifier, identity, 'Certificate'),
      ...(await issuersOf(vault, c, identity)),
    ];
  }
  return [];
}

async function issuersOf(vault: Vault, cert: ManagedObject, identity: string): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  let next = linked(cert, 'CertificateLink');
  for (let depth = 0; next && depth < 8; depth++) {
    const issuer = await vault.getObject(next);
    out.push(await valueOf(vault, next, identity, 'Certificate'));
    const up = linked(issuer, 'CertificateLink');
    next = up === next ? undefined : up;
  }
  return out;
}

/** Vault objects for what a file holds; certificates link to the private key whose public key they carry. */
export function importedObjects(
  data: Uint8Array,
  passphrase: string | undefined,
  fileName: string,
  owner: string,
): { objects: NewManagedObject[]; format: string } {
  const items = readAny(data, passphrase);
  const objects: NewManagedObject[] = [];
  const base = fileName.replace(/\.[^.]+$/, '') || 'imported';
  const keyIds = new Map<string, string>();
  items.privateKeys.forEach(({ key, label }, i) => {
    const d = describeKey(key);
    const uid = randomUUID();
    keyIds.set(createPublicKey(key).export({ format: 'der', type: 'spki' }).toString('hex'), uid);
    const attributes: Attributes = {
      ...named(label ?? `${base} key${i ? ` ${i + 1}` : ''}`),
      CryptographicAlgorithm: [d.cryptographicAlgorithm],
      CryptographicLength: [d.cryptographicLength],
    };
    if (d.recommendedCurve) attributes['CryptographicDomainParameters'] = [{ RecommendedCurve: d.recommendedCurve }];
    const keyMaterial = exportKeyMaterial(key, 'PKCS_8');
    objects.push({
      uniqueIdentifier: uid,
      objectType: 'PrivateKey',
      keyBlock: {
        keyFormatType: 'PKCS_8',
        keyMaterial,
        cryptographicAlgorithm: d.cryptographicAlgorithm,
        cryptographicLength: d.cryptographicLength,
      },
      attributes,
      owner,
    });
  });
  for (const { key, label } of items.publicKeys) {
    const d = describeKey(key);
    objects.push({
      objectType: 'PublicKey',
      keyBlock: {
        keyFormatType: 'X_509',
        keyMaterial: exportKeyMaterial(key, 'X_509'),
        cryptographicAlgorithm: d.cryptographicAlgorithm,
        cryptographicLength: d.cryptographicLength,
      },
      attributes: {
        ...named(label ?? `${base} public key`),
        CryptographicAlgorithm: [d.cryptographicAlgorithm],
        CryptographicLength: [d.cryptographicLength],
      },
      owner,
    });
  }
  for (const der of items.certificates) {
    const c = parseCertificate(der);
    const keyId = keyIds.get(Buffer.from(c.publicKey.rawData).toString('hex'));
    const attributes: Attributes = {
      ...named(c.subjectName.getField('CN')[0] ?? c.subject),
      CertificateType: ['X_509'],
    };
    if (keyId) attributes['Link'] = [{ LinkType: 'PrivateKeyLink', LinkedObjectIdentifier: keyId }];
    objects.push({ objectType: 'Certificate', value: der, valueType: 'X_509', attributes, owner });
  }
  for (const der of items.csrs) {
    objects.push({
      objectType: 'CertificateRequest',
      value: der,
      valueType: 'PKCS10',
      attributes: named(`${base} request`),
      owner,
    });
  }
  for (const secret of items.secrets) {
    objects.push({
      objectType: 'SymmetricKey',
      keyBlock: {
        keyFormatType: 'Raw',
        keyMaterial: secret,
        cryptographicAlgorithm: 'AES',
        cryptographicLength: secret.length * 8,
      },
      attributes: {
        ...named(`${base} secret`),
        CryptographicAlgorithm: ['AES'],
        CryptographicLength: [secret.length * 8],
      },
      owner,
    });
  }
  if (objects.length === 0)
    throw new KeyholdError('format', `The ${items.format} file holds nothing Keyhold can keep.`);
  return { objects, format: items.format };
}

function summaryName(o: ManagedObject): string {
  const n = o.attributes['Name']?.[0] as { NameValue?: unknown } | undefined;
  const v = typeof n?.NameValue === 'string' ? n.NameValue : o.uniqueIdentifier;
  return v.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80) || 'object';
}
