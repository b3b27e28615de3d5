import {
  constants,
  createHash,
  createHmac,
  privateDecrypt,
  publicEncrypt,
  timingSafeEqual,
  type KeyObject,
} from 'node:crypto';
import { isKeyholdError } from '../../shared/errors.js';
import { cryptoError, invalidArgument, unsupported } from './errors.js';
import { assertHash, HASH_LENGTH, type HashName } from './hash.js';
import { randomBytes } from './random.js';

export interface RsaEncryptionParameters {
  /** KMIP Padding Method: OAEP or PKCS1 v1.5 (normalized PKCS1V1_5). */
  padding: 'OAEP' | 'PKCS1V1_5';
  /** OAEP hash (KMIP Hashing Algorithm); default SHA-1 as RFC 8017 and KMIP do. MGF1 uses the same hash. */
  hash?: HashName;
  /** MGF1 hash when it differs from the OAEP hash (KMIP Mask Generator Hashing Algorithm). */
  mgf1Hash?: HashName;
  /** OAEP label (P); empty by default. */
  label?: Uint8Array;
}

function keyBytes(key: KeyObject): number {
  const bits = key.asymmetricKeyDetails?.modulusLength;
  if (key.asymmetricKeyType !== 'rsa' || !bits) throw invalidArgument('RSA encryption needs an RSA key');
  return Math.ceil(bits / 8);
}

/** RSA encryption (KMIP Encrypt with an RSA public key). */
export function rsaEncrypt(key: KeyObject, p: RsaEncryptionParameters, plaintext: Uint8Array): Buffer {
  const k = keyBytes(key);
  try {
    if (p.padding === 'OAEP') {
      const hash = p.hash ?? 'sha1';
      assertHash(hash);
      if (p.mgf1Hash && p.mgf1Hash !== hash) {
        // Node's OAEP ties MGF1 to the OAEP hash; encode here and use raw RSA (RFC 8017 7.1.1).
        assertHash(p.mgf1Hash);
        const em = oaepEncode(hash, p.mgf1Hash, k, plaintext, p.label ?? new Uint8Array());
        return publicEncrypt({ key, padding: constants.RSA_NO_PADDING }, em);
      }
      return publicEncrypt(
        { key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash, oaepLabel: p.label },
        plaintext,
      );
    }
    if (p.padding === 'PKCS1V1_5') {
      if (plaintext.length > k - 11) throw invalidArgument(`PKCS#1 v1.5 plaintext is limited to ${k - 11} bytes`);
      return publicEncrypt({ key, padding: constants.RSA_PKCS1_PADDING }, plaintext);
    }
    throw unsupported(`RSA padding ${String(p.padding)}`);
  } catch (e) {
    if (isKeyholdError(e)) throw e;
    throw cryptoError('RSA encryption failed (plaintext too long for the key?)', e);
  }
}

/**
 * RSA decryption (KMIP Decrypt with an RSA private key).
 *
 * PKCS#1 v1.5: Node 20 refuses RSA_PKCS1_PADDING for private decryption (CVE-2023-46809, the
 * Marvin timing attack) because OpenSSL 3.0 lacks implicit rejection. We decrypt without
 * padding and strip the padding here with implicit rejection in the manner of
 * draft-irtf-cfrg-rsa-guidance and OpenSSL 3.2: a malformed block yields a deterministic
 * pseudo-random message derived from the private key and the ciphertext, never an error, so a
 * caller cannot learn from the outcome whether the padding was valid. (The synthetic message
 * is not bit-identical to OpenSSL 3.2's; JavaScript gives no hard constant-time guarantee.)
 */
export function rsaDecrypt(key: KeyObject, p: RsaEncryptionParameters, ciphertext: Uint8Array): Buffer {
  const k = keyBytes(key);
  if (key.type !== 'private') throw invalidArgument('RSA decryption needs a private key');
  if (ciphertext.length !== k) throw cryptoError(`RSA ciphertext must be ${k} bytes for this key`);
  if (p.padding === 'OAEP') {
    const hash = p.hash ?? 'sha1';
    assertHash(hash);
    if (p.mgf1Hash && p.mgf1Hash !== hash) {
      assertHash(p.mgf1Hash);
      let em: Buffer;
      try {
        em = privateDecrypt({ key, padding: constants.RSA_NO_PADDING }, ciphertext);
      } catch (e) {
        throw cryptoError('RSA-OAEP decryption failed', e);
      }
      try {
        return oaepDecode(hash, p.mgf1Hash, em, p.label ?? new Uint8Array());
      } finally {
        em.fill(0);
      }
    }
    try {
      return privateDecrypt(
        { key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash, oaepLabel: p.label },
        ciphertext,
      );
    } catch (e) {
      throw cryptoError('RSA-OAEP decryption failed', e);
    }
  }
  if (p.padding !== 'PKCS1V1_5') throw unsupported(`RSA padding ${String(p.padding)}`);
  let em: Buffer;
  try {
    em = privateDecrypt({ key, padding: constants.RSA_NO_PADDING }, ciphertext);
  } catch (e) {
    throw cryptoError('RSA decryption failed', e);
  }
  try {
    return unpadPkcs1v15(key, em, Buffer.from(ciphertext));
  } finally {
    em.fill(0);
  }
}

function mgf1(hash: HashName, seed: Uint8Array, length: number): Buffer {
  const out: Buffer[] = [];
  const c = Buffer.alloc(4);
  for (let i = 0; out.length * HASH_LENGTH[hash] < length; i++) {
    c.writeUInt32BE(i);
    out.push(createHash(hash).update(seed).update(c).digest());
  }
  return Buffer.concat(out).subarray(0, length);
}

function xorInto(target: Buffer, mask: Buffer): void {
  for (let i = 0; i < target.length; i++) target[i]! ^= mask[i]!;
}

/** EME-OAEP encoding, RFC 8017 section 7.1.1 step 2, with separate OAEP and MGF1 hashes. */
function oaepEncode(hash: HashName, mgfHash: HashName, k: number, m: Uint8Array, label: Uint8Array): Buffer {
  const hLen = HASH_LENGTH[hash];
  if (m.length > k - 2 * hLen - 2) throw invalidArgument(`OAEP plaintext is limited to ${k - 2 * hLen - 2} bytes`);
  const db = Buffer.alloc(k - hLen - 1);
  createHash(hash).update(label).digest().copy(db, 0);
  db[db.length - m.length - 1] = 0x01;
  Buffer.from(m).copy(db, db.length - m.length);
  const seed = randomBytes(hLen);
  xorInto(db, mgf1(mgfHash, seed, db.length));
  xorInto(seed, mgf1(mgfHash, db, hLen));
  return Buffer.concat([Buffer.from([0]), seed, db]);
}

/** EME-OAEP decoding, RFC 8017 section 7.1.2 step 3; one error for every failure (Manger). */
function oaepDecode(hash: HashName, mgfHash: HashName, em: Buffer, label: Uint8Array): Buffer {
  const hLen = HASH_LENGTH[hash];
  const k = em.length;
  const fail = (): never => {
    throw cryptoError('RSA-OAEP decryption failed');
  };
  if (k < 2 * hLen + 2) fail();
  const seed = Buffer.from(em.subarray(1, 1 + hLen));
  const db = Buffer.from(em.subarray(1 + hLen));
  xorInto(seed, mgf1(mgfHash, db, hLen));
  xorInto(db, mgf1(mgfHash, seed, db.length));
  const lHash = createHash(hash).update(label).digest();
  let bad = em[0]! | (timingSafeEqual(lHash, db.subarray(0, hLen)) ? 0 : 1);
  let index = 0;
  let found = 0;
  for (let i = hLen; i < db.length; i++) {
    const one = db[i] === 1 ? 1 : 0;
    const zero = db[i] === 0 ? 1 : 0;
    const take = one & (found ^ 1);
    index = take ? i : index;
    bad |= (found ^ 1) & (zero ^ 1) & (one ^ 1);
    found |= one;
  }
  bad |= found ^ 1;
  if (bad) {
    db.fill(0);
    fail();
  }
  const out = Buffer.from(db.subarray(index + 1));
  db.fill(0);
  return out;
}

/** EME-PKCS1-v1_5 decoding (RFC 8017 section 7.2.2 step 3) with implicit rejection. */
function unpadPkcs1v15(key: KeyObject, em: Buffer, ciphertext: Buffer): Buffer {
  const k = em.length;
  // Synthetic message: HMAC-SHA256 keyed by a digest of the private key, over the ciphertext.
  const der = key.export({ format: 'der', type: 'pkcs1' });
  const kdk = createHash('sha256').update(der).digest();
  der.fill(0);
  const prf = (label: string, len: number): Buffer => {
    const out: Buffer[] = [];
    for (let i = 0; out.length * 32 < len; i++) {
      out.push(
        createHmac('sha256', kdk)
          .update(Buffer.from([i >> 8, i & 0xff]))
          .update(label)
          .update(ciphertext)
          .digest(),
      );
    }
    return Buffer.concat(out).subarray(0, len);
  };
  const maxLen = k - 11;
  const lenBytes = prf('length', 2);
  const synthLen = ((lenBytes[0]! << 8) | lenBytes[1]!) % (maxLen + 1);
  const synthetic = prf('message', maxLen);
  kdk.fill(0);

  // Scan the whole block without data-dependent branches.
  let good = ((em[0]! ^ 0x00) | (em[1]! ^ 0x02)) === 0 ? 1 : 0;
  let zeroIndex = 0;
  let found = 0;
  for (let i = 2; i < k; i++) {
    const isZero = em[i] === 0 ? 1 : 0;
    const take = isZero & (found ^ 1);
    zeroIndex = take ? i : zeroIndex;
    found |= isZero;
  }
  good &= found;
  good &= zeroIndex >= 10 ? 1 : 0; // at least 8 bytes of non-zero padding
  const realLen = k - zeroIndex - 1;
  const outLen = good ? realLen : synthLen;
  const out = Buffer.alloc(outLen);
  const realStart = zeroIndex + 1;
  for (let i = 0; i < outLen; i++) {
    const r = em[realStart + i] ?? 0;
    const s = synthetic[i] ?? 0;
    out[i] = good ? r : s;
  }
  synthetic.fill(0);
  return out;
}
