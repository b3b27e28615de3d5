import { KmipClient, KmipOperationError } from '../../../main/client/kmip-client.js';
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

/**
 * One Query over a fresh 1.4 connection with an enrolled client's bundle (and a Credential when
 * given): 'Success', or the KMIP result reason it was refused with.
 */
export async function queryAs(
  tls: { cert: string; key: string; ca: string; port: number },
  credential?: { username: string; password: string },
): Promise<string> {
  const client = await KmipClient.connect({
    host: '127.0.0.1',
    ...tls,
    version: { major: 1, minor: 4 },
    reconnect: false,
    ...(credential ? { credential } : {}),
  });
  try {
    await client.query();
    return 'Success';
  } catch (e) {
    if (e instanceof KmipOperationError) return e.resultReason;
    throw e;
  } finally {
    await client.close();
  }
}
