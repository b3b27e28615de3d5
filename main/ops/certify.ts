/**
 * Certify and Re-certify (KMIP 1.4 sections 4.7-4.8 / 2.1 sections 6.1.6 and 6.1.45): X.509
 * certificates issued by Keyhold's CA for a public key or a PKCS#10 request, kept as Certificate
 * objects linked to their public key.
 *
 * The issuer is the server CA that `keyhold serve` keeps in the vault (main/server/pki.ts, owned
 * by "keyhold:server" and never visible over KMIP). A store without one (the in-memory server of
 * the tests) gets a Certify CA of its own on first use. Certificates issued here never become
 * KMIP client identities: `keyhold serve` only accepts the serial numbers of enrolled clients.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { isKeyholdError } from '../../shared/errors.js';
import {
  USAGE_MASK,
  certificateObject,
  describeKey,
  exportKeyMaterial,
  generateKeyPair,
  importKeyMaterial,
  issueCertificate,
  parseCertificate,
  parseDistinguishedName,
  publicKeyOf,
  readCsr,
  selfSign,
  x509,
  type Issuer,
} from '../crypto/index.js';
import type { Profile } from '../crypto/x509/profiles.js';
import { ItemType, type StructureItem } from '../kmip/ttlv/index.js';
import type { AttributeValue, Attributes, ManagedObject } from '../vault/model.js';
import { attributesFromV1, attributesFromV2 } from './attributes.js';
import type { OpsContext } from './context.js';
import { kmipError } from './errors.js';
import {
  NOT_INHERITED_BY_REPLACEMENT,
  SERVER_OWNER,
  first,
  inheritedAttributes,
  loadObject,
  newObject,
  stateOf,
  targetId,
  touch,
} from './objects.js';
import { find, findEnum, findInt, findStruct, findText, t } from './ttlv.js';
import { Tag } from './vocabulary.js';

/** The server CA's Name in the vault (main/server/pki.ts CA_NAME). */
export const SERVER_CA_NAME = 'keyhold-server-ca';
/** The CA made for a store that has no server CA (an in-memory server). */
export const CERTIFY_CA_NAME = 'keyhold-certify-ca';

const DAY = 86_400_000;
const DEFAULT_VALIDITY_DAYS = 365;

/** Certificate Request Type (KMIP 1.4 section 9.1.3.2.22). */
const RequestType = { CRMF: 1, PKCS_10: 2, PEM: 3, PGP: 4 } as const;

type Fields = { [field: string]: AttributeValue };

function nameOf(o: ManagedObject): string | undefined {
  const n = o.attributes.Name?.[0] as Fields | undefined;
  return typeof n?.NameValue === 'string' ? n.NameValue : undefined;
}

function linkTargets(o: ManagedObject, type: string): string[] {
  return (o.attributes.Link ?? []).flatMap((l) => {
    const f = l as Fields;
    return f.LinkType === type && typeof f.LinkedObjectIdentifier === 'string' ? [f.LinkedObjectIdentifier] : [];
  });
}

function addLink(o: ManagedObject, type: string, uid: string): void {
  (o.attributes.Link ??= []).push({ LinkType: type, LinkedObjectIdentifier: uid });
}

/** The server's own objects with this Name (read as the server, so the audit says who used the CA key). */
async function serverObjectsNamed(ctx: OpsContext, name: string): Promise<ManagedObject[]> {
  if (ctx.store.locate) {
    const found = await ctx.store.locate({
      attributes: { Name: [{ NameValue: name, NameType: 'UninterpretedTextString' }] },
      owner: SERVER_OWNER,
      storageStatusMask: 1,
    });
    const out: ManagedObject[] = [];
    for (const uid of found.uniqueIdentifiers) {
      const o = await ctx.store.get(uid, SERVER_OWNER);
      if (o) out.push(o);
    }
    return out;
  }
  return (await ctx.store.all()).filter((o) => o.owner === SERVER_OWNER && nameOf(o) === name);
}

async function issuerNamed(ctx: OpsContext, name: string): Promise<Issuer | undefined> {
  const objects = (await serverObjectsNamed(ctx, name)).filter((o) => nameOf(o) === name && stateOf(o) === 'Active');
  const cert = objects.find((o) => o.objectType === 'Certificate' && o.value);
  const key = objects.find((o) => o.objectType === 'PrivateKey' && o.keyBlock);
  if (!cert?.value || !key?.keyBlock) return undefined;
  const kb = key.keyBlock;
  return {
    certificate: cert.value,
    privateKey: importKeyMaterial('PrivateKey', kb.keyFormatType, kb.keyMaterial, kb.cryptographicAlgorithm),
  };
}

/** The CA that signs: the server CA, else this store's Certify CA, made on first use. */
async function certifyingCa(ctx: OpsContext): Promise<Issuer> {
  const found = (await issuerNamed(ctx, SERVER_CA_NAME)) ?? (await issuerNamed(ctx, CERTIFY_CA_NAME));
  if (found) return found;
  const pair = await generateKeyPair({ algorithm: 'EC', curve: 'P-256' });
  const der = await selfSign(pair.privateKey, 'CN=Keyhold Certify CA', { profile: 'ca' });
  const now = ctx.now();
  const common = (type: ManagedObject['objectType']): Attributes => ({
    UniqueIdentifier: [],
    ObjectType: [type],
    Name: [{ NameValue: CERTIFY_CA_NAME, NameType: 'UninterpretedTextString' }],
    State: ['Active'],
    InitialDate: [now],
    ActivationDate: [now],
    LastChangeDate: [now],
  });
  const keyId = await ctx.store.newUniqueIdentifier();
  const certId = await ctx.store.newUniqueIdentifier();
  const keyAttrs = { ...common('PrivateKey'), UniqueIdentifier: [keyId] };
  const certAttrs = { ...common('Certificate'), UniqueIdentifier: [certId] };
  await ctx.store.put(
    {
      uniqueIdentifier: keyId,
      objectType: 'PrivateKey',
      owner: SERVER_OWNER,
      attributes: keyAttrs,
      keyBlock: {
        keyFormatType: 'PKCS_8',
        keyMaterial: exportKeyMaterial(pair.privateKey, 'PKCS_8'),
        cryptographicAlgorithm: 'EC',
        cryptographicLength: 256,
      },
    },
    SERVER_OWNER,
  );
  await ctx.store.put(
    {
      uniqueIdentifier: certId,
      objectType: 'Certificate',
      owner: SERVER_OWNER,
      attributes: certAttrs,
      value: der,
      valueType: 'X_509',
    },
    SERVER_OWNER,
  );
  return { certificate: der, privateKey: pair.privateKey };
}

/** The Certificate Request of a request: 1.x Certificate Request (Byte String) or 2.x Certificate Request Value. */
function requestBytes(payload: StructureItem): Uint8Array | undefined {
  for (const tag of [Tag.CertificateRequestValue, Tag.CertificateRequest]) {
    const item = find(payload, tag);
    if (item?.type === ItemType.ByteString) return item.value;
  }
  return undefined;
}

async function parseRequest(type: number | undefined, bytes: Uint8Array): Promise<x509.Pkcs10CertificateRequest> {
  if (type === undefined)
    throw kmipError('InvalidField', 'Certificate Request Type is required with a Certificate Request');
  if (type === RequestType.CRMF || type === RequestType.PGP) {
    throw kmipError(
      'FeatureNotSupported',
      `${type === RequestType.CRMF ? 'CRMF' : 'PGP'} certificate requests are not supported: send PKCS#10 (DER or PEM)`,
      'unsupported',
    );
  }
  if (type !== RequestType.PKCS_10 && type !== RequestType.PEM)
    throw kmipError('InvalidField', `unknown Certificate Request Type ${type}`);
  try {
    return await readCsr(bytes);
  } catch (e) {
    const why = isKeyholdError(e) ? e.message : 'unreadable';
    throw kmipError('InvalidCSR', `the certificate request is not valid: ${why}`, 'invalid-argument');
  }
}

/** Template Attribute (1.x) or Attributes (2.x) of the request. */
function requestedAttributes(payload: StructureItem): Attributes {
  return {
    ...attributesFromV1(findStruct(payload, Tag.TemplateAttribute)),
    ...attributesFromV2(findStruct(payload, Tag.Attributes)),
  };
}

function checkCertificateType(attrs: Attributes): void {
  const type = first<string>(attrs, 'CertificateType');
  if (type !== undefined && type !== 'X_509')
    throw kmipError('FeatureNotSupported', `Keyhold issues X.509 certificates, not ${type}`, 'unsupported');
}

const spkiOf = (key: KeyObject) => key.export({ format: 'der', type: 'spki' });

function publicKeyFromObject(o: ManagedObject): KeyObject {
  const kb = o.keyBlock;
  if (!kb || kb.keyWrappingData)
    throw kmipError('KeyValueNotPresent', `key ${o.uniqueIdentifier} has no usable key material`, 'illegal-state');
  try {
    const key = importKeyMaterial(
      o.objectType as 'PublicKey' | 'PrivateKey',
      kb.keyFormatType,
      kb.keyMaterial,
      kb.cryptographicAlgorithm,
    );
    return key.type === 'public' ? key : createPublicKey(key);
  } catch {
    throw kmipError('InvalidField', `key ${o.uniqueIdentifier} cannot be read as a public key`, 'invalid-argument');
  }
}

const subjectFields: [string, string][] = [
  ['CN', 'CertificateSubjectCN'],
  ['OU', 'CertificateSubjectOU'],
  ['O', 'CertificateSubjectO'],
  ['L', 'CertificateSubjectL'],
  ['ST', 'CertificateSubjectST'],
  ['C', 'CertificateSubjectC'],
  ['E', 'CertificateSubjectEmail'],
  ['DC', 'CertificateSubjectDC'],
];

/** The subject without a CSR: X.509 Certificate Subject, the 2.x Certificate Subject fields, the key's Name, its identifier. */
function subjectFromAttributes(attrs: Attributes, key: ManagedObject): x509.Name {
  const x = first<Fields>(attrs, 'X509CertificateSubject');
  if (x?.SubjectDistinguishedName instanceof Uint8Array && x.SubjectDistinguishedName.length > 0) {
    try {
      return new x509.Name(Uint8Array.from(x.SubjectDistinguishedName).buffer);
    } catch {
      throw kmipError('InvalidField', 'the Subject Distinguished Name is not a DER X.500 name', 'invalid-argument');
    }
  }
  const esc = (v: string) => v.replace(/([,+"\\<>;=])/g, '\\$1');
  const parts = subjectFields.flatMap(([short, name]) =>
    (attrs[name] ?? []).filter((v): v is string => typeof v === 'string').map((v) => `${short}=${esc(v)}`),
  );
  if (parts.length > 0) {
    try {
      return parseDistinguishedName(parts.join(', '));
    } catch {
      throw kmipError('InvalidField', 'the Certificate Subject attributes do not make a name', 'invalid-argument');
    }
  }
  return parseDistinguishedName(`CN=${esc(nameOf(key) ?? key.uniqueIdentifier)}`);
}

const KU = x509.KeyUsageFlags;

/** id-kp-serverAuth and anyExtendedKeyUsage (RFC 5280 section 4.2.1.12). */
const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const ANY_EKU = '2.5.29.37.0';
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';

/**
 * The certificate's profile: key usages from the request's Key Usage extension or the key's
 * Cryptographic Usage Mask, extended key usages as requested (Client Authentication when none
 * is); never a CA. The issuer is the CA that KMIP clients trust for Keyhold's own TLS
 * certificate, so it never issues a TLS server certificate (serverAuth or any purpose) to a
 * client: that would let one client impersonate the server to the others. The certificate
 * always carries an Extended Key Usage, so TLS stacks refuse it as a server certificate.
 */
function profileFor(key: KeyObject, mask: number | undefined, requested: readonly x509.Extension[]): Profile {
  const ku = requested.find((e): e is x509.KeyUsagesExtension => e instanceof x509.KeyUsagesExtension);
  const eku = requested.find((e): e is x509.ExtendedKeyUsageExtension => e instanceof x509.ExtendedKeyUsageExtension);
  let usages = ku ? ku.usages & ~(KU.keyCertSign | KU.cRLSign) : 0;
  if (!ku && mask !== undefined) {
    const rsa = key.asymmetricKeyType === 'rsa';
    if (mask & (USAGE_MASK.Sign | USAGE_MASK.Verify)) usages |= KU.digitalSignature;
    if (mask & USAGE_MASK.ContentCommitment) usages |= KU.nonRepudiation;
    if (rsa && mask & (USAGE_MASK.WrapKey | USAGE_MASK.UnwrapKey)) usages |= KU.keyEncipherment;
    if (rsa && mask & (USAGE_MASK.Encrypt | USAGE_MASK.Decrypt)) usages |= KU.dataEncipherment;
    if (!rsa && mask & USAGE_MASK.KeyAgreement) usages |= KU.keyAgreement;
  }
  if (usages === 0) usages = KU.digitalSignature | (key.asymmetricKeyType === 'rsa' ? KU.keyEncipherment : 0);
  const purposes = eku ? eku.usages.map(String) : [CLIENT_AUTH];
  if (purposes.includes(SERVER_AUTH) || purposes.includes(ANY_EKU)) {
    throw kmipError(
      'PermissionDenied',
      "Keyhold's CA does not issue TLS server (or any-purpose) certificates over KMIP",
      'permission-denied',
    );
  }
  return {
    keyUsage: usages,
    extendedKeyUsage: purposes.length > 0 ? purposes : [CLIENT_AUTH],
    ca: false,
    validityDays: DEFAULT_VALIDITY_DAYS,
  };
}

const SIGNATURE_ALGORITHM: Record<string, string> = {
  'ECDSA SHA-256': 'ECDSAWithSHA256',
  'ECDSA SHA-384': 'ECDSAWithSHA384',
  'ECDSA SHA-512': 'ECDSAWithSHA512',
  'RSASSA-PKCS1-v1_5 SHA-256': 'SHA_256WithRSAEncryption',
  'RSASSA-PKCS1-v1_5 SHA-384': 'SHA_384WithRSAEncryption',
  'RSASSA-PKCS1-v1_5 SHA-512': 'SHA_512WithRSAEncryption',
};

const issuerFields: [string, string][] = subjectFields.map(([s, n]) => [s, n.replace('Subject', 'Issuer')]);

/** The attributes a certificate's value determines (1.x X.509 Certificate Identifier/Subject/Issuer, 2.x fields). */
export function certificateAttributes(der: Uint8Array): Attributes {
  const fromValue = certificateObject(der).attributes;
  const out: Attributes = {};
  for (const name of [
    'CertificateType',
    'CertificateLength',
    'X509CertificateIdentifier',
    'X509CertificateSubject',
    'X509CertificateIssuer',
    'CryptographicAlgorithm',
    'CryptographicLength',
    'CryptographicDomainParameters',
  ]) {
    const v = fromValue[name];
    if (v) out[name] = v;
  }
  const cert = parseCertificate(der);
  const alg = cert.signatureAlgorithm as { name?: string; hash?: { name?: string } };
  const dsa = SIGNATURE_ALGORITHM[`${alg.name ?? ''} ${alg.hash?.name ?? ''}`];
  if (dsa) out.DigitalSignatureAlgorithm = [dsa];
  for (const [short, attr] of subjectFields) {
    const values = cert.subjectName.getField(short);
    if (values.length > 0) out[attr] = values;
  }
  for (const [short, attr] of issuerFields) {
    const values = cert.issuerName.getField(short);
    if (values.length > 0) out[attr] = values;
  }
  return out;
}

/** Register of a certificate: the attributes of an X.509 value; none when it is not one. */
export function registeredCertificateAttributes(parts: Pick<ManagedObject, 'value' | 'valueType'>): Attributes {
  if (!parts.value || (parts.valueType !== undefined && parts.valueType !== 'X_509')) return {};
  try {
    return certificateAttributes(parts.value);
  } catch {
    return {};
  }
}

/** Attributes the client may not choose for a certificate: its value decides them. */
const fromCertificate = new Set([
  'CertificateType',
  'CertificateLength',
  'X509CertificateIdentifier',
  'X509CertificateSubject',
  'X509CertificateIssuer',
  'DigitalSignatureAlgorithm',
  'CryptographicAlgorithm',
  'CryptographicLength',
  'CryptographicDomainParameters',
  ...subjectFields.map(([, n]) => n),
  ...issuerFields.map(([, n]) => n),
]);

function withoutCertificateFields(attrs: Attributes): Attributes {
  const out: Attributes = {};
  for (const [k, v] of Object.entries(attrs)) if (!fromCertificate.has(k)) out[k] = v;
  return out;
}

async function issue(
  ca: Issuer,
  publicKey: KeyObject,
  name: x509.Name,
  profile: Profile,
  requestedExtensions: x509.Extension[],
  validityDays: number,
): Promise<Buffer> {
  try {
    return await issueCertificate(ca, { publicKey, name, requestedExtensions }, { profile, validityDays });
  } catch (e) {
    if (isKeyholdError(e) && e.code === 'unsupported') throw kmipError('FeatureNotSupported', e.message, 'unsupported');
    throw kmipError(
      'CryptographicFailure',
      isKeyholdError(e) ? e.message : 'could not issue the certificate',
      'crypto',
    );
  }
}

/** A public key object for a CSR that came without one (so the certificate has its Public Key Link). */
async function publicKeyObjectFor(key: KeyObject, ctx: OpsContext): Promise<ManagedObject> {
  const d = describeKey(key);
  return newObject(
    ctx,
    'PublicKey',
    { ActivationDate: [ctx.now()] },
    {
      keyBlock: {
        keyFormatType: 'X_509',
        keyMaterial: spkiOf(key),
        cryptographicAlgorithm: d.cryptographicAlgorithm,
        cryptographicLength: d.cryptographicLength,
      },
    },
  );
}

function byId(uid: string): StructureItem {
  return t.struct(Tag.RequestPayload, [t.text(Tag.UniqueIdentifier, uid)]);
}

/** The public key a Certify names (a Private Key stands for its linked Public Key). */
async function publicKeyObject(obj: ManagedObject, ctx: OpsContext): Promise<ManagedObject> {
  if (obj.objectType === 'PublicKey') return obj;
  if (obj.objectType === 'PrivateKey') {
    const pub = linkTargets(obj, 'PublicKeyLink')[0];
    if (pub !== undefined) return loadObject(byId(pub), ctx);
  }
  throw kmipError(
    'InvalidObjectType',
    `Certify certifies a Public Key or a Certificate Request, not a ${obj.objectType}`,
    'invalid-argument',
  );
}

/** Certify (KMIP 1.4 section 4.7 / 2.1 section 6.1.6). */
export async function certify(payload: StructureItem, ctx: OpsContext): Promise<StructureItem> {
  const attrs = requestedAttributes(payload);
  checkCertificateType(attrs);
  const bytes = requestBytes(payload);
  const type = findEnum(payload, Tag.CertificateRequestType);
  let csr: x509.Pkcs10CertificateRequest | undefined;
  let pubObject: ManagedObject | undefined;
  if (bytes) {
    csr = await parseRequest(type, bytes);
    const uid = findText(payload, Tag.UniqueIdentifier);
    if (uid !== undefined) pubObject = await publicKeyObject(await loadObject(byId(uid), ctx), ctx);
  } else {
    const target = await loadObject(byId(targetId(payload, ctx)), ctx);
    if (target.objectType === 'CertificateRequest') {
      const kind = Number.parseInt((target.valueType ?? '0x2').slice(2), 16);
      csr = await parseRequest(kind, target.value ?? new Uint8Array());
      const linked = linkTargets(target, 'PublicKeyLink')[0];
      if (linked !== undefined) pubObject = await loadObject(byId(linked), ctx);
    } else {
      pubObject = await publicKeyObject(target, ctx);
    }
  }
  let publicKey: KeyObject;
  if (csr) {
    publicKey = publicKeyOf(csr);
    if (pubObject && !spkiOf(publicKeyFromObject(pubObject)).equals(spkiOf(publicKey))) {
      throw kmipError(
        'InvalidCSR',
        `the request's key is not public key ${pubObject.uniqueIdentifier}`,
        'invalid-argument',
      );
    }
  } else {
    publicKey = publicKeyFromObject(pubObject as ManagedObject);
  }
  const keyObject = pubObject ?? (await publicKeyObjectFor(publicKey, ctx));
  const subject = csr ? csr.subjectName : subjectFromAttributes(attrs, keyObject);
  const requested = csr ? [...csr.extensions] : [];
  const mask = first<number>(keyObject.attributes, 'CryptographicUsageMask');
  const der = await issue(
    await certifyingCa(ctx),
    publicKey,
    subject,
    profileFor(publicKey, mask, requested),
    requested,
    DEFAULT_VALIDITY_DAYS,
  );
  const cert = parseCertificate(der);
  const certificate = await newObject(
    ctx,
    'Certificate',
    {
      ActivationDate: [cert.notBefore],
      DeactivationDate: [cert.notAfter],
      ...withoutCertificateFields(attrs),
      ...certificateAttributes(der),
    },
    { value: der, valueType: 'X_509' },
  );
  addLink(certificate, 'PublicKeyLink', keyObject.uniqueIdentifier);
  addLink(keyObject, 'CertificateLink', certificate.uniqueIdentifier);
  touch(keyObject, ctx);
  await ctx.store.put(certificate, ctx.identity);
  await ctx.store.put(keyObject, ctx.identity);
  ctx.idPlaceholder = certificate.uniqueIdentifier;
  return t.struct(Tag.ResponsePayload, [t.text(Tag.UniqueIdentifier, certificate.uniqueIdentifier)]);
}

/** Attributes of the existing certificate the new one does not take (2.1 Table 299, and those its value decides). */
const notCopied = new Set([...NOT_INHERITED_BY_REPLACEMENT, 'ActivationDate', 'DeactivationDate', ...fromCertificate]);

/** Re-certify (KMIP 1.4 section 4.8 / 2.1 section 6.1.45): a new certificate for the same key pair. */
export async function reCertify(payload: StructureItem, ctx: OpsContext): Promise<StructureItem> {
  const old = await loadObject(payload, ctx);
  if (old.objectType !== 'Certificate' || !old.value)
    throw kmipError('InvalidObjectType', `Re-certify renews certificates, not a ${old.objectType}`, 'invalid-argument');
  if (old.valueType !== undefined && old.valueType !== 'X_509')
    throw kmipError('FeatureNotSupported', `Keyhold renews X.509 certificates, not ${old.valueType}`, 'unsupported');
  const attrs = requestedAttributes(payload);
  checkCertificateType(attrs);
  const oldCert = parseCertificate(old.value);
  const publicKey = publicKeyOf(oldCert);
  let bytes = requestBytes(payload);
  let type = findEnum(payload, Tag.CertificateRequestType);
  const requestId = findText(payload, Tag.CertificateRequestUniqueIdentifier);
  if (!bytes && requestId !== undefined) {
    const saved = ctx.idPlaceholder;
    const request = await loadObject(byId(requestId), ctx);
    ctx.idPlaceholder = saved;
    if (request.objectType !== 'CertificateRequest')
      throw kmipError('InvalidObjectType', `${requestId} is not a Certificate Request`, 'invalid-argument');
    bytes = request.value ?? new Uint8Array();
    type = Number.parseInt((request.valueType ?? '0x2').slice(2), 16);
  }
  const csr = bytes ? await parseRequest(type, bytes) : undefined;
  if (csr && !spkiOf(publicKeyOf(csr)).equals(spkiOf(publicKey)))
    throw kmipError('InvalidCSR', 'Re-certify renews a certificate for the same key pair', 'invalid-argument');
  // The new certificate keeps the existing one's extensions (names, key usages) unless the CSR asks.
  const kept = oldCert.extensions.filter(
    (e) =>
      e instanceof x509.SubjectAlternativeNameExtension ||
      e instanceof x509.KeyUsagesExtension ||
      e instanceof x509.ExtendedKeyUsageExtension,
  );
  const requested = csr ? [...csr.extensions] : kept;
  const days = Math.max(1, Math.round((oldCert.notAfter.getTime() - oldCert.notBefore.getTime()) / DAY));
  const der = await issue(
    await certifyingCa(ctx),
    publicKey,
    csr ? csr.subjectName : oldCert.subjectName,
    profileFor(publicKey, undefined, requested),
    requested,
    days,
  );
  const cert = parseCertificate(der);
  const copied = inheritedAttributes(old, notCopied);
  // Dates (2.1 Table 298): copied without an Offset; with one, Activation = now + Offset and Deactivation moves with it.
  const offset = findInt(payload, Tag.Offset);
  const at1 = first<Date>(old.attributes, 'ActivationDate');
  const dt1 = first<Date>(old.attributes, 'DeactivationDate');
  const dates: Attributes = {};
  if (offset !== undefined) {
    const at2 = new Date(ctx.now().getTime() + offset * 1000);
    dates.ActivationDate = [at2];
    if (dt1 instanceof Date && at1 instanceof Date)
      dates.DeactivationDate = [new Date(dt1.getTime() + (at2.getTime() - at1.getTime()))];
  } else {
    dates.ActivationDate = [at1 instanceof Date ? at1 : cert.notBefore];
    dates.DeactivationDate = [dt1 instanceof Date ? dt1 : cert.notAfter];
  }
  const replacement = await newObject(
    ctx,
    'Certificate',
    { ...copied, ...dates, ...withoutCertificateFields(attrs), ...certificateAttributes(der) },
    { value: der, valueType: 'X_509' },
  );
  // Links: Replaced/Replacement both ways; the public key now points at the new certificate.
  const keyIds = linkTargets(old, 'PublicKeyLink');
  for (const k of keyIds) addLink(replacement, 'PublicKeyLink', k);
  addLink(replacement, 'ReplacedObjectLink', old.uniqueIdentifier);
  delete old.attributes.Name;
  addLink(old, 'ReplacementObjectLink', replacement.uniqueIdentifier);
  touch(old, ctx);
  const keys: ManagedObject[] = [];
  for (const k of keyIds) {
    const key = await ctx.store.get(k, ctx.identity);
    if (!key || key.owner !== old.owner) continue;
    key.attributes.Link = (key.attributes.Link ?? []).filter(
      (l) =>
        !(
          (l as Fields).LinkType === 'CertificateLink' && (l as Fields).LinkedObjectIdentifier === old.uniqueIdentifier
        ),
    );
    addLink(key, 'CertificateLink', replacement.uniqueIdentifier);
    touch(key, ctx);
    keys.push(key);
  }
  await ctx.store.put(replacement, ctx.identity);
  await ctx.store.put(old, ctx.identity);
  for (const key of keys) await ctx.store.put(key, ctx.identity);
  ctx.idPlaceholder = replacement.uniqueIdentifier;
  return t.struct(Tag.ResponsePayload, [t.text(Tag.UniqueIdentifier, replacement.uniqueIdentifier)]);
}
