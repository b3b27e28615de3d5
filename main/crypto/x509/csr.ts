import { createPublicKey, type KeyObject } from 'node:crypto';
import { isKeyholdError } from '../../../shared/errors.js';
import { cryptoError, formatError } from '../errors.js';
import type { HashName } from '../hash.js';
import { parseDistinguishedName, type SubjectAltName } from './names.js';
import { toWebSigningKeys, x509 } from './provider.js';

export interface CsrRequest {
  /** The subject's private key; it signs the request (proof of possession). */
  privateKey: KeyObject;
  subject: string;
  subjectAltNames?: SubjectAltName[];
  /** x509.KeyUsageFlags bits. */
  keyUsage?: number;
  extendedKeyUsage?: string[];
  basicConstraints?: { ca: boolean; pathLength?: number };
  challengePassword?: string;
  hash?: HashName;
}

/** Builds and signs a PKCS#10 certificate request. Returns its DER. */
export async function createCsr(r: CsrRequest): Promise<Buffer> {
  const name = parseDistinguishedName(r.subject);
  const { keys, signingAlgorithm } = await toWebSigningKeys(r.privateKey, r.hash);
  const extensions: x509.Extension[] = [];
  if (r.subjectAltNames && r.subjectAltNames.length > 0) {
    extensions.push(new x509.SubjectAlternativeNameExtension(r.subjectAltNames));
  }
  if (r.keyUsage) extensions.push(new x509.KeyUsagesExtension(r.keyUsage, true));
  if (r.extendedKeyUsage && r.extendedKeyUsage.length > 0) {
    extensions.push(new x509.ExtendedKeyUsageExtension(r.extendedKeyUsage));
  }
  if (r.basicConstraints) {
    extensions.push(new x509.BasicConstraintsExtension(r.basicConstraints.ca, r.basicConstraints.pathLength, true));
  }
  extensions.push(await x509.SubjectKeyIdentifierExtension.create(keys.publicKey));
  const attributes: x509.Attribute[] = [];
  if (r.challengePassword) attributes.push(new x509.ChallengePasswordAttribute(r.challengePassword));
  try {
    const csr = await x509.Pkcs10CertificateRequestGenerator.create({
      name,
      keys,
      signingAlgorithm,
      extensions,
      attributes,
    });
    return Buffer.from(csr.rawData);
  } catch (e) {
    if (isKeyholdError(e)) throw e;
    throw cryptoError('could not build the certificate request', e);
  }
}

/** Parses a CSR (PEM or DER) and checks its self-signature. */
export async function readCsr(data: Uint8Array): Promise<x509.Pkcs10CertificateRequest> {
  let csr: x509.Pkcs10CertificateRequest;
  try {
    csr = new x509.Pkcs10CertificateRequest(asDerOrPem(data, 'CERTIFICATE REQUEST'));
  } catch (e) {
    throw formatError('not a PKCS#10 certificate request (PEM or DER)', e);
  }
  let ok = false;
  try {
    ok = await csr.verify();
  } catch (e) {
    throw cryptoError('the certificate request signature cannot be checked', e);
  }
  if (!ok) throw cryptoError('the certificate request signature does not verify');
  return csr;
}

/** PEM text as a string, DER as bytes (what @peculiar/x509's constructors take). */
export function asDerOrPem(data: Uint8Array, label: string): string | ArrayBuffer {
  const head = Buffer.from(data.subarray(0, 64)).toString('latin1');
  if (head.includes('-----BEGIN')) {
    const text = Buffer.from(data).toString('utf8');
    if (
      !text.includes(`-----BEGIN ${label}`) &&
      !(label === 'CERTIFICATE REQUEST' && text.includes('-----BEGIN NEW CERTIFICATE REQUEST'))
    ) {
      throw formatError(`PEM does not hold a ${label}`);
    }
    return text
      .replace('NEW CERTIFICATE REQUEST', 'CERTIFICATE REQUEST')
      .replace('NEW CERTIFICATE REQUEST', 'CERTIFICATE REQUEST');
  }
  const b = Buffer.from(data);
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
}

/** The Node public key of a CSR or certificate. */
export function publicKeyOf(item: { publicKey: x509.PublicKey }): KeyObject {
  return createPublicKey({ key: Buffer.from(item.publicKey.rawData), format: 'der', type: 'spki' });
}
