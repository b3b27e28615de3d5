// Password-based encryption for PKCS#12 and PKCS#8: PBES2 (RFC 8018 section 6.2) and the
// PKCS#12 legacy schemes (RFC 7292 appendix B and C), all on Node's OpenSSL ciphers.
import { createCipheriv, createDecipheriv, createHash, pbkdf2Sync } from 'node:crypto';
import { isKeyholdError } from '../../../shared/errors.js';
import { formatError, unsupported } from '../errors.js';
import type { HashName } from '../hash.js';
import { HASH_LENGTH } from '../hash.js';
import { randomBytes } from '../random.js';
import { rc2CbcDecrypt } from './rc2-legacy.js';
import {
  integer,
  isSequence,
  item,
  items,
  int,
  nul,
  objectId,
  octets,
  octetString,
  oid,
  seq,
  type Node,
} from './der.js';

export const OID = {
  pbes2: '1.2.840.113549.1.5.13',
  pbkdf2: '1.2.840.113549.1.5.12',
  hmacWithSHA1: '1.2.840.113549.2.7',
  hmacWithSHA256: '1.2.840.113549.2.9',
  hmacWithSHA384: '1.2.840.113549.2.10',
  hmacWithSHA512: '1.2.840.113549.2.11',
  aes128cbc: '2.16.840.1.101.3.4.1.2',
  aes192cbc: '2.16.840.1.101.3.4.1.22',
  aes256cbc: '2.16.840.1.101.3.4.1.42',
  desEde3cbc: '1.2.840.113549.3.7',
  pbeSha3Des: '1.2.840.113549.1.12.1.3',
  pbeSha2Des: '1.2.840.113549.1.12.1.4',
  pbeSha128Rc2: '1.2.840.113549.1.12.1.5',
  pbeSha40Rc2: '1.2.840.113549.1.12.1.6',
  sha1: '1.3.14.3.2.26',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
} as const;

const PRF: Record<string, HashName> = {
  [OID.hmacWithSHA1]: 'sha1',
  [OID.hmacWithSHA256]: 'sha256',
  [OID.hmacWithSHA384]: 'sha384',
  [OID.hmacWithSHA512]: 'sha512',
};
const PBES2_CIPHER: Record<string, { name: string; keyLength: number }> = {
  [OID.aes128cbc]: { name: 'aes-128-cbc', keyLength: 16 },
  [OID.aes192cbc]: { name: 'aes-192-cbc', keyLength: 24 },
  [OID.aes256cbc]: { name: 'aes-256-cbc', keyLength: 32 },
  [OID.desEde3cbc]: { name: 'des-ede3-cbc', keyLength: 24 },
};
const LEGACY: Record<string, { name: string; keyLength: number; label: string }> = {
  [OID.pbeSha3Des]: { name: 'des-ede3-cbc', keyLength: 24, label: 'pbeWithSHAAnd3-KeyTripleDES-CBC' },
  [OID.pbeSha2Des]: { name: 'des-ede-cbc', keyLength: 16, label: 'pbeWithSHAAnd2-KeyTripleDES-CBC' },
  [OID.pbeSha128Rc2]: { name: 'rc2-cbc', keyLength: 16, label: 'pbeWithSHAAnd128BitRC2-CBC' },
  [OID.pbeSha40Rc2]: { name: 'rc2-40-cbc', keyLength: 5, label: 'pbeWithSHAAnd40BitRC2-CBC' },
};

/** The password as PKCS#12 wants it: BMPString (UTF-16BE) with a two-byte NUL (RFC 7292 B.1). */
export function bmpPassword(password: string): Buffer {
  if (password.length === 0) return Buffer.alloc(0);
  const b = Buffer.alloc(password.length * 2 + 2);
  for (let i = 0; i < password.length; i++) b.writeUInt16BE(password.charCodeAt(i), i * 2);
  return b;
}

/** The PKCS#12 key derivation (RFC 7292 appendix B.2): id 1 key, 2 IV, 3 MAC key. */
export function pkcs12Kdf(
  hash: HashName,
  password: Buffer,
  salt: Uint8Array,
  id: number,
  iterations: number,
  n: number,
): Buffer {
  const u = HASH_LENGTH[hash];
  const v = hash === 'sha384' || hash === 'sha512' ? 128 : 64;
  const D = Buffer.alloc(v, id);
  const fill = (src: Uint8Array): Buffer => {
    if (src.length === 0) return Buffer.alloc(0);
    const len = v * Math.ceil(src.length / v);
    const out = Buffer.alloc(len);
    for (let i = 0; i < len; i++) out[i] = src[i % src.length]!;
    return out;
  };
  const I = Buffer.concat([fill(salt), fill(password)]);
  const out: Buffer[] = [];
  for (let produced = 0; produced < n; produced += u) {
    let A = createHash(hash).update(D).update(I).digest();
    for (let j = 1; j < iterations; j++) A = createHash(hash).update(A).digest();
    out.push(A);
    const B = fill(A).subarray(0, v);
    // I_j = (I_j + B + 1) mod 2^v for each v-byte block of I.
    for (let j = 0; j < I.length; j += v) {
      let carry = 1;
      for (let k = v - 1; k >= 0; k--) {
        const sum = I[j + k]! + B[k]! + carry;
        I[j + k] = sum & 0xff;
        carry = sum >> 8;
      }
    }
  }
  I.fill(0);
  return Buffer.concat(out).subarray(0, n);
}

const usable = new Map<string, boolean>();

/** Whether Node's OpenSSL runs `cipher` (RC2 only with --openssl-legacy-provider). */
function hasCipher(cipher: string): boolean {
  let ok = usable.get(cipher);
  if (ok === undefined) {
    try {
      createDecipheriv(cipher, Buffer.alloc(cipher === 'rc2-40-cbc' ? 5 : 16), Buffer.alloc(8));
      ok = true;
    } catch {
      ok = false;
    }
    usable.set(cipher, ok);
  }
  return ok;
}

function run(cipher: string, key: Buffer, iv: Buffer, data: Uint8Array, encrypt: boolean): Buffer {
  try {
    const c = encrypt ? createCipheriv(cipher, key, iv) : createDecipheriv(cipher, key, iv);
    return Buffer.concat([c.update(data), c.final()]);
  } catch (e) {
    const code = (e as { code?: string }).code ?? '';
    if (code === 'ERR_OSSL_EVP_UNSUPPORTED' || /unsupported|unknown cipher/i.test(String((e as Error).message))) {
      throw unsupported(
        `cipher ${cipher} needs OpenSSL's legacy provider: run Keyhold with NODE_OPTIONS=--openssl-legacy-provider`,
      );
    }
    if (!encrypt) throw formatError('wrong password or damaged data (decryption failed)', e);
    throw e;
  } finally {
    key.fill(0);
  }
}

/** Decrypts data under a PBE AlgorithmIdentifier (PBES2 or PKCS#12 legacy). */
export function pbeDecrypt(algorithm: Node, password: string, data: Uint8Array): Buffer {
  const id = oid(item(algorithm, 0, 'encryption algorithm'), 'encryption algorithm');
  const params = item(algorithm, 1, 'encryption parameters');
  try {
    if (id === OID.pbes2) {
      const kdf = item(params, 0, 'PBES2 key derivation');
      if (oid(item(kdf, 0, 'PBES2 KDF'), 'PBES2 KDF') !== OID.pbkdf2)
        throw unsupported('PBES2 with a KDF other than PBKDF2');
      const kp = items(item(kdf, 1, 'PBKDF2 parameters'), 'PBKDF2 parameters');
      const salt = octets(kp[0], 'PBKDF2 salt');
      const iterations = integer(kp[1], 'PBKDF2 iterations');
      let prf: HashName = 'sha1';
      for (const extra of kp.slice(2)) {
        if (isSequence(extra)) {
          const p = PRF[oid(item(extra, 0, 'PBKDF2 PRF'), 'PBKDF2 PRF')];
          if (!p) throw unsupported('PBKDF2 pseudo-random function');
          prf = p;
        }
      }
      const enc = item(params, 1, 'PBES2 encryption scheme');
      const cipher = PBES2_CIPHER[oid(item(enc, 0, 'PBES2 cipher'), 'PBES2 cipher')];
      if (!cipher) throw unsupported(`PBES2 cipher ${oid(item(enc, 0, 'PBES2 cipher'), 'PBES2 cipher')}`);
      const iv = octets(item(enc, 1, 'PBES2 IV'), 'PBES2 IV');
      const key = pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, cipher.keyLength, prf);
      return run(cipher.name, key, iv, data, false);
    }
    const legacy = LEGACY[id];
    if (legacy) {
      const salt = octets(item(params, 0, 'PBE salt'), 'PBE salt');
      const iterations = integer(item(params, 1, 'PBE iterations'), 'PBE iterations');
      const pw = bmpPassword(password);
      const key = pkcs12Kdf('sha1', pw, salt, 1, iterations, legacy.keyLength);
      const iv = pkcs12Kdf('sha1', pw, salt, 2, iterations, 8);
      pw.fill(0);
      if (legacy.name.startsWith('rc2') && !hasCipher(legacy.name)) {
        try {
          return rc2CbcDecrypt(key, legacy.keyLength * 8, iv, data);
        } finally {
          key.fill(0);
        }
      }
      return run(legacy.name, key, iv, data, false);
    }
    throw unsupported(`password-based encryption ${id}`);
  } catch (e) {
    if (isKeyholdError(e)) throw e;
    throw formatError('encrypted content has a malformed algorithm identifier', e);
  }
}

export type PbeScheme = 'pbes2-aes256' | 'legacy-3des';

/** Encrypts under PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC) or the legacy PKCS#12 3DES scheme. */
export function pbeEncrypt(
  scheme: PbeScheme,
  password: string,
  data: Uint8Array,
  iterations: number,
): { algorithm: Node; data: Buffer } {
  const salt = randomBytes(scheme === 'legacy-3des' ? 8 : 16);
  if (scheme === 'legacy-3des') {
    const pw = bmpPassword(password);
    const key = pkcs12Kdf('sha1', pw, salt, 1, iterations, 24);
    const iv = pkcs12Kdf('sha1', pw, salt, 2, iterations, 8);
    pw.fill(0);
    return {
      algorithm: seq(objectId(OID.pbeSha3Des), seq(octetString(salt), int(iterations))),
      data: run('des-ede3-cbc', key, iv, data, true),
    };
  }
  const iv = randomBytes(16);
  const key = pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, 32, 'sha256');
  const algorithm = seq(
    objectId(OID.pbes2),
    seq(
      seq(objectId(OID.pbkdf2), seq(octetString(salt), int(iterations), seq(objectId(OID.hmacWithSHA256), nul()))),
      seq(objectId(OID.aes256cbc), octetString(iv)),
    ),
  );
  return { algorithm, data: run('aes-256-cbc', key, iv, data, true) };
}
