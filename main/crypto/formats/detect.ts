// Reads any supported file into keys, certificates, CSRs and secrets, detecting the format.
import type { KeyObject } from 'node:crypto';
import { isKeyholdError } from '../../../shared/errors.js';
import { formatError } from '../errors.js';
import { x509 } from '../x509/provider.js';
import { contextTag, integer, item, oid, parseDer } from './der.js';
import { readJwks } from './jwk.js';
import { readPrivateKey, readPublicKey } from './keys.js';
import { readOpenSshPrivateKey, readOpenSshPublicKey } from './openssh.js';
import { isPem, pemDecode } from './pem.js';
import { readPkcs12 } from './pkcs12.js';
import { readPkcs7 } from './pkcs7.js';

export interface ImportedItems {
  /** The format recognised, for messages ("PKCS#12", "PEM", "JWK"...). */
  format: string;
  privateKeys: { key: KeyObject; label?: string }[];
  publicKeys: { key: KeyObject; label?: string }[];
  /** DER certificates, in file order. */
  certificates: Buffer[];
  csrs: Buffer[];
  crls: Buffer[];
  /** Symmetric keys (JWK "oct"). */
  secrets: Buffer[];
}

const empty = (format: string): ImportedItems => ({
  format,
  privateKeys: [],
  publicKeys: [],
  certificates: [],
  csrs: [],
  crls: [],
  secrets: [],
});

/** Reads a file's bytes. `password` opens PKCS#12, encrypted PKCS#8 and passphrase-protected OpenSSH keys. */
export function readAny(data: Uint8Array, password?: string): ImportedItems {
  if (data.length === 0) throw formatError('the file is empty');
  const head = Buffer.from(data.subarray(0, 256)).toString('latin1').trimStart();
  if (head.startsWith('{')) return fromJwk(Buffer.from(data).toString('utf8'));
  if (/^(ssh-(rsa|ed25519)|ecdsa-sha2-nistp\d+) /.test(head)) {
    const out = empty('OpenSSH public key');
    const { key, comment } = readOpenSshPublicKey(Buffer.from(data).toString('utf8'));
    out.publicKeys.push({ key, label: comment || undefined });
    return out;
  }
  if (isPem(data)) return fromPem(Buffer.from(data).toString('utf8'), password);
  return fromDer(Buffer.from(data), password);
}

function fromJwk(text: string): ImportedItems {
  const out = empty('JWK');
  for (const k of readJwks(text)) {
    if (k.privateKey) out.privateKeys.push({ key: k.privateKey, label: k.kid });
    if (k.publicKey) out.publicKeys.push({ key: k.publicKey, label: k.kid });
    if (k.secret) out.secrets.push(k.secret);
    out.certificates.push(...k.certificates);
  }
  return out;
}

function fromPem(text: string, password?: string): ImportedItems {
  const out = empty('PEM');
  const blocks = pemDecode(text);
  if (blocks.length === 0) throw formatError('no PEM block found');
  for (const b of blocks) {
    switch (b.label) {
      case 'OPENSSH PRIVATE KEY': {
        const { key, comment } = readOpenSshPrivateKey(b.text, password);
        out.format = 'OpenSSH private key';
        out.privateKeys.push({ key, label: comment || undefined });
        break;
      }
      case 'PRIVATE KEY':
      case 'ENCRYPTED PRIVATE KEY':
      case 'RSA PRIVATE KEY':
      case 'EC PRIVATE KEY':
        out.privateKeys.push({ key: readPrivateKey(b.text, password) });
        break;
      case 'PUBLIC KEY':
      case 'RSA PUBLIC KEY':
        out.publicKeys.push({ key: readPublicKey(b.text) });
        break;
      case 'CERTIFICATE':
      case 'TRUSTED CERTIFICATE':
        out.certificates.push(checkedCertificate(b.der));
        break;
      case 'CERTIFICATE REQUEST':
      case 'NEW CERTIFICATE REQUEST':
        out.csrs.push(b.der);
        break;
      case 'X509 CRL':
        out.crls.push(b.der);
        break;
      case 'PKCS7':
      case 'CMS':
        out.format = 'PKCS#7';
        out.certificates.push(...readPkcs7(Buffer.from(b.text)));
        break;
      default:
        // Other blocks (DH PARAMETERS, ...) are not objects Keyhold keeps.
        break;
    }
  }
  return out;
}

function checkedCertificate(der: Buffer): Buffer {
  try {
    new x509.X509Certificate(new Uint8Array(der));
    return der;
  } catch (e) {
    throw formatError('a CERTIFICATE block is not a valid X.509 certificate (truncated?)', e);
  }
}

/** Guesses the kind of a DER value from its top-level ASN.1 shape. */
function fromDer(der: Buffer, password?: string): ImportedItems {
  let top;
  try {
    top = parseDer(der, 'the file');
  } catch (e) {
    throw formatError('not a recognised key or certificate file (not PEM, JWK, OpenSSH, or valid DER; truncated?)', e);
  }
  const first = safe(() => item(top, 0, ''));
  const second = safe(() => item(top, 1, ''));
  // PFX: SEQUENCE { INTEGER 3, ContentInfo { data ... } }
  if (safe(() => integer(first, '')) === 3 && safe(() => oid(item(second, 0, ''), '')) === '1.2.840.113549.1.7.1') {
    if (password === undefined) throw formatError('PKCS#12 file: a password is needed (--password-file)');
    const p = readPkcs12(der, password);
    const out = empty('PKCS#12');
    out.privateKeys.push(...p.privateKeys.map((k) => ({ key: k.key, label: k.friendlyName })));
    out.certificates.push(...p.certificates.map((c) => c.der));
    return out;
  }
  // PKCS#7 ContentInfo signedData
  if (safe(() => oid(first, '')) === '1.2.840.113549.1.7.2' && contextTag(second) === 0) {
    const out = empty('PKCS#7');
    out.certificates.push(...readPkcs7(der));
    return out;
  }
  const out = empty('DER');
  for (const attempt of [
    () => {
      new x509.X509Certificate(new Uint8Array(der));
      out.certificates.push(der);
    },
    () => {
      new x509.Pkcs10CertificateRequest(new Uint8Array(der));
      out.csrs.push(der);
    },
    () => {
      new x509.X509Crl(new Uint8Array(der));
      out.crls.push(der);
    },
    () => out.publicKeys.push({ key: readPublicKey(der, 'der') }),
  ]) {
    try {
      attempt();
      return out;
    } catch {
      // next
    }
  }
  try {
    out.privateKeys.push({ key: readPrivateKey(der, password, 'der') });
    return out;
  } catch (e) {
    if (isKeyholdError(e) && e.code !== 'format') throw e;
    if (isKeyholdError(e) && /password/.test(e.message)) throw e;
    throw formatError('DER file is not a certificate, CSR, CRL, PKCS#7, PKCS#12 or key (or is truncated)', e);
  }
}

function safe<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch {
    return undefined;
  }
}
