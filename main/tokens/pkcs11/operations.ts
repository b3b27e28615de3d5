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

/** Encrypts on the token. */
export function encrypt(
  s: TokenSession,
  key: KeyRef,
  mechanism: CipherMechanism,
  data: Uint8Array,
  iv?: Uint8Array,
  aad?: Uint8Array,
): Uint8Array {
  const obj = resolve(s, key, mechanism.startsWith('RSA') ? 'PublicKey' : 'SecretKey');
  try {
    const cipher = s.session.createCipher(cipherMechanism(mechanism, iv, aad), obj.toType<graphene.Key>());
    return new Uint8Array(cipher.once(Buffer.from(data), Buffer.alloc(data.length + 1024)));
  } catch (e) {
    throw tokenError(e, `encrypt with a key on token "${s.token.label}"`);
  }
}

/** Decrypts on the token; logs in again for CKA_ALWAYS_AUTHENTICATE keys. */
export function decrypt(
  s: TokenSession,
  key: KeyRef,
  mechanism: CipherMechanism,
  data: Uint8Array,
  iv?: Uint8Array,
  aad?: Uint8Array,
): Uint8Array {
  const obj = resolve(s, key, mechanism.startsWith('RSA') ? 'PrivateKey' : 'SecretKey');
  try {
    const decipher = s.session.createDecipher(cipherMechanism(mechanism, iv, aad), obj.toType<graphene.Key>());
    if (needsContextLogin(obj)) s.contextLogin();
    return new Uint8Array(decipher.once(Buffer.from(data), Buffer.alloc(data.length + 1024)));
  } catch (e) {
    throw tokenError(e, `decrypt with a key on token "${s.token.label}"`);
  }
}
