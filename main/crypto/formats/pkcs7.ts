// PKCS#7 / CMS degenerate SignedData holding a certificate chain (openssl crl2pkcs7, .p7b).
import { isKeyholdError } from '../../../shared/errors.js';
import { formatError } from '../errors.js';
import { x509 } from '../x509/provider.js';
import { isPem, pemDecode, pemEncode } from './pem.js';

export function writePkcs7(certificates: Uint8Array[], encoding: 'pem' | 'der'): Buffer {
  const certs = new x509.X509Certificates(certificates.map((c) => new x509.X509Certificate(new Uint8Array(c))));
  const der = Buffer.from(certs.export('raw'));
  return encoding === 'der' ? der : Buffer.from(pemEncode('PKCS7', der));
}

export function readPkcs7(data: Uint8Array): Buffer[] {
  let der: Buffer = Buffer.from(data);
  if (isPem(data)) {
    const block = pemDecode(Buffer.from(data).toString('utf8')).find((b) =>
      ['PKCS7', 'CMS', 'PKCS #7 SIGNED DATA'].includes(b.label),
    );
    if (!block) throw formatError('PEM does not hold a PKCS#7 block');
    der = block.der;
  }
  try {
    const certs = new x509.X509Certificates(new Uint8Array(der));
    return certs.map((c) => Buffer.from(c.rawData));
  } catch (e) {
    if (isKeyholdError(e)) throw e;
    throw formatError('not a PKCS#7 certificate bundle (or truncated)', e);
  }
}
