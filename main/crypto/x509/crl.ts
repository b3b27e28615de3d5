import { isKeyholdError } from '../../../shared/errors.js';
import { cryptoError, formatError } from '../errors.js';
import { parseCertificate, type Issuer } from './certificate.js';
import { asDerOrPem } from './csr.js';
import { toWebSigningKeys, x509 } from './provider.js';

export interface RevokedEntry {
  serialNumber: string;
  revocationDate: Date;
  /** RFC 5280 reason code name: keyCompromise, cACompromise, superseded... */
  reason?: keyof typeof x509.X509CrlReason;
}

/** A CRL signed by the CA, listing revoked serials (RFC 5280 section 5). Returns DER. */
export async function createCrl(
  issuer: Issuer,
  entries: RevokedEntry[],
  o: { nextUpdateDays?: number; crlNumber?: number } = {},
): Promise<Buffer> {
  const ca = parseCertificate(issuer.certificate);
  const { keys, signingAlgorithm } = await toWebSigningKeys(issuer.privateKey);
  const thisUpdate = new Date();
  try {
    const crl = await x509.X509CrlGenerator.create({
      issuer: ca.subjectName,
      thisUpdate,
      nextUpdate: new Date(thisUpdate.getTime() + (o.nextUpdateDays ?? 7) * 86_400_000),
      signingAlgorithm,
      signingKey: keys.privateKey,
      entries: entries.map((e) => ({
        serialNumber: e.serialNumber,
        revocationDate: e.revocationDate,
        reason: e.reason === undefined ? undefined : x509.X509CrlReason[e.reason],
      })),
      extensions: [await x509.AuthorityKeyIdentifierExtension.create(keys.publicKey)],
    });
    return Buffer.from(crl.rawData);
  } catch (e) {
    if (isKeyholdError(e)) throw e;
    throw cryptoError('could not build the CRL', e);
  }
}

export function parseCrl(data: Uint8Array): x509.X509Crl {
  try {
    return new x509.X509Crl(asDerOrPem(data, 'X509 CRL'));
  } catch (e) {
    if (isKeyholdError(e)) throw e;
    throw formatError('not an X.509 CRL (PEM or DER)', e);
  }
}
