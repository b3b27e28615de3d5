import type { PeerCertificate } from 'node:tls';

/** The OID of the clientAuth extended key usage (RFC 5280 section 4.2.1.12). */
export const CLIENT_AUTH_EKU = '1.3.6.1.5.5.7.3.2';

/** Who is asking: a KMIP client is its TLS certificate (plus an optional Credential). */
export interface ClientIdentity {
  /** Stable owner name used by access control: "CN=alice" style subject of the certificate. */
  name: string;
  commonName: string;
  /** SHA-256 fingerprint of the certificate, colon-separated hex as Node prints it. */
  fingerprint256: string;
  serialNumber: string;
}

/** Derives the identity of a verified peer certificate. */
export function identityOf(cert: PeerCertificate): ClientIdentity {
  const cn = cert.subject?.CN;
  const commonName = Array.isArray(cn) ? cn.join(',') : (cn ?? '');
  return {
    name: commonName,
    commonName,
    fingerprint256: cert.fingerprint256,
    serialNumber: cert.serialNumber,
  };
}

/** True when the certificate may authenticate a TLS client: no EKU extension, or one listing clientAuth. */
export function allowsClientAuth(cert: PeerCertificate & { ext_key_usage?: string[] }): boolean {
  const eku = cert.ext_key_usage;
  return eku === undefined || eku.includes(CLIENT_AUTH_EKU);
}
