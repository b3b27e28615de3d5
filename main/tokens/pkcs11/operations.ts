import { createHash } from 'node:crypto';
import * as graphene from 'graphene-pk11';
import { KeyholdError } from '../../../shared/errors.js';
import { tokenError } from './errors.js';
import { findOne, type ObjectFilter } from './objects.js';
import type { TokenSession } from './session.js';

/** Signature mechanisms by Keyhold name. ECDSA signatures come back as r||s (PKCS#11's form). */
export type SignatureMechanism =
  | 'RSA-PKCS1-SHA256'
  | 'RSA-PKCS1-SHA384'
  | 'RSA-PKCS1-SHA512'
  | 'RSA-PSS-SHA256'
  | 'ECDSA-SHA256'
  | 'ECDSA-SHA384'
  | 'ECDSA-SHA512'
  | 'AES-CMAC';

/** Encryption mechanisms. AES-GCM takes a 12-byte IV and returns ciphertext || 16-byte tag. */
export type CipherMechanism = 'AES-GCM' | 'AES-CBC-PAD' | 'RSA-OAEP-SHA1' | 'RSA-OAEP-SHA256' | 'RSA-PKCS1';

function signMechanism(m: SignatureMechanism): graphene.MechanismType {
  switch (m) {
    case 'RSA-PKCS1-SHA256':
      return 'SHA256_RSA_PKCS';
    case 'RSA-PKCS1-SHA384':
      return 'SHA384_RSA_PKCS';
    case 'RSA-PKCS1-SHA512':
      return 'SHA512_RSA_PKCS';
    case 'RSA-PSS-SHA256':
      return {
        name: 'SHA256_RSA_PKCS_PSS',
        params: new graphene.RsaPssParams(graphene.MechanismEnum.SHA256, graphene.RsaMgf.MGF1_SHA256, 32),
      };
    case 'ECDSA-SHA256':
    case 'ECDSA-SHA384':
    case 'ECDSA-SHA512':
      // Hashed here, signed with plain CKM_ECDSA: many tokens (SoftHSM, PIV) lack CKM_ECDSA_SHA*.
      return 'ECDSA';
    case 'AES-CMAC':
      return 'AES_CMAC';
  }
}

function cipherMechanism(m: CipherMechanism, iv: Uint8Array | undefined, aad?: Uint8Array): graphene.MechanismType {
  switch (m) {
    case 'AES-GCM':
      if (iv?.length !== 12) throw new KeyholdError('invalid-argument', 'AES-GCM needs a 12-byte IV');
      return {
        name: 'AES_GCM',
        params: new graphene.AesGcmParams(Buffer.from(iv), aad === undefined ? undefined : Buffer.from(aad), 128),
      };
    case 'AES-CBC-PAD':
      if (iv?.length !== 16) throw new KeyholdError('invalid-argument', 'AES-CBC needs a 16-byte IV');
      return { name: 'AES_CBC_PAD', params: Buffer.from(iv) };
    case 'RSA-OAEP-SHA1':
      return {
        name: 'RSA_PKCS_OAEP',
        params: new graphene.RsaOaepParams(graphene.MechanismEnum.SHA1, graphene.RsaMgf.MGF1_SHA1),
      };
    case 'RSA-OAEP-SHA256':
      return {
        name: 'RSA_PKCS_OAEP',
        params: new graphene.RsaOaepParams(graphene.MechanismEnum.SHA256, graphene.RsaMgf.MGF1_SHA256),
      };
    case 'RSA-PKCS1':
      return 'RSA_PKCS';
  }
}

/** The input the token signs: ECDSA mechanisms take the digest. */
function toBeSigned(mechanism: SignatureMechanism, data: Uint8Array): Buffer {
  const m = /^ECDSA-SHA(\d+)$/.exec(mechanism);
  return m === null ? Buffer.from(data) : createHash(`sha${m[1]}`).update(data).digest();
}

/** A key reference: the graphene object, or a filter naming one. */
export type KeyRef = graphene.SessionObject | ObjectFilter;

function resolve(s: TokenSession, ref: KeyRef, objectClass: ObjectFilter['objectClass']): graphene.SessionObject {
  if (ref instanceof graphene.SessionObject) return ref;
  return findOne(s, { ...ref, objectClass: ref.objectClass ?? objectClass });
}

const needsContextLogin = (key: graphene.SessionObject): boolean => {
  try {
    return key.getAttribute('alwaysAuth') === true;
  } catch {
    return false;
  }
};

/** Signs with a private (or AES-CMAC secret) key on the token; logs in again for CKA_ALWAYS_AUTHENTICATE keys. */
export function sign(s: TokenSession, key: KeyRef, mechanism: SignatureMechanism, data: Uint8Array): Uint8Array {
  const obj = resolve(s, key, mechanism === 'AES-CMAC' ? 'SecretKey' : 'PrivateKey');
  try {
    const signer = s.session.createSign(signMechanism(mechanism), obj.toType<graphene.Key>());
    if (needsContextLogin(obj)) s.contextLogin();
    return new Uint8Array(signer.once(toBeSigned(mechanism, data)));
  } catch (e) {
    throw tokenError(e, `sign with a key on token "${s.token.label}"`);
  }
}

/** Verifies on the token with a public (or AES-CMAC secret) key. */
export function verify(
  s: TokenSession,
  key: KeyRef,
  mechanism: SignatureMechanism,
  data: Uint8Array,
  signature: Uint8Array,
): boolean {
  const obj = resolve(s, key, mechanism === 'AES-CMAC' ? 'SecretKey' : 'PublicKey');
  try {
    return s.session
      .createVerify(signMechanism(mechanism), obj.toType<graphene.Key>())
      .once(toBeSigned(mechanism, data), Buffer.from(signature));
  } catch (e) {
    if (/CKR_SIGNATURE_(INVALID|LEN_RANGE)/.test(String(e))) return false;
    throw tokenError(e, `verify with a key on token "${s.token.label}"`);
  }
}

type CipherArgs = [
  s: TokenSession,
  key: KeyRef,
  mechanism: CipherMechanism,
  data: Uint8Array,
  iv?: Uint8Array,
  aad?: Uint8Array,
];

/**
 * Encrypts or decrypts on the token: RSA with the public or private key, else a secret key;
 * a decryption logs in again for CKA_ALWAYS_AUTHENTICATE keys.
 */
function cipherOnToken(
  direction: 'encrypt' | 'decrypt',
  ...[s, key, mechanism, data, iv, aad]: CipherArgs
): Uint8Array {
  const asymmetric = direction === 'encrypt' ? 'PublicKey' : 'PrivateKey';
  const obj = resolve(s, key, mechanism.startsWith('RSA') ? asymmetric : 'SecretKey');
  try {
    const m = cipherMechanism(mechanism, iv, aad);
    const k = obj.toType<graphene.Key>();
    const cipher = direction === 'encrypt' ? s.session.createCipher(m, k) : s.session.createDecipher(m, k);
    if (direction === 'decrypt' && needsContextLogin(obj)) s.contextLogin();
    return new Uint8Array(cipher.once(Buffer.from(data), Buffer.alloc(data.length + 1024)));
  } catch (e) {
    throw tokenError(e, `${direction} with a key on token "${s.token.label}"`);
  }
}

/** Encrypts on the token. */
export function encrypt(...args: CipherArgs): Uint8Array {
  return cipherOnToken('encrypt', ...args);
}

/** Decrypts on the token; logs in again for CKA_ALWAYS_AUTHENTICATE keys. */
export function decrypt(...args: CipherArgs): Uint8Array {
  return cipherOnToken('decrypt', ...args);
}

/**
 * An ECDSA signature from PKCS#11 (r || s, each the curve size) as the DER SEQUENCE of two
 * INTEGERs that X.509, CMS and CSRs carry (RFC 5480 section 2.2 / SEC 1).
 */
export function ecdsaSignatureToDer(raw: Uint8Array): Uint8Array {
  if (raw.length === 0 || raw.length % 2 !== 0)
    throw new KeyholdError('format', 'an ECDSA signature has two halves of equal size');
  const half = raw.length / 2;
  const int = (b: Uint8Array): Buffer => {
    let i = 0;
    while (i < b.length - 1 && b[i] === 0) i++;
    const v = Buffer.from(b.subarray(i));
    const body = (v[0]! & 0x80) !== 0 ? Buffer.concat([Buffer.from([0]), v]) : v;
    return Buffer.concat([Buffer.from([0x02]), derLen(body.length), body]);
  };
  const seq = Buffer.concat([int(raw.subarray(0, half)), int(raw.subarray(half))]);
  return new Uint8Array(Buffer.concat([Buffer.from([0x30]), derLen(seq.length), seq]));
}

function derLen(n: number): Buffer {
  return n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
}

/**
 * A signer for X.509 work (CSRs, certificates, a CA on a token): signs `data` with the token
 * key and returns the signature in X.509's encoding (DER for ECDSA). Valid inside the session.
 */
export function x509Signer(
  s: TokenSession,
  key: KeyRef,
  mechanism: SignatureMechanism,
): (data: Uint8Array) => Uint8Array {
  return (data) => {
    const sig = sign(s, key, mechanism, data);
    return mechanism.startsWith('ECDSA') ? ecdsaSignatureToDer(sig) : sig;
  };
}
