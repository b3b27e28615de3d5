import {
  HASHING_ALGORITHM,
  HMAC_HASH,
  USAGE_MASK,
  decryptSymmetric,
  encryptSymmetric,
  hash,
  hmac,
  hmacVerify,
  importKeyMaterial,
  randomBytes,
  rsaDecrypt,
  rsaEncrypt,
  rsaEncryptionParameters,
  sign,
  signatureParameters,
  symmetricParameters,
  verify,
  type CryptographicParameters,
  type SymmetricParameters,
} from '../crypto/index.js';
import type { StructureItem } from '../kmip/ttlv/index.js';
import type { ManagedObject } from '../vault/model.js';
import { valueFromTtlv } from './attributes.js';
import type { OpsContext } from './context.js';
import { kmipError } from './errors.js';
import { checkUseDates, consumeUsage } from './key-usage-policy.js';
import { first, loadObject, stateOf } from './objects.js';
import { decryptOnToken, encryptOnToken, signOnToken, verifyOnToken } from './token-crypto-ops.js';
import { streamedCiphers } from './streamed-cipher.js';
import { findBool, findBytes, findInt, findStruct, need, t } from './ttlv.js';
import { Tag, enumValue } from './vocabulary.js';

/** The key is Active and its usage mask allows `usage` (key material not looked at). */
function checkUsable(obj: ManagedObject, usage: number, what: string, ctx: OpsContext): void {
  if (stateOf(obj) !== 'Active')
    throw kmipError('WrongKeyLifecycleState', `${what} needs an Active key`, 'illegal-state');
  const mask = first<number>(obj.attributes, 'CryptographicUsageMask');
  if (mask !== undefined && (mask & usage) === 0) {
    throw kmipError(
      'IncompatibleCryptographicUsageMask',
      `the key's usage mask does not allow ${what}`,
      'permission-denied',
    );
  }
  checkUseDates(obj, PROCESSING.has(usage) ? 'process' : 'protect', ctx);
}

const PROCESSING = new Set<number>([USAGE_MASK.Decrypt, USAGE_MASK.Verify, USAGE_MASK.MACVerify]);

/** The key's material as bytes, or a KMIP error (no key, destroyed, not Active, outside its dates). */
function usableKey(obj: ManagedObject, usage: number, what: string, ctx: OpsContext): Uint8Array {
  checkUsable(obj, usage, what, ctx);
  const m = obj.keyBlock?.keyMaterial;
  if (m instanceof Uint8Array) return m;
  if (m && m.Key instanceof Uint8Array) return m.Key;
  throw kmipError('KeyValueNotPresent', 'the key has no usable key material', 'illegal-state');
}

/** Cryptographic Parameters of the request, else those stored with the key. */
function parameters(payload: StructureItem, obj: ManagedObject): CryptographicParameters {
  const item = findStruct(payload, Tag.CryptographicParameters);
  const value = item
    ? valueFromTtlv(item, 'CryptographicParameters')
    : first(obj.attributes, 'CryptographicParameters');
  return (value ?? {}) as CryptographicParameters;
}

/** RSA encryption parameters; P Source (KMIP 1.4 section 3.6 / 2.1 section 11.17) is the OAEP label. */
function rsaParameters(p: CryptographicParameters) {
  const pSource = (p as { PSource?: unknown }).PSource;
  return { ...rsaEncryptionParameters(p), label: pSource instanceof Uint8Array ? pSource : undefined };
}

function algorithmOf(obj: ManagedObject): string {
  return obj.keyBlock?.cryptographicAlgorithm ?? first<string>(obj.attributes, 'CryptographicAlgorithm') ?? '';
}

function asymmetric(obj: ManagedObject) {
  if (obj.objectType !== 'PrivateKey' && obj.objectType !== 'PublicKey') return undefined;
  const kb = obj.keyBlock;
  if (!kb) throw kmipError('KeyValueNotPresent', 'the key has no key material', 'illegal-state');
  return importKeyMaterial(obj.objectType, kb.keyFormatType, kb.keyMaterial, kb.cryptographicAlgorithm);
}

function cryptoFailure(e: unknown): Error {
  if (e instanceof Error && 'reason' in e && (e as { reason?: string }).reason !== undefined) return e;
  if (e instanceof Error && 'code' in e) {
    return kmipError('CryptographicFailure', e.message, 'crypto');
  }
  return kmipError('CryptographicFailure', 'the cryptographic operation failed', 'crypto');
}

/**
 * Protocol-level checks and forms KMIP allows before the symmetric primitive runs:
 * - ChaCha20 nonces of 8 bytes (original 64-bit form) or 12 bytes (RFC 8439) start at block
 *   counter 0; the primitive takes the 16-byte counter||nonce block, so the counter is prefixed.
 * - A decryption in a mode that needs an IV without one is an Invalid Message (the request
 *   lacks a field the operation requires for this mode), not an invalid field value.
 * - An AEAD tag length the algorithm cannot produce is a General Failure of the request.
 */
function adaptSymmetric(sp: SymmetricParameters, direction: 'encrypt' | 'decrypt'): SymmetricParameters {
  if (sp.algorithm === 'ChaCha20' && sp.iv && (sp.iv.length === 8 || sp.iv.length === 12)) {
    const block = new Uint8Array(16);
    block.set(sp.iv, 16 - sp.iv.length);
    return { ...sp, iv: block };
  }
  const needsIv = sp.mode !== undefined && sp.mode !== 'ECB' && (sp.algorithm === 'AES' || sp.algorithm === 'DES3');
  if (direction === 'decrypt' && needsIv && !sp.iv) {
    throw kmipError('InvalidMessage', `${sp.mode} decryption needs an IV/Counter/Nonce`, 'invalid-argument');
  }
  const aead = sp.mode === 'GCM' || sp.algorithm === 'ChaCha20Poly1305';
  if (aead && sp.tagLength !== undefined && ![4, 8, 12, 13, 14, 15, 16].includes(sp.tagLength)) {
    throw kmipError('GeneralFailure', `AEAD tag length ${sp.tagLength} is not valid`, 'invalid-argument');
  }
  return sp;
}

/** Counts the use against the key's Usage Limits, then hands the response on. */
async function spent(
  obj: ManagedObject,
  dataBytes: number,
  ctx: OpsContext,
  response: StructureItem,
): Promise<StructureItem> {
  await consumeUsage(obj, dataBytes, ctx);
  return response;
}

/** A part of a multi-part operation: an Init Indicator not also Final, or a Correlation Value. */
function isMultiPart(payload: StructureItem): boolean {
  const init = findBool(payload, Tag.InitIndicator) === true;
  const final = findBool(payload, Tag.FinalIndicator) === true;
  return (init && !final) || findBytes(payload, Tag.CorrelationValue) !== undefined;
}

/**
 * Multi-part Encrypt/Decrypt (KMIP 1.4 sections 4.29-4.30): the key is checked on every part (it
 * may have been revoked meanwhile) and every part counts against its Usage Limits.
 */
async function multiPart(
  direction: 'encrypt' | 'decrypt',
  payload: StructureItem,
  obj: ManagedObject,
  data: Uint8Array,
  ctx: OpsContext,
): Promise<StructureItem> {
  const usage = direction === 'encrypt' ? USAGE_MASK.Encrypt : USAGE_MASK.Decrypt;
  const keyBytes = usableKey(obj, usage, direction === 'encrypt' ? 'Encrypt' : 'Decrypt', ctx);
  const now = ctx.now().getTime();
  const uid = t.text(Tag.UniqueIdentifier, obj.uniqueIdentifier);
  const correlation = findBytes(payload, Tag.CorrelationValue);
  try {
    if (!correlation) {
      let iv = findBytes(payload, Tag.IVCounterNonce);
      const p = parameters(payload, obj);
      const aad = findBytes(payload, Tag.AuthenticatedEncryptionAdditionalData);
      const chosen = symmetricParameters(algorithmOf(obj), p, { iv, aad });
      let madeIv: Uint8Array | undefined;
      if (direction === 'encrypt' && !iv && chosen.mode !== 'ECB') {
        iv = madeIv = randomBytes(chosen.mode === 'GCM' ? 12 : chosen.algorithm === 'DES3' ? 8 : 16);
      }
      const sp = adaptSymmetric({ ...chosen, iv }, direction);
      const id = streamedCiphers.init(
        direction,
        { uniqueIdentifier: obj.uniqueIdentifier, identity: ctx.identity },
        keyBytes,
        sp,
        now,
      );
      const part = streamedCiphers.update(id, direction, ctx.identity, data, now);
      return spent(
        obj,
        data.length,
        ctx,
        t.struct(Tag.ResponsePayload, [
          uid,
          t.bytes(Tag.Data, part.data),
          madeIv ? t.bytes(Tag.IVCounterNonce, madeIv) : undefined,
          t.bytes(Tag.CorrelationValue, id),
        ]),
      );
    }
    if (findBool(payload, Tag.FinalIndicator) === true) {
      const tag = findBytes(payload, Tag.AuthenticatedEncryptionTag);
      const last = streamedCiphers.final(correlation, direction, ctx.identity, data, now, tag);
      return spent(
        obj,
        data.length,
        ctx,
        t.struct(Tag.ResponsePayload, [
          uid,
          t.bytes(Tag.Data, last.data),
          last.tag ? t.bytes(Tag.AuthenticatedEncryptionTag, last.tag) : undefined,
        ]),
      );
    }
    const part = streamedCiphers.update(correlation, direction, ctx.identity, data, now);
    return spent(
      obj,
      data.length,
      ctx,
      t.struct(Tag.ResponsePayload, [uid, t.bytes(Tag.Data, part.data), t.bytes(Tag.CorrelationValue, correlation)]),
    );
  } catch (e) {
    throw cryptoFailure(e);
  }
}

/** Encrypt (KMIP 1.4 section 4.29). */
export async function encrypt(payload: StructureItem, ctx: OpsContext): Promise<StructureItem> {
  const obj = await loadObject(payload, ctx);
  const data = need(findBytes(payload, Tag.Data), 'Data');
  if (isMultiPart(payload)) return multiPart('encrypt', payload, obj, data, ctx);
  const p = parameters(payload, obj);
  const iv = findBytes(payload, Tag.IVCounterNonce);
  try {
    if (ctx.tokenCrypto?.handles(obj)) {
      checkUsable(obj, USAGE_MASK.Encrypt, 'Encrypt', ctx);
      return spent(obj, data.length, ctx, await encryptOnToken(ctx.tokenCrypto, obj, algorithmOf(obj), p, data, iv));
    }
    const key = asymmetric(obj);
    if (key) {
      usableKey(obj, USAGE_MASK.Encrypt, 'Encrypt', ctx);
      const out = rsaEncrypt(key, rsaParameters(p), data);
      return spent(
        obj,
        data.length,
        ctx,
        t.struct(Tag.ResponsePayload, [t.text(Tag.UniqueIdentifier, obj.uniqueIdentifier), t.bytes(Tag.Data, out)]),
      );
    }
    const keyBytes = usableKey(obj, USAGE_MASK.Encrypt, 'Encrypt', ctx);
    const aad = findBytes(payload, Tag.AuthenticatedEncryptionAdditionalData);
    const sp = adaptSymmetric(symmetricParameters(algorithmOf(obj), p, { iv, aad }), 'encrypt');
    const r = encryptSymmetric(keyBytes, sp, data);
    return spent(
      obj,
      data.length,
      ctx,
      t.struct(Tag.ResponsePayload, [
        t.text(Tag.UniqueIdentifier, obj.uniqueIdentifier),
        t.bytes(Tag.Data, r.data),
        r.iv && !iv ? t.bytes(Tag.IVCounterNonce, r.iv) : undefined,
        r.tag ? t.bytes(Tag.AuthenticatedEncryptionTag, r.tag) : undefined,
      ]),
    );
  } catch (e) {
    throw cryptoFailure(e);
  }
}

/** Decrypt (KMIP 1.4 section 4.30). */
export async function decrypt(payload: StructureItem, ctx: OpsContext): Promise<StructureItem> {
  const obj = await loadObject(payload, ctx);
  const data = need(findBytes(payload, Tag.Data), 'Data');
  if (isMultiPart(payload)) return multiPart('decrypt', payload, obj, data, ctx);
  const p = parameters(payload, obj);
  try {
    if (ctx.tokenCrypto?.handles(obj)) {
      checkUsable(obj, USAGE_MASK.Decrypt, 'Decrypt', ctx);
      return spent(
        obj,
        data.length,
        ctx,
        await decryptOnToken(
          ctx.tokenCrypto,
          obj,
          algorithmOf(obj),
          p,
          data,
          findBytes(payload, Tag.IVCounterNonce),
          findBytes(payload, Tag.AuthenticatedEncryptionTag),
        ),
      );
    }
    const key = asymmetric(obj);
    if (key) {
      usableKey(obj, USAGE_MASK.Decrypt, 'Decrypt', ctx);
      const out = rsaDecrypt(key, rsaParameters(p), data);
      return spent(
        obj,
        data.length,
        ctx,
        t.struct(Tag.ResponsePayload, [t.text(Tag.UniqueIdentifier, obj.uniqueIdentifier), t.bytes(Tag.Data, out)]),
      );
    }
    const keyBytes = usableKey(obj, USAGE_MASK.Decrypt, 'Decrypt', ctx);
    const sp = adaptSymmetric(
      symmetricParameters(algorithmOf(obj), p, {
        iv: findBytes(payload, Tag.IVCounterNonce),
        aad: findBytes(payload, Tag.AuthenticatedEncryptionAdditionalData),
      }),
      'decrypt',
    );
    const out = decryptSymmetric(keyBytes, sp, data, findBytes(payload, Tag.AuthenticatedEncryptionTag));
    return spent(
      obj,
      data.length,
      ctx,
      t.struct(Tag.ResponsePayload, [t.text(Tag.UniqueIdentifier, obj.uniqueIdentifier), t.bytes(Tag.Data, out)]),
    );
  } catch (e) {
    throw cryptoFailure(e);
  }
}

/** Sign (KMIP 1.4 section 4.31). */
export async function signOp(payload: StructureItem, ctx: OpsContext): Promise<StructureItem> {
  const obj = await loadObject(payload, ctx);
  const data = need(findBytes(payload, Tag.Data), 'Data');
  if (ctx.tokenCrypto?.handles(obj)) {
    checkUsable(obj, USAGE_MASK.Sign, 'Sign', ctx);
    try {
      return spent(
        obj,
        data.length,
        ctx,
        await signOnToken(ctx.tokenCrypto, obj, algorithmOf(obj), parameters(payload, obj), data),
      );
    } catch (e) {
      throw cryptoFailure(e);
    }
  }
  usableKey(obj, USAGE_MASK.Sign, 'Sign', ctx);
  try {
    const key = asymmetric(obj);
    if (!key) throw kmipError('IllegalObjectType', 'Sign needs a private key', 'invalid-argument');
    const sig = sign(key, signatureParameters(algorithmOf(obj), parameters(payload, obj)), data);
    return spent(
      obj,
      data.length,
      ctx,
      t.struct(Tag.ResponsePayload, [
        t.text(Tag.UniqueIdentifier, obj.uniqueIdentifier),
        t.bytes(Tag.SignatureData, sig),
      ]),
    );
  } catch (e) {
    throw cryptoFailure(e);
  }
}

/** Signature Verify (KMIP 1.4 section 4.32). */
export async function signatureVerify(payload: StructureItem, ctx: OpsContext): Promise<StructureItem> {
  const obj = await loadObject(payload, ctx);
  const data = need(findBytes(payload, Tag.Data), 'Data');
  const signature = need(findBytes(payload, Tag.SignatureData), 'Signature Data');
  if (ctx.tokenCrypto?.handles(obj)) {
    checkUsable(obj, USAGE_MASK.Verify, 'Signature Verify', ctx);
    try {
      return spent(
        obj,
        data.length,
        ctx,
        await verifyOnToken(ctx.tokenCrypto, obj, algorithmOf(obj), parameters(payload, obj), data, signature),
      );
    } catch (e) {
      throw cryptoFailure(e);
    }
  }
  usableKey(obj, USAGE_MASK.Verify, 'Signature Verify', ctx);
  let ok: boolean;
  try {
    const key = asymmetric(obj);
    if (!key) throw kmipError('IllegalObjectType', 'Signature Verify needs a public key', 'invalid-argument');
    ok = verify(key, signatureParameters(algorithmOf(obj), parameters(payload, obj)), data, signature);
  } catch (e) {
    throw cryptoFailure(e);
  }
  return spent(
    obj,
    data.length,
    ctx,
    t.struct(Tag.ResponsePayload, [
      t.text(Tag.UniqueIdentifier, obj.uniqueIdentifier),
      t.enm(Tag.ValidityIndicator, enumValue('ValidityIndicator', ok ? 'Valid' : 'Invalid') as number),
    ]),
  );
}

function macHash(obj: ManagedObject, payload: StructureItem): string {
  const p = parameters(payload, obj);
  const alg = p.CryptographicAlgorithm ?? algorithmOf(obj);
  const h = HMAC_HASH[alg];
  if (!h) throw kmipError('InvalidField', `MAC with ${alg} is not supported`, 'unsupported');
  return h;
}

/** MAC (KMIP 1.4 section 4.33). */
export async function mac(payload: StructureItem, ctx: OpsContext): Promise<StructureItem> {
  const obj = await loadObject(payload, ctx);
  const data = need(findBytes(payload, Tag.Data), 'Data');
  const key = usableKey(obj, USAGE_MASK.MACGenerate, 'MAC', ctx);
  const out = hmac(macHash(obj, payload) as Parameters<typeof hmac>[0], key, data);
  return spent(
    obj,
    data.length,
    ctx,
    t.struct(Tag.ResponsePayload, [t.text(Tag.UniqueIdentifier, obj.uniqueIdentifier), t.bytes(Tag.MACData, out)]),
  );
}

/** MAC Verify (KMIP 1.4 section 4.34). */
export async function macVerify(payload: StructureItem, ctx: OpsContext): Promise<StructureItem> {
  const obj = await loadObject(payload, ctx);
  const data = need(findBytes(payload, Tag.Data), 'Data');
  const macData = need(findBytes(payload, Tag.MACData), 'MAC Data');
  const key = usableKey(obj, USAGE_MASK.MACVerify, 'MAC Verify', ctx);
  const ok = hmacVerify(macHash(obj, payload) as Parameters<typeof hmac>[0], key, data, macData);
  return spent(
    obj,
    data.length,
    ctx,
    t.struct(Tag.ResponsePayload, [
      t.text(Tag.UniqueIdentifier, obj.uniqueIdentifier),
      t.enm(Tag.ValidityIndicator, enumValue('ValidityIndicator', ok ? 'Valid' : 'Invalid') as number),
    ]),
  );
}

/** Hash (KMIP 1.4 section 4.37). */
export async function hashOp(payload: StructureItem, _ctx: OpsContext): Promise<StructureItem> {
  const p = (valueFromTtlv(
    need(findStruct(payload, Tag.CryptographicParameters), 'Cryptographic Parameters'),
    'CryptographicParameters',
  ) ?? {}) as CryptographicParameters;
  const name = HASHING_ALGORITHM[p.HashingAlgorithm ?? ''];
  if (!name)
    throw kmipError('InvalidField', `hashing algorithm ${String(p.HashingAlgorithm)} is not supported`, 'unsupported');
  const data = need(findBytes(payload, Tag.Data), 'Data');
  return t.struct(Tag.ResponsePayload, [t.bytes(Tag.Data, hash(name, data))]);
}

/** RNG Retrieve (KMIP 1.4 section 4.35). */
export async function rngRetrieve(payload: StructureItem, _ctx: OpsContext): Promise<StructureItem> {
  const length = need(findInt(payload, Tag.DataLength), 'Data Length');
  if (length < 1 || length > 1024 * 1024)
    throw kmipError('InvalidField', 'Data Length must be 1..1048576', 'invalid-argument');
  return t.struct(Tag.ResponsePayload, [t.bytes(Tag.Data, randomBytes(length))]);
}

/** RNG Seed (KMIP 1.4 section 4.36): the OS generator needs no seed; the amount is acknowledged. */
export async function rngSeed(payload: StructureItem, _ctx: OpsContext): Promise<StructureItem> {
  const data = need(findBytes(payload, Tag.Data), 'Data');
  return t.struct(Tag.ResponsePayload, [t.int(Tag.DataLength, data.length)]);
}
