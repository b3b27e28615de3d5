import type { ExportedFile } from '../../../shared/api/index.js';

/**
 * The TLS options of an enrolled client's PEM bundle (`server.enroll` with its private key): the
 * client certificate, its key and the CA certificate, in the order the bundle holds them.
 */
export function bundleOf(file: ExportedFile): { cert: string; key: string; ca: string } {
  const pem = Buffer.from(file.data, 'base64').toString('utf8');
  const certs = pem.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----\n/g) ?? [];
  const key = pem.match(/-----BEGIN PRIVATE KEY-----[^-]+-----END PRIVATE KEY-----\n/)?.[0] ?? '';
  return { cert: certs[0] ?? '', key, ca: certs[1] ?? '' };
}
