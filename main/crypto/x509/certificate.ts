import { createPublicKey, randomBytes, type KeyObject } from 'node:crypto';
import { isKeyholdError } from '../../../shared/errors.js';
import { cryptoError, formatError, invalidArgument } from '../errors.js';
import type { HashName } from '../hash.js';
import { asDerOrPem, publicKeyOf } from './csr.js';
import { parseDistinguishedName, type SubjectAltName } from './names.js';
import { profile as lookupProfile, type Profile } from './profiles.js';
import { toWebPublicKey, toWebSigningKeys, x509, type WebCryptoKey } from './provider.js';

/** A positive 127-bit random serial number (RFC 5280 4.1.2.2: at most 20 octets, positive). */
export function newSerialNumber(): string {
  const b = randomBytes(16);
  b[0] = (b[0]! & 0x7f) | 0x01;
  return b.toString('hex');
}

export interface CertificateOptions {
  profile?: string | Profile;
  validityDays?: number;
  notBefore?: Date;
  serialNumber?: string;
  subjectAltNames?: SubjectAltName[];
  /** URLs for the CRL Distribution Points extension. */
  crlDistributionPoints?: string[];
  hash?: HashName;
}

function resolveProfile(p: string | Profile | undefined, fallback: string): Profile {
  if (p === undefined) return lookupProfile(fallback);
  return typeof p === 'string' ? lookupProfile(p) : p;
}

function validity(o: CertificateOptions, prof: Profile): { notBefore: Date; notAfter: Date } {
  const days = o.validityDays ?? prof.validityDays;
  if (!Number.isInteger(days) || days < 1 || days > 36500) throw invalidArgument('validity must be 1..36500 days');
  // Backdate a little so clocks slightly behind still accept a fresh certificate.
  const notBefore = o.notBefore ?? new Date(Math.floor(Date.now() / 1000) * 1000 - 5 * 60_000);
  return { notBefore, notAfter: new Date(notBefore.getTime() + days * 86_400_000) };
}

async function profileExtensions(
  prof: Profile,
  subjectKey: WebCryptoKey,
  issuerKey: WebCryptoKey,
  o: CertificateOptions,
  requested: x509.Extension[] = [],
): Promise<x509.Extension[]> {
  const ext: x509.Extension[] = [
    new x509.BasicConstraintsExtension(prof.ca, prof.ca ? prof.pathLength : undefined, true),
    new x509.KeyUsagesExtension(prof.keyUsage, true),
  ];
  if (prof.extendedKeyUsage.length > 0) ext.push(new x509.ExtendedKeyUsageExtension(prof.extendedKeyUsage));
  const sans = o.subjectAltNames ?? [];
  const requestedSan = requested.find(
    (e) => e.type === x509.SubjectAlternativeNameExtension.NAME || e.type === '2.5.29.17',
  );
  if (sans.length > 0) ext.push(new x509.SubjectAlternativeNameExtension(sans));
  else if (requestedSan) ext.push(requestedSan);
  ext.push(await x509.SubjectKeyIdentifierExtension.create(subjectKey));
  ext.push(await x509.AuthorityKeyIdentifierExtension.create(issuerKey));
  if (o.crlDistributionPoints && o.crlDistributionPoints.length > 0) {
    ext.push(new x509.CRLDistributionPointsExtension(o.crlDistributionPoints));
  }
  return ext;
}

/** A self-signed certificate for a key (a root CA with profile "ca"). Returns DER. */
export async function selfSign(privateKey: KeyObject, subject: string, o: CertificateOptions = {}): Promise<Buffer> {
  const prof = resolveProfile(o.profile, 'tls-server');
  const name = parseDistinguishedName(subject);
  const { keys, signingAlgorithm } = await toWebSigningKeys(privateKey, o.hash);
  try {
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: o.serialNumber ?? newSerialNumber(),
      subject: name,
      issuer: name,
      ...validity(o, prof),
      publicKey: keys.publicKey,
      signingKey: keys.privateKey,
      signingAlgorithm,
      extensions: await profileExtensions(prof, keys.publicKey, keys.publicKey, o),
    });
    return Buffer.from(cert.rawData);
  } catch (e) {
    if (isKeyholdError(e)) throw e;
    throw cryptoError('could not build the certificate', e);
  }
}

export interface Issuer {
  certificate: Uint8Array;
  privateKey: KeyObject;
}

/**
 * Issues a certificate for a subject public key, signed by a CA (KMIP Certify). The subject
 * and requested SANs come from a CSR (its signature checked by the caller) or are given.
 */
export async function issueCertificate(
  issuer: Issuer,
  subject: { publicKey: KeyObject; name: string | x509.Name; requestedExtensions?: x509.Extension[] },
  o: CertificateOptions = {},
): Promise<Buffer> {
  const prof = resolveProfile(o.profile, 'tls-server');
  const caCert = parseCertificate(issuer.certificate);
  const bc = caCert.getExtension(x509.BasicConstraintsExtension);
  if (!bc?.ca) throw invalidArgument('the issuing certificate is not a CA (basicConstraints CA:FALSE)');
  const { keys, signingAlgorithm } = await toWebSigningKeys(issuer.privateKey, o.hash);
  const caPublic = createPublicKey(issuer.privateKey).export({ format: 'der', type: 'spki' });
  if (!Buffer.from(caCert.publicKey.rawData).equals(caPublic)) {
    throw invalidArgument('the CA private key does not match the CA certificate');
  }
  const subjectKey = await toWebPublicKey(subject.publicKey);
  const v = validity(o, prof);
  if (v.notAfter > caCert.notAfter) v.notAfter = caCert.notAfter; // never outlive the issuer
  try {
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: o.serialNumber ?? newSerialNumber(),
      subject: typeof subject.name === 'string' ? parseDistinguishedName(subject.name) : subject.name,
      issuer: caCert.subjectName,
      ...v,
      publicKey: subjectKey,
      signingKey: keys.privateKey,
      signingAlgorithm,
      extensions: await profileExtensions(prof, subjectKey, keys.publicKey, o, subject.requestedExtensions),
    });
    return Buffer.from(cert.rawData);
  } catch (e) {
    if (isKeyholdError(e)) throw e;
    throw cryptoError('could not issue the certificate', e);
  }
}

/** Issues a certificate for a CSR: the CSR's subject, key and SANs under the CA's profile. */
export async function signCsr(
  issuer: Issuer,
  csr: x509.Pkcs10CertificateRequest,
  o: CertificateOptions = {},
): Promise<Buffer> {
  return issueCertificate(
    issuer,
    { publicKey: publicKeyOf(csr), name: csr.subjectName, requestedExtensions: csr.extensions },
    o,
  );
}

/** Parses a certificate, PEM or DER. */
export function parseCertificate(data: Uint8Array): x509.X509Certificate {
  try {
    return new x509.X509Certificate(asDerOrPem(data, 'CERTIFICATE'));
  } catch (e) {
    if (isKeyholdError(e)) throw e;
    throw formatError('not an X.509 certificate (PEM or DER)', e);
  }
}
