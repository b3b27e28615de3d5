/**
 * Builders that turn generated or imported keys, certificates and CSRs into vault objects with
 * KMIP attributes (spec 1.4 section 3): Cryptographic Algorithm/Length, Usage Mask, Name, Links
 * between a private key, its public key and its certificates, Digest, Fresh. And the way back:
 * a stored object to a usable key.
 */
import { createHash, createPublicKey, randomUUID, type KeyObject } from 'node:crypto';
import type { AttributeValue, Attributes, KeyBlock, ManagedObject, ObjectType } from '../vault/model.js';
import { invalidArgument, unsupported } from './errors.js';
import type { SymmetricKeyAlgorithm } from './generate.js';
import { describeKey, exportKeyMaterial, importKeyMaterial } from './key-material.js';
import { USAGE_MASK } from './kmip-names.js';
import { x509 } from './x509/provider.js';

/** A managed object ready for Vault.insert / insertMany (Unique Identifier chosen here, for Links). */
export type NewObject = Omit<ManagedObject, 'owner'> & { owner: string };

export interface CommonOptions {
  name?: string;
  owner?: string;
  /** KMIP Cryptographic Usage Mask; a sensible default per algorithm otherwise. */
  usageMask?: number;
  /** When given, the object becomes Active at that date (KMIP Activation Date). */
  activationDate?: Date;
  /** Extra attributes (custom x-* attributes, Object Group...). */
  attributes?: Attributes;
}

const U = USAGE_MASK;

function common(o: CommonOptions, usageMask: number | undefined): Attributes {
  const a: Attributes = { Fresh: [true] };
  if (usageMask !== undefined) a['CryptographicUsageMask'] = [o.usageMask ?? usageMask];
  if (o.name) a['Name'] = [{ NameValue: o.name, NameType: 'UninterpretedTextString' }];
  if (o.activationDate) a['ActivationDate'] = [o.activationDate];
  return { ...a, ...(o.attributes ?? {}) };
}

/** KMIP Digest attribute (spec 1.4 section 3.17): SHA-256 over the key material as stored. */
export function digestAttribute(bytes: Uint8Array, keyFormatType?: string): { [field: string]: AttributeValue } {
  const d: { [field: string]: AttributeValue } = {
    HashingAlgorithm: 'SHA_256',
    DigestValue: createHash('sha256').update(bytes).digest(),
  };
  if (keyFormatType) d['KeyFormatType'] = keyFormatType;
  return d;
}

const link = (type: string, uid: string): { [field: string]: AttributeValue } => ({
  LinkType: type,
  LinkedObjectIdentifier: uid,
});

/** A symmetric key (Key Format Type Raw). The caller wipes `bytes` afterwards; the object keeps a copy. */
export function symmetricKeyObject(
  bytes: Uint8Array,
  algorithm: SymmetricKeyAlgorithm,
  o: CommonOptions = {},
): NewObject {
  const mask = algorithm.startsWith('HMAC')
    ? U.MACGenerate | U.MACVerify
    : U.Encrypt | U.Decrypt | U.WrapKey | U.UnwrapKey;
  return {
    uniqueIdentifier: randomUUID(),
    objectType: 'SymmetricKey',
    owner: o.owner ?? '',
    keyBlock: {
      keyFormatType: 'Raw',
      keyMaterial: Uint8Array.from(bytes),
      cryptographicAlgorithm: algorithm,
      cryptographicLength: bytes.length * 8,
    },
    attributes: {
      ...common(o, mask),
      CryptographicAlgorithm: [algorithm],
      CryptographicLength: [bytes.length * 8],
      Digest: [digestAttribute(bytes, 'Raw')],
    },
  };
}

/** Secret Data (a password or seed), Key Format Type Opaque. */
export function secretDataObject(
  bytes: Uint8Array,
  o: CommonOptions & { secretDataType?: 'Password' | 'Seed' } = {},
): NewObject {
  return {
    uniqueIdentifier: randomUUID(),
    objectType: 'SecretData',
    owner: o.owner ?? '',
    keyBlock: { keyFormatType: 'Opaque', keyMaterial: Uint8Array.from(bytes) },
    attributes: {
      ...common(o, U.DeriveKey | U.Export),
      SecretDataType: [o.secretDataType ?? 'Seed'],
      Digest: [digestAttribute(bytes, 'Opaque')],
    },
  };
}

function defaultMasks(key: KeyObject): { priv: number; pub: number } {
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return { priv: U.Sign | U.Decrypt | U.UnwrapKey, pub: U.Verify | U.Encrypt | U.WrapKey };
    case 'ec':
      return { priv: U.Sign | U.KeyAgreement, pub: U.Verify | U.KeyAgreement };
    case 'x25519':
    case 'x448':
      return { priv: U.KeyAgreement, pub: U.KeyAgreement };
    default:
      return { priv: U.Sign, pub: U.Verify };
  }
}

function keyAttributes(key: KeyObject): Attributes {
  const d = describeKey(key);
  const a: Attributes = {
    CryptographicAlgorithm: [d.cryptographicAlgorithm],
    CryptographicLength: [d.cryptographicLength],
  };
  if (d.recommendedCurve) a['CryptographicDomainParameters'] = [{ RecommendedCurve: d.recommendedCurve }];
  return a;
}

function keyBlock(key: KeyObject, keyFormatType: string): { block: KeyBlock; digestOf: Uint8Array } {
  const d = describeKey(key);
  const material = exportKeyMaterial(key, keyFormatType);
  return {
    block: {
      keyFormatType,
      keyMaterial: material,
      cryptographicAlgorithm: d.cryptographicAlgorithm,
      cryptographicLength: d.cryptographicLength,
    },
    digestOf: material instanceof Uint8Array ? material : Buffer.alloc(0),
  };
}

export interface KeyPairOptions extends CommonOptions {
  /** Private key format: PKCS_8 (default) or PKCS_1 (RSA) / ECPrivateKey (EC) when asked. */
  privateKeyFormat?: 'PKCS_8' | 'PKCS_1' | 'ECPrivateKey';
  publicUsageMask?: number;
}

/** A private key object (PKCS#8 by default). */
export function privateKeyObject(key: KeyObject, o: KeyPairOptions = {}): NewObject {
  const { block, digestOf } = keyBlock(key, o.privateKeyFormat ?? 'PKCS_8');
  return {
    uniqueIdentifier: randomUUID(),
    objectType: 'PrivateKey',
    owner: o.owner ?? '',
    keyBlock: block,
    attributes: {
      ...common(o, defaultMasks(key).priv),
      ...keyAttributes(key),
      Digest: [digestAttribute(digestOf, block.keyFormatType)],
    },
  };
}

/** A public key object (X.509 SubjectPublicKeyInfo). */
export function publicKeyObject(key: KeyObject, o: CommonOptions = {}): NewObject {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  const { block, digestOf } = keyBlock(pub, 'X_509');
  return {
    uniqueIdentifier: randomUUID(),
    objectType: 'PublicKey',
    owner: o.owner ?? '',
    keyBlock: block,
    attributes: {
      ...common(o, defaultMasks(pub).pub),
      ...keyAttributes(pub),
      Digest: [digestAttribute(digestOf, 'X_509')],
    },
  };
}

/** A private key and its public key, linked both ways (Public Key Link / Private Key Link). */
export function keyPairObjects(privateKey: KeyObject, o: KeyPairOptions = {}): [NewObject, NewObject] {
  const priv = privateKeyObject(privateKey, o);
  const pub = publicKeyObject(privateKey, { ...o, usageMask: o.publicUsageMask });
  priv.attributes['Link'] = [link('PublicKeyLink', pub.uniqueIdentifier)];
  pub.attributes['Link'] = [link('PrivateKeyLink', priv.uniqueIdentifier)];
  return [priv, pub];
}

export interface CertificateObjectOptions extends CommonOptions {
  /** The subject's public key object: Certificate -> Public Key Link. */
  publicKeyId?: string;
  /** The issuing certificate object: Certificate Link (KMIP: to the issuer's certificate). */
  issuerCertificateId?: string;
}

/** A Certificate object (Certificate Type X_509) with the KMIP 1.x certificate attributes. */
export function certificateObject(der: Uint8Array, o: CertificateObjectOptions = {}): NewObject {
  const cert = new x509.X509Certificate(new Uint8Array(der));
  const pub = createPublicKey({ key: Buffer.from(cert.publicKey.rawData), format: 'der', type: 'spki' });
  const links: AttributeValue[] = [];
  if (o.publicKeyId) links.push(link('PublicKeyLink', o.publicKeyId));
  if (o.issuerCertificateId) links.push(link('CertificateLink', o.issuerCertificateId));
  const serial = Buffer.from(cert.serialNumber.length % 2 ? `0${cert.serialNumber}` : cert.serialNumber, 'hex');
  const attributes: Attributes = {
    ...common({ ...o, name: o.name ?? cert.subject }, undefined),
    CertificateType: ['X_509'],
    CertificateLength: [der.length],
    X509CertificateIdentifier: [
      { IssuerDistinguishedName: Buffer.from(cert.issuerName.toArrayBuffer()), CertificateSerialNumber: serial },
    ],
    X509CertificateSubject: [{ SubjectDistinguishedName: Buffer.from(cert.subjectName.toArrayBuffer()) }],
    X509CertificateIssuer: [{ IssuerDistinguishedName: Buffer.from(cert.issuerName.toArrayBuffer()) }],
    ActivationDate: [o.activationDate ?? cert.notBefore],
    DeactivationDate: [cert.notAfter],
    Digest: [digestAttribute(der)],
    ...keyAttributes(pub),
    ...(links.length > 0 ? { Link: links } : {}),
  };
  delete attributes['CryptographicUsageMask'];
  return {
    uniqueIdentifier: randomUUID(),
    objectType: 'Certificate',
    owner: o.owner ?? '',
    value: Uint8Array.from(der),
    valueType: 'X_509',
    attributes,
  };
}

/** A Certificate Request object (KMIP 2.x Object Type; Certificate Request Type PKCS_10). */
export function csrObject(der: Uint8Array, o: CommonOptions & { privateKeyId?: string } = {}): NewObject {
  const csr = new x509.Pkcs10CertificateRequest(new Uint8Array(der));
  const attributes: Attributes = {
    ...common({ ...o, name: o.name ?? csr.subject }, undefined),
    Digest: [digestAttribute(der)],
  };
  if (o.privateKeyId) attributes['Link'] = [link('PrivateKeyLink', o.privateKeyId)];
  return {
    uniqueIdentifier: randomUUID(),
    objectType: 'CertificateRequest',
    owner: o.owner ?? '',
    value: Uint8Array.from(der),
    valueType: 'PKCS_10',
    attributes,
  };
}

/**
 * A CRL the local CA issued, as a KMIP Opaque Object. Why Opaque Object and not Secret Data: a CRL
 * is public, signed data meant to be published, while Secret Data (Password, Seed) is for
 * confidential bytes and carries their export and usage rules; KMIP has no CRL object type, and
 * Opaque Object is its type for "bytes the server does not interpret". KMIP defines no Opaque
 * Data Type values, so it takes the extension value 0x80000000 and a custom attribute
 * x-keyhold-content says what the bytes are ("X.509 CRL", DER). Its CertificateLink names the CA
 * certificate that signed it; the Name is "CRL <CA name> <thisUpdate ISO date>".
 */
export function crlObject(der: Uint8Array, o: CommonOptions & { caCertificateId: string; caName?: string }): NewObject {
  const crl = new x509.X509Crl(new Uint8Array(der));
  const name = o.name ?? `CRL ${o.caName ?? crl.issuer} ${crl.thisUpdate.toISOString()}`;
  return {
    uniqueIdentifier: randomUUID(),
    objectType: 'OpaqueObject',
    owner: o.owner ?? '',
    value: Uint8Array.from(der),
    valueType: CRL_OPAQUE_DATA_TYPE,
    attributes: {
      ...common({ ...o, name }, undefined),
      'x-keyhold-content': [CRL_CONTENT],
      Digest: [digestAttribute(der)],
      Link: [link('CertificateLink', o.caCertificateId)],
    },
  };
}

/** Opaque Data Type of a stored CRL (KMIP extension range: the spec lists no values). */
export const CRL_OPAQUE_DATA_TYPE = '0x80000000';
/** x-keyhold-content of a stored CRL. */
export const CRL_CONTENT = 'X.509 CRL';

// ---- from the vault ----

/** The Link values of one type on an object. */
export function linkedIds(object: Pick<ManagedObject, 'attributes'>, linkType: string): string[] {
  return (object.attributes['Link'] ?? [])
    .map((l) => l as { LinkType?: unknown; LinkedObjectIdentifier?: unknown })
    .filter((l) => l.LinkType === linkType && typeof l.LinkedObjectIdentifier === 'string')
    .map((l) => l.LinkedObjectIdentifier as string);
}

/** A stored Private Key or Public Key as a Node KeyObject. */
export function keyObjectOf(object: ManagedObject): KeyObject {
  if (object.objectType !== 'PrivateKey' && object.objectType !== 'PublicKey') {
    throw invalidArgument(`object ${object.uniqueIdentifier} is a ${object.objectType}, not a private or public key`);
  }
  const kb = object.keyBlock;
  if (!kb) throw invalidArgument(`object ${object.uniqueIdentifier} has no key material (destroyed?)`);
  if (kb.keyWrappingData) throw unsupported(`object ${object.uniqueIdentifier} is stored wrapped`);
  const curve = (object.attributes['CryptographicDomainParameters']?.[0] as { RecommendedCurve?: string } | undefined)
    ?.RecommendedCurve;
  return importKeyMaterial(object.objectType, kb.keyFormatType, kb.keyMaterial, kb.cryptographicAlgorithm, curve);
}

/** The raw bytes of a stored Symmetric Key or Secret Data (a copy: wipe it). */
export function secretBytesOf(object: ManagedObject): Buffer {
  const kb = object.keyBlock;
  if (!kb || !(kb.keyMaterial instanceof Uint8Array))
    throw invalidArgument(`object ${object.uniqueIdentifier} has no raw key material`);
  if (kb.keyWrappingData) throw unsupported(`object ${object.uniqueIdentifier} is stored wrapped`);
  return Buffer.from(kb.keyMaterial);
}

/** DER of a stored Certificate or Certificate Request. */
export function valueOf(object: ManagedObject, type: ObjectType): Buffer {
  if (object.objectType !== type || !object.value)
    throw invalidArgument(`object ${object.uniqueIdentifier} is a ${object.objectType}, not a ${type}`);
  return Buffer.from(object.value);
}
