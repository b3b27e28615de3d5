import * as graphene from 'graphene-pk11';
import { KeyholdError } from '../../../shared/errors.js';
import { tokenError } from './errors.js';
import { describeObject, findObjects, generateKey, importKey, type TokenObjectInfo } from './objects.js';
import type { TokenSession } from './session.js';
import { slotMechanisms } from './tokens.js';

/** The label Keyhold gives a token's key-encryption key unless told otherwise. */
export const DEFAULT_KEK_LABEL = 'keyhold-kek';

/** RFC 5649 AES key wrap with padding: wraps any length, and checks integrity on unwrap. */
const WRAP: graphene.MechanismType = 'AES_KEY_WRAP_PAD';

/** How a token can take part in backups. */
export interface ExportCapability {
  /** The token can wrap and unwrap with AES (AES_KEY_WRAP_PAD): backups and key domains work. */
  wrap: boolean;
  /** The token generates AES keys (a KEK can be made on it). */
  aes: boolean;
  /**
   * 'wrap': keys move between tokens wrapped under a shared KEK; 'import-only': PIV-style, keys
   * can be put on the token but never leave it, so generate them in the vault, import them into
   * each token and keep an encrypted escrow (escrow.ts).
   */
  mode: 'wrap' | 'import-only';
}

export function exportCapability(s: TokenSession): ExportCapability {
  const mechs = slotMechanisms(s.session.slot);
  const has = (name: string, ...flags: string[]) =>
    mechs.some((m) => m.name === name && flags.every((f) => m.flags.includes(f)));
  const wrap = has('AES_KEY_WRAP_PAD', 'wrap', 'unwrap');
  return { wrap, aes: has('AES_KEY_GEN', 'generate'), mode: wrap ? 'wrap' : 'import-only' };
}

/** The token's KEK (an AES key with wrap/unwrap) by label, or undefined. */
export function findKek(s: TokenSession, label = DEFAULT_KEK_LABEL): graphene.SessionObject | undefined {
  return findObjects(s, { objectClass: 'SecretKey', label }).find((o) => o.getAttribute('unwrap') === true);
}

/**
 * Finds the KEK, or makes it: generated on the token, or (with `value`) imported, which is how
 * two tokens come to share one KEK (a key domain). Either way it is sensitive, never
 * extractable, and may only wrap and unwrap.
 */
export function ensureKek(s: TokenSession, label = DEFAULT_KEK_LABEL, value?: Uint8Array): TokenObjectInfo {
  const found = findKek(s, label);
  if (found !== undefined) {
    if (value !== undefined)
      throw new KeyholdError('illegal-state', `token "${s.token.label}" already has a key-encryption key "${label}"`);
    return describeObject(found);
  }
  if (!exportCapability(s).wrap)
    throw new KeyholdError(
      'unsupported',
      `token "${s.token.label}" cannot wrap keys (no AES key wrap); use an escrow instead`,
    );
  if (value !== undefined)
    return importKey(
      s,
      { kind: 'secret', keyType: 'AES', value },
      { label, keyEncryption: true, extractable: false },
    )[0]!;
  return generateKey(s, { algorithm: 'AES', label, keyEncryption: true, extractable: false })[0]!;
}

function requireKek(s: TokenSession, label: string): graphene.SessionObject {
  const kek = findKek(s, label);
  if (kek === undefined)
    throw new KeyholdError('not-found', `token "${s.token.label}" has no key-encryption key "${label}"`, {
      reason: 'Item Not Found',
    });
  return kek;
}

/** The PKCS#11 key type secret bytes are wrapped as: AES for AES-sized keys, else a generic secret. */
export type WrapKeyType = 'AES' | 'GENERIC_SECRET';

const keyTypeOf = (t: WrapKeyType) => (t === 'AES' ? graphene.KeyType.AES : graphene.KeyType.GENERIC_SECRET);

/**
 * Generic secrets are framed before wrapping: a 4-byte big-endian length, the bytes, zeros to a
 * multiple of 8. Modules differ in whether they strip RFC 5649 padding on unwrap (SoftHSM 2.6
 * does not for generic secrets), so the length travels inside the wrapped value.
 */
function frame(material: Uint8Array): Buffer {
  const out = Buffer.alloc(Math.ceil((material.length + 4) / 8) * 8);
  out.writeUInt32BE(material.length, 0);
  out.set(material, 4);
  return out;
}

function unframe(value: Buffer): Buffer {
  const n = value.length >= 4 ? value.readUInt32BE(0) : -1;
  if (n < 0 || n + 4 > value.length) {
    value.fill(0);
    throw new KeyholdError('format', 'an unwrapped secret has a bad length frame');
  }
  const out = Buffer.from(value.subarray(4, 4 + n));
  value.fill(0);
  return out;
}

/**
 * Wraps secret bytes under the token's KEK: they become a short-lived session object, which
 * C_WrapKey wraps, and which is destroyed straight after. The caller wipes `material`.
 */
export function wrapSecret(s: TokenSession, kekLabel: string, material: Uint8Array, keyType: WrapKeyType): Buffer {
  const kek = requireKek(s, kekLabel);
  const value = keyType === 'AES' ? Buffer.from(material) : frame(material);
  let obj: graphene.SessionObject | undefined;
  try {
    const t: graphene.ITemplate = {
      class: graphene.ObjectClass.SECRET_KEY,
      keyType: keyTypeOf(keyType),
      token: false,
      private: true,
      sensitive: true,
      extractable: true,
      value,
    };
    obj = s.session.create(t);
    return s.session.wrapKey(WRAP, kek.toType<graphene.Key>(), obj.toType<graphene.Key>());
  } catch (e) {
    throw tokenError(e, `wrap a key on token "${s.token.label}"`);
  } finally {
    value.fill(0);
    try {
      obj?.destroy();
    } catch {
      // A session object goes with the session anyway.
    }
  }
}

/** Unwraps bytes wrapped by `wrapSecret` (on this token or one sharing its KEK). The caller wipes the result. */
export function unwrapSecret(s: TokenSession, kekLabel: string, wrapped: Uint8Array, keyType: WrapKeyType): Buffer {
  const kek = requireKek(s, kekLabel);
  let obj: graphene.SessionObject | undefined;
  try {
    obj = s.session.unwrapKey(WRAP, kek.toType<graphene.Key>(), Buffer.from(wrapped), {
      class: graphene.ObjectClass.SECRET_KEY,
      keyType: keyTypeOf(keyType),
      token: false,
      private: true,
      sensitive: false,
      extractable: true,
    });
    const value = obj.getAttribute('value') as Buffer;
    return keyType === 'AES' ? value : unframe(value);
  } catch (e) {
    throw tokenError(e, `unwrap a key on token "${s.token.label}"`);
  } finally {
    try {
      obj?.destroy();
    } catch {
      // As above.
    }
  }
}

/**
 * Wraps a key that is already on the token (it must be extractable; sensitive is fine) under
 * the KEK, for copying to another token of the same key domain.
 */
export function wrapTokenKey(s: TokenSession, kekLabel: string, key: graphene.SessionObject): Buffer {
  const kek = requireKek(s, kekLabel);
  if (key.getAttribute('extractable') !== true)
    throw new KeyholdError(
      'token',
      `the key "${String(key.getAttribute('label'))}" is not extractable: it cannot leave token "${s.token.label}"`,
      {
        reason: 'Permission Denied',
      },
    );
  try {
    return s.session.wrapKey(WRAP, kek.toType<graphene.Key>(), key.toType<graphene.Key>());
  } catch (e) {
    throw tokenError(e, `wrap a key on token "${s.token.label}"`);
  }
}

/** What a wrapped token key was, so the other token can unwrap it into the same kind of key. */
export interface WrappedTokenKey {
  objectClass: 'SecretKey' | 'PrivateKey';
  keyType: string;
  label: string;
  id: string;
  usage: string[];
  extractable: boolean;
  wrapped: string;
  /** Public key attributes to recreate the public half (modulus/exponent or EC params/point), base64. */
  publicKey?: { [attribute: string]: string };
}

const USAGE_ATTRS = ['encrypt', 'decrypt', 'sign', 'verify', 'wrap', 'unwrap', 'derive'];

/** Unwraps a key from another token of the key domain onto this one, as a sensitive token object. */
export function unwrapTokenKey(s: TokenSession, kekLabel: string, w: WrappedTokenKey): TokenObjectInfo[] {
  const kek = requireKek(s, kekLabel);
  const keyType = graphene.KeyType[w.keyType as keyof typeof graphene.KeyType];
  if (keyType === undefined) throw new KeyholdError('unsupported', `cannot unwrap a ${w.keyType} key`);
  const t: graphene.ITemplate = {
    class: w.objectClass === 'SecretKey' ? graphene.ObjectClass.SECRET_KEY : graphene.ObjectClass.PRIVATE_KEY,
    keyType,
    token: true,
    private: true,
    sensitive: true,
    extractable: w.extractable,
    label: w.label,
    id: Buffer.from(w.id, 'hex'),
  };
  for (const u of USAGE_ATTRS) if (w.usage.includes(u)) t[u] = true;
  try {
    const out = [
      describeObject(s.session.unwrapKey(WRAP, kek.toType<graphene.Key>(), Buffer.from(w.wrapped, 'base64'), t)),
    ];
    if (w.publicKey !== undefined) {
      const pub: graphene.ITemplate = {
        class: graphene.ObjectClass.PUBLIC_KEY,
        keyType,
        token: true,
        private: false,
        label: w.label,
        id: Buffer.from(w.id, 'hex'),
        verify: true,
      };
      for (const [k, v] of Object.entries(w.publicKey)) pub[k] = Buffer.from(v, 'base64');
      if (w.keyType === 'RSA') pub.encrypt = true;
      out.push(describeObject(s.session.create(pub)));
    }
    return out;
  } catch (e) {
    throw tokenError(e, `unwrap a key onto token "${s.token.label}"`);
  }
}

/** Reads what `unwrapTokenKey` needs to recreate the public half of a key pair. */
export function publicKeyAttributes(
  s: TokenSession,
  id: string,
  keyType: string,
): { [attribute: string]: string } | undefined {
  const pub = findObjects(s, { objectClass: 'PublicKey', id })[0];
  if (pub === undefined) return undefined;
  const names = keyType === 'RSA' ? ['modulus', 'publicExponent'] : [];
  const out: { [attribute: string]: string } = {};
  for (const n of names) out[n] = (pub.getAttribute(n) as Buffer).toString('base64');
  if (keyType === 'EC') {
    // By number: graphene reads CKA_EC_PARAMS back under another name.
    out['paramsEC'] = pub.getAttribute(0x180).toString('base64');
    out['pointEC'] = pub.getAttribute(0x181).toString('base64');
  }
  return out;
}
