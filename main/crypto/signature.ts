import {
  constants,
  createHash,
  privateEncrypt,
  publicDecrypt,
  sign as nodeSign,
  timingSafeEqual,
  verify as nodeVerify,
  type KeyObject,
} from 'node:crypto';
import { isKeyholdError } from '../../shared/errors.js';
import { cryptoError, invalidArgument, unsupported } from './errors.js';
import { assertHash, HASH_LENGTH, type HashName } from './hash.js';
import { derToP1363, ecdsaSignDigest, ecdsaVerifyDigest, p1363ToDer } from './openssl-digest-sign.js';
import { randomBytes } from './random.js';

export interface SignatureParameters {
  /** Hash for RSA and ECDSA (KMIP Hashing Algorithm); EdDSA takes none. */
  hash?: HashName;
  /** RSA padding (KMIP Padding Method): PKCS1V1_5 (default) or PSS. */
  padding?: 'PKCS1V1_5' | 'PSS';
  /** PSS salt length in bytes (KMIP Salt Length); default the hash length. */
  saltLength?: number;
  /** ECDSA signature encoding: DER (X9.62, default) or IEEE P1363 r||s. */
  dsaEncoding?: 'der' | 'ieee-p1363';
}

type KeyKind = 'rsa' | 'ec' | 'eddsa';

function kind(key: KeyObject): KeyKind {
  const t = key.asymmetricKeyType;
  if (t === 'rsa' || t === 'rsa-pss') return 'rsa';
  if (t === 'ec') return 'ec';
  if (t === 'ed25519' || t === 'ed448') return 'eddsa';
  throw unsupported(`signatures with ${String(t)} keys`);
}

function nodeOptions(key: KeyObject, p: SignatureParameters, verifying = false) {
  const k = kind(key);
  if (k === 'eddsa') {
    if (p.padding) throw invalidArgument('EdDSA takes no padding');
    return { alg: null, opts: { key } };
  }
  const hash = p.hash ?? 'sha256';
  assertHash(hash);
  if (k === 'ec') {
    if (p.padding) throw invalidArgument('ECDSA takes no padding');
    return { alg: hash, opts: { key, dsaEncoding: p.dsaEncoding ?? 'der' } };
  }
  if ((p.padding ?? 'PKCS1V1_5') === 'PSS') {
    return {
      alg: hash,
      opts: {
        key,
        padding: constants.RSA_PKCS1_PSS_PADDING,
        // Signing defaults to a salt as long as the hash; verifying without a stated salt length
        // recovers it from the signature (RFC 8017 EMSA-PSS-VERIFY accepts any sLen).
        saltLength: p.saltLength ?? (verifying ? constants.RSA_PSS_SALTLEN_AUTO : HASH_LENGTH[hash]),
      },
    };
  }
  if (p.padding !== undefined && p.padding !== 'PKCS1V1_5')
    throw unsupported(`RSA signature padding ${String(p.padding)}`);
  return { alg: hash, opts: { key, padding: constants.RSA_PKCS1_PADDING } };
}

/** Signs data (KMIP Sign with Data). */
export function sign(key: KeyObject, p: SignatureParameters, data: Uint8Array): Buffer {
  if (key.type !== 'private') throw invalidArgument('signing needs a private key');
  const { alg, opts } = nodeOptions(key, p);
  try {
    return nodeSign(alg, data, opts);
  } catch (e) {
    throw cryptoError('signing failed', e);
  }
}

/** Verifies a signature over data (KMIP Signature Verify). */
export function verify(key: KeyObject, p: SignatureParameters, data: Uint8Array, signature: Uint8Array): boolean {
  const { alg, opts } = nodeOptions(key, p, true);
  try {
    return nodeVerify(alg, data, opts, signature);
  } catch (e) {
    if (isKeyholdError(e)) throw e;
    return false;
  }
}

// DigestInfo prefixes, RFC 8017 section 9.2 note 1 (plus SHA-3 from the NIST OID arc).
const DIGEST_INFO: Partial<Record<HashName, string>> = {
  md5: '3020300c06082a864886f70d020505000410',
  sha1: '3021300906052b0e03021a05000414',
  sha224: '302d300d06096086480165030402040500041c',
  sha256: '3031300d060960864801650304020105000420',
  sha384: '3041300d060960864801650304020205000430',
  sha512: '3051300d060960864801650304020305000440',
  'sha512-224': '302d300d06096086480165030402050500041c',
  'sha512-256': '3031300d060960864801650304020605000420',
  'sha3-224': '302d300d06096086480165030402070500041c',
  'sha3-256': '3031300d060960864801650304020805000420',
  'sha3-384': '3041300d060960864801650304020905000430',
  'sha3-512': '3051300d060960864801650304020a05000440',
};

/** Bytes of a P-256/P-384/P-521 scalar, for IEEE P1363 signatures. */
const EC_SIZE: Record<string, number> = { prime256v1: 32, secp384r1: 48, secp521r1: 66 };

function checkDigest(key: KeyObject, p: SignatureParameters, digest: Uint8Array): HashName {
  const k = kind(key);
  if (k === 'eddsa') {
    // Ed25519ph (RFC 8032 HashEdDSA) needs OpenSSL 3.2's "instance" parameter; the OpenSSL 3.0
    // that Node 20 and Debian ship refuse it (openssl pkeyutl -pkeyopt instance:Ed25519ph fails).
    throw unsupported(
      `signing a pre-digested value with EdDSA (Ed25519ph/Ed448ph need OpenSSL 3.2; this is ${process.versions.openssl})`,
    );
  }
  if (k === 'ec' && p.padding) throw invalidArgument('ECDSA takes no padding');
  const hash = p.hash ?? 'sha256';
  assertHash(hash);
  if (digest.length !== HASH_LENGTH[hash])
    throw invalidArgument(`digest must be ${HASH_LENGTH[hash]} bytes for ${hash}`);
  return hash;
}

/** Signs a digest computed elsewhere (KMIP Sign with Digested Data): RSA in-process, ECDSA via openssl pkeyutl. */
export function signDigest(key: KeyObject, p: SignatureParameters, digest: Uint8Array): Buffer {
  if (key.type !== 'private') throw invalidArgument('signing needs a private key');
  const hash = checkDigest(key, p, digest);
  if (kind(key) === 'ec') {
    const der = ecdsaSignDigest(key, digest);
    if ((p.dsaEncoding ?? 'der') === 'der') return der;
    return derToP1363(der, EC_SIZE[key.asymmetricKeyDetails?.namedCurve ?? ''] ?? 32);
  }
  try {
    if ((p.padding ?? 'PKCS1V1_5') === 'PSS') {
      const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
      const em = pssEncode(hash, digest, bits - 1, p.saltLength ?? HASH_LENGTH[hash]);
      const padded = Buffer.concat([Buffer.alloc(Math.ceil(bits / 8) - em.length), em]);
      return privateEncrypt({ key, padding: constants.RSA_NO_PADDING }, padded);
    }
    const info = Buffer.concat([Buffer.from(DIGEST_INFO[hash] ?? '', 'hex'), digest]);
    return privateEncrypt({ key, padding: constants.RSA_PKCS1_PADDING }, info);
  } catch (e) {
    if (isKeyholdError(e)) throw e;
    throw cryptoError('signing failed', e);
  }
}

/** Verifies a signature over a digest (KMIP Signature Verify with Digested Data); RSA and ECDSA. */
export function verifyDigest(
  key: KeyObject,
  p: SignatureParameters,
  digest: Uint8Array,
  signature: Uint8Array,
): boolean {
  const hash = checkDigest(key, p, digest);
  if (kind(key) === 'ec') {
    if ((p.dsaEncoding ?? 'der') === 'der') return ecdsaVerifyDigest(key, digest, signature);
    const size = EC_SIZE[key.asymmetricKeyDetails?.namedCurve ?? ''] ?? 32;
    if (signature.length !== 2 * size) return false;
    return ecdsaVerifyDigest(key, digest, p1363ToDer(signature));
  }
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (signature.length !== Math.ceil(bits / 8)) return false;
  try {
    if ((p.padding ?? 'PKCS1V1_5') === 'PSS') {
      const em = publicDecrypt({ key, padding: constants.RSA_NO_PADDING }, signature);
      return pssVerify(hash, digest, em, bits - 1, p.saltLength);
    }
    const got = publicDecrypt({ key, padding: constants.RSA_PKCS1_PADDING }, signature);
    const want = Buffer.concat([Buffer.from(DIGEST_INFO[hash] ?? '', 'hex'), digest]);
    return got.length === want.length && timingSafeEqual(got, want);
  } catch {
    return false;
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

/** EMSA-PSS-ENCODE, RFC 8017 section 9.1.1, from step 4 (mHash given). */
function pssEncode(hash: HashName, mHash: Uint8Array, emBits: number, sLen: number): Buffer {
  const hLen = HASH_LENGTH[hash];
  const emLen = Math.ceil(emBits / 8);
  if (emLen < hLen + sLen + 2) throw invalidArgument('PSS salt length too long for this key');
  const salt = randomBytes(sLen);
  const h = createHash(hash).update(Buffer.alloc(8)).update(mHash).update(salt).digest();
  const db = Buffer.alloc(emLen - hLen - 1);
  db[emLen - sLen - hLen - 2] = 0x01;
  salt.copy(db, emLen - sLen - hLen - 1);
  const mask = mgf1(hash, h, db.length);
  for (let i = 0; i < db.length; i++) db[i]! ^= mask[i]!;
  db[0]! &= 0xff >> (8 * emLen - emBits);
  return Buffer.concat([db, h, Buffer.from([0xbc])]);
}

/** EMSA-PSS-VERIFY, RFC 8017 section 9.1.2; a missing salt length means "recover it" (auto). */
function pssVerify(hash: HashName, mHash: Uint8Array, block: Buffer, emBits: number, sLen?: number): boolean {
  const hLen = HASH_LENGTH[hash];
  const emLen = Math.ceil(emBits / 8);
  const em = block.subarray(block.length - emLen);
  if (block.length > emLen && block[0] !== 0) return false;
  if (emLen < hLen + 2 || em[emLen - 1] !== 0xbc) return false;
  const db = Buffer.from(em.subarray(0, emLen - hLen - 1));
  const h = em.subarray(emLen - hLen - 1, emLen - 1);
  const topMask = 0xff >> (8 * emLen - emBits);
  if ((db[0]! & ~topMask) !== 0) return false;
  const mask = mgf1(hash, h, db.length);
  for (let i = 0; i < db.length; i++) db[i]! ^= mask[i]!;
  db[0]! &= topMask;
  let i = 0;
  while (i < db.length && db[i] === 0) i++;
  if (i >= db.length || db[i] !== 0x01) return false;
  const salt = db.subarray(i + 1);
  if (sLen !== undefined && salt.length !== sLen) return false;
  const h2 = createHash(hash).update(Buffer.alloc(8)).update(mHash).update(salt).digest();
  return timingSafeEqual(h, h2);
}
