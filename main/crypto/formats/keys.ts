// Private and public keys in PEM/DER: PKCS#8 (plain and PBES2-encrypted), PKCS#1, SEC1, SPKI.
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { formatError, invalidArgument, unsupported } from '../errors.js';

export type KeyEncoding = 'pem' | 'der';
export type PrivateKeyType = 'pkcs8' | 'pkcs1' | 'sec1';

export interface PrivateKeyExport {
  encoding: KeyEncoding;
  type?: PrivateKeyType;
  /** Encrypts as PKCS#8 PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC). */
  password?: string;
}

/** Exports a private key. With a password it is always encrypted PKCS#8 (PBES2). */
export function exportPrivateKey(key: KeyObject, o: PrivateKeyExport): Buffer {
  if (key.type !== 'private') throw invalidArgument('not a private key');
  const type = o.password ? 'pkcs8' : (o.type ?? 'pkcs8');
  if (type === 'pkcs1' && key.asymmetricKeyType !== 'rsa') throw unsupported('PKCS#1 holds RSA keys only');
  if (type === 'sec1' && key.asymmetricKeyType !== 'ec') throw unsupported('SEC1 ECPrivateKey holds EC keys only');
  if (o.password !== undefined && o.password.length === 0) throw invalidArgument('an empty export password');
  const enc = o.password ? { cipher: 'aes-256-cbc', passphrase: o.password } : {};
  if (o.encoding === 'pem') return Buffer.from(key.export({ format: 'pem', type, ...enc }) as string);
  return key.export({ format: 'der', type, ...enc }) as Buffer;
}

export function exportPublicKey(key: KeyObject, encoding: KeyEncoding, type: 'spki' | 'pkcs1' = 'spki'): Buffer {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  if (type === 'pkcs1' && pub.asymmetricKeyType !== 'rsa') throw unsupported('PKCS#1 holds RSA keys only');
  if (encoding === 'pem') return Buffer.from(pub.export({ format: 'pem', type }) as string);
  return pub.export({ format: 'der', type });
}

/** Reads a private key from PEM or DER (PKCS#8, encrypted PKCS#8, PKCS#1, SEC1). */
export function readPrivateKey(data: Uint8Array | string, password?: string, encoding?: KeyEncoding): KeyObject {
  const isPem = typeof data === 'string' || encoding === 'pem';
  const tries: { type?: 'pkcs8' | 'pkcs1' | 'sec1' }[] = isPem
    ? [{}]
    : [{ type: 'pkcs8' }, { type: 'pkcs1' }, { type: 'sec1' }];
  let last: unknown;
  for (const t of tries) {
    try {
      return createPrivateKey({
        key: isPem ? Buffer.from(data).toString() : Buffer.from(data),
        format: isPem ? 'pem' : 'der',
        ...(t.type ? { type: t.type } : {}),
        ...(password !== undefined ? { passphrase: password } : {}),
      });
    } catch (e) {
      last = e;
    }
  }
  throw keyError(last, password !== undefined);
}

export function readPublicKey(data: Uint8Array | string, encoding?: KeyEncoding): KeyObject {
  const isPem = typeof data === 'string' || encoding === 'pem';
  try {
    if (isPem) return createPublicKey({ key: Buffer.from(data).toString(), format: 'pem' });
    try {
      return createPublicKey({ key: Buffer.from(data), format: 'der', type: 'spki' });
    } catch {
      return createPublicKey({ key: Buffer.from(data), format: 'der', type: 'pkcs1' });
    }
  } catch (e) {
    throw keyError(e, false);
  }
}

/** Turns OpenSSL's decode errors into a message that names the problem. */
function keyError(e: unknown, hadPassword: boolean): Error {
  const msg = e instanceof Error ? e.message : String(e);
  const code = (e as { code?: string }).code ?? '';
  if (/passphrase|bad decrypt|BAD_DECRYPT|interrupted or cancelled/i.test(msg + code)) {
    return formatError(
      hadPassword ? 'wrong password for the encrypted private key' : 'the private key is encrypted: give a password',
      e,
    );
  }
  if (/unsupported/i.test(msg + code))
    return unsupported(`key algorithm or encryption not supported by this OpenSSL (${msg})`);
  return formatError('not a valid key (truncated or not PKCS#8/PKCS#1/SEC1/SPKI)', e);
}
