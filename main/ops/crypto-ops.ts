import type { KeyObject } from 'node:crypto';
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
import type { StructureItem, TtlvItem } from '../kmip/ttlv/index.js';
import type { ManagedObject } from '../vault/model.js';
import { valueFromTtlv } from './attributes.js';
import type { OpsContext, TokenKeyCrypto } from './context.js';
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

type ResponseField = TtlvItem | undefined;

/** What a key operation reads from its request, once its key has been found. */
interface KeyUse {
  payload: StructureItem;
  obj: ManagedObject;
  data: Uint8Array;
  /** The Signature Data or MAC Data to check (empty for the operations that make one). */
  checked: Uint8Array;
  p: CryptographicParameters;
}

/**
 * The parts in which Encrypt, Decrypt, Sign, Signature Verify, MAC and MAC Verify differ: the
 * usage mask bit they need and how they run on a token key, an asymmetric key or key bytes.
 */
interface KeyOperation {
  name: string;
  usage: number;
  /** The field a verification checks, required like Data. */
  checks?: { tag: number; name: string };
  /** Encrypt and Decrypt also come in parts. */
  stream?: 'encrypt' | 'decrypt';
  /** A key whose material stays on a PKCS#11 token (the whole Response Payload). */
  token?: (token: TokenKeyCrypto, use: KeyUse) => Promise<StructureItem>;
  /** A Private or Public Key; without it such a key's bytes go to `symmetric` as they are. */
  asymmetric?: (key: KeyObject, use: KeyUse) => ResponseField[];
  symmetric: (key: Uint8Array, use: KeyUse) => ResponseField[];
}

/**
 * A part of a multi-part Encrypt/Decrypt (KMIP 1.4 sections 4.29-4.30). The key was checked
 * again for this part (it may have been revoked meanwhile) and each part counts against its Usage
 * Limits; the cipher state lives in `streamedCiphers` between the parts.
 */
function streamPart(
  direction: 'encrypt' | 'decrypt',
  keyBytes: Uint8Array,
  { payload, obj, data, p }: KeyUse,
  ctx: OpsContext,
): ResponseField[] {
  const now = ctx.now().getTime();
  const correlation = findBytes(payload, Tag.CorrelationValue);
  if (!correlation) {
    let iv = findBytes(payload, Tag.IVCounterNonce);
    const aad = findBytes(payload, Tag.AuthenticatedEncryptionAdditionalData);
    const chosen = symmetricParameters(algorithmOf(obj), p, { iv, aad });
    let madeIv: Uint8Array | undefined;
    if (direction === 'encrypt' && !iv && chosen.mode !== 'ECB') {
      iv = madeIv = randomBytes(chosen.mode === 'GCM' ? 12 : chosen.algorithm === 'DES3' ? 8 : 16);
    }
    const sp = adaptSymmetric({ ...chosen, iv }, direction);
    const owner = { uniqueIdentifier: obj.uniqueIdentifier, identity: ctx.identity };
    const id = streamedCiphers.init(direction, owner, keyBytes, sp, now);
    const part = streamedCiphers.update(id, direction, ctx.identity, data, now);
    return [
      t.bytes(Tag.Data, part.data),
      madeIv ? t.bytes(Tag.IVCounterNonce, madeIv) : undefined,
      t.bytes(Tag.CorrelationValue, id),
    ];
  }
  if (findBool(payload, Tag.FinalIndicator) === true) {
    const tag = findBytes(payload, Tag.AuthenticatedEncryptionTag);
    const last = streamedCiphers.final(correlation, direction, ctx.identity, data, now, tag);
    return [t.bytes(Tag.Data, last.data), last.tag ? t.bytes(Tag.AuthenticatedEncryptionTag, last.tag) : undefined];
  }
  const part = streamedCiphers.update(correlation, direction, ctx.identity, data, now);
  return [t.bytes(Tag.Data, part.data), t.bytes(Tag.CorrelationValue, correlation)];
}

/**
 * The one path of the key operations: load the key and the request's data, check the key's state,
 * usage mask and use dates, resolve the Cryptographic Parameters, run, count the use against its
 * Usage Limits and answer with its Unique Identifier and the operation's fields.
 */
function keyOperation(op: KeyOperation): (payload: StructureItem, ctx: OpsContext) => Promise<StructureItem> {
  return async (payload, ctx) => {
    const obj = await loadObject(payload, ctx);
    const data = need(findBytes(payload, Tag.Data), 'Data');
    const checked = op.checks ? need(findBytes(payload, op.checks.tag), op.checks.name) : new Uint8Array();
    const stream = op.stream && isMultiPart(payload) ? op.stream : undefined;
    try {
      if (!stream && op.token && ctx.tokenCrypto?.handles(obj)) {
        checkUsable(obj, op.usage, op.name, ctx);
        const use = { payload, obj, data, checked, p: parameters(payload, obj) };
        return await spent(obj, data.length, ctx, await op.token(ctx.tokenCrypto, use));
      }
      const keyBytes = usableKey(obj, op.usage, op.name, ctx);
      const use = { payload, obj, data, checked, p: parameters(payload, obj) };
      const key = !stream && op.asymmetric ? asymmetric(obj) : undefined;
      const fields = stream
        ? streamPart(stream, keyBytes, use, ctx)
        : key && op.asymmetric
          ? op.asymmetric(key, use)
          : op.symmetric(keyBytes, use);
      const response = t.struct(Tag.ResponsePayload, [t.text(Tag.UniqueIdentifier, obj.uniqueIdentifier), ...fields]);
      return await spent(obj, data.length, ctx, response);
    } catch (e) {
      throw cryptoFailure(e);
    }
  };
}

function validity(ok: boolean): ResponseField {
  return t.enm(Tag.ValidityIndicator, enumValue('ValidityIndicator', ok ? 'Valid' : 'Invalid') as number);
}

function wrongKind(what: string): never {
  throw kmipError('IllegalObjectType', what, 'invalid-argument');
}

/** Symmetric parameters of the request for `direction`, with its IV/Counter/Nonce and AAD. */
function symmetricOf({ payload, obj, p }: KeyUse, direction: 'encrypt' | 'decrypt'): SymmetricParameters {
  const iv = findBytes(payload, Tag.IVCounterNonce);
  const aad = findBytes(payload, Tag.AuthenticatedEncryptionAdditionalData);
  return adaptSymmetric(symmetricParameters(algorithmOf(obj), p, { iv, aad }), direction);
}

const ivOf = (u: KeyUse) => findBytes(u.payload, Tag.IVCounterNonce);
const tagOf = (u: KeyUse) => findBytes(u.payload, Tag.AuthenticatedEncryptionTag);

/** Encrypt (KMIP 1.4 section 4.29). */
export const encrypt = keyOperation({
  name: 'Encrypt',
  usage: USAGE_MASK.Encrypt,
  stream: 'encrypt',
  token: (token, u) => encryptOnToken(token, u.obj, algorithmOf(u.obj), u.p, u.data, ivOf(u)),
  asymmetric: (key, u) => [t.bytes(Tag.Data, rsaEncrypt(key, rsaParameters(u.p), u.data))],
  symmetric: (key, u) => {
    const r = encryptSymmetric(key, symmetricOf(u, 'encrypt'), u.data);
    return [
      t.bytes(Tag.Data, r.data),
      r.iv && !ivOf(u) ? t.bytes(Tag.IVCounterNonce, r.iv) : undefined,
      r.tag ? t.bytes(Tag.AuthenticatedEncryptionTag, r.tag) : undefined,
    ];
  },
});

/** Decrypt (KMIP 1.4 section 4.30). */
export const decrypt = keyOperation({
  name: 'Decrypt',
  usage: USAGE_MASK.Decrypt,
  stream: 'decrypt',
  token: (token, u) => decryptOnToken(token, u.obj, algorithmOf(u.obj), u.p, u.data, ivOf(u), tagOf(u)),
  asymmetric: (key, u) => [t.bytes(Tag.Data, rsaDecrypt(key, rsaParameters(u.p), u.data))],
  symmetric: (key, u) => [t.bytes(Tag.Data, decryptSymmetric(key, symmetricOf(u, 'decrypt'), u.data, tagOf(u)))],
});

/** Sign (KMIP 1.4 section 4.31). */
export const signOp = keyOperation({
  name: 'Sign',
  usage: USAGE_MASK.Sign,
  token: (token, u) => signOnToken(token, u.obj, algorithmOf(u.obj), u.p, u.data),
  asymmetric: (key, u) => [t.bytes(Tag.SignatureData, sign(key, signatureParameters(algorithmOf(u.obj), u.p), u.data))],
  symmetric: () => wrongKind('Sign needs a private key'),
});

/** Signature Verify (KMIP 1.4 section 4.32). */
export const signatureVerify = keyOperation({
  name: 'Signature Verify',
  usage: USAGE_MASK.Verify,
  checks: { tag: Tag.SignatureData, name: 'Signature Data' },
  token: (token, u) => verifyOnToken(token, u.obj, algorithmOf(u.obj), u.p, u.data, u.checked),
  asymmetric: (key, u) => [validity(verify(key, signatureParameters(algorithmOf(u.obj), u.p), u.data, u.checked))],
  symmetric: () => wrongKind('Signature Verify needs a public key'),
});

function macHash({ obj, p }: KeyUse): Parameters<typeof hmac>[0] {
  const alg = p.CryptographicAlgorithm ?? algorithmOf(obj);
  const h = HMAC_HASH[alg];
  if (!h) throw kmipError('InvalidField', `MAC with ${alg} is not supported`, 'unsupported');
  return h as Parameters<typeof hmac>[0];
}

/** MAC (KMIP 1.4 section 4.33). */
export const mac = keyOperation({
  name: 'MAC',
  usage: USAGE_MASK.MACGenerate,
  symmetric: (key, u) => [t.bytes(Tag.MACData, hmac(macHash(u), key, u.data))],
});

/** MAC Verify (KMIP 1.4 section 4.34). */
export const macVerify = keyOperation({
  name: 'MAC Verify',
  usage: USAGE_MASK.MACVerify,
  checks: { tag: Tag.MACData, name: 'MAC Data' },
  symmetric: (key, u) => [validity(hmacVerify(macHash(u), key, u.data, u.checked))],
});

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
