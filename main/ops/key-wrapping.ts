/**
 * Key wrapping for Get, Export, Register and Import (KMIP 1.4 sections 2.1.5-2.1.6 / 2.1 sections
 * 2.1.5-2.1.6): a Key Wrapping Specification turns a Key Block into wrapped bytes with Key
 * Wrapping Data; a stored wrapped Key Block is unwrapped when a request asks for Not Wrapped.
 * Wrapping Method Encrypt only, with an AES key (NIST Key Wrap RFC 3394, AES Key Wrap with
 * Padding RFC 5649, or GCM) or an RSA public key (OAEP or PKCS#1 v1.5).
 */
import type { KeyObject } from 'node:crypto';
import {
  USAGE_MASK,
  aesKeyUnwrap,
  aesKeyWrap,
  importKeyMaterial,
  rsaDecrypt,
  rsaEncrypt,
  rsaEncryptionParameters,
  unwrapKey,
  wrapKey,
  type CryptographicParameters,
} from '../crypto/index.js';
import { decodeTtlv, encodeTtlv, ItemType, type StructureItem, type TtlvItem } from '../kmip/ttlv/index.js';
import type { AttributeValue, KeyBlock, KeyMaterial, ManagedObject } from '../vault/model.js';
import { attributesToWire, modelName, valueFromTtlv } from './attributes.js';
import type { OpsContext } from './context.js';
import { kmipError } from './errors.js';
import { keyBlockFromTtlv, keyBlockToTtlv } from './managed-object.js';
import { first, mayAccess, stateOf } from './objects.js';
import { find, findAll, findEnum, findStruct, findText } from './ttlv.js';
import { Tag, enumName } from './vocabulary.js';

/** A request's Key Wrapping Specification (Table 12 of 1.4; 2.1 section 2.1.6). */
export interface KeyWrappingSpecification {
  wrappingMethod: string;
  encryptionKey?: { uniqueIdentifier: string; parameters?: CryptographicParameters };
  macSignatureKey?: { uniqueIdentifier: string };
  /** Attributes to wrap with the key material (model names). */
  attributeNames: string[];
  /** As requested; absent means TTLV Encoding (the spec's default). */
  encodingOption?: 'NoEncoding' | 'TTLVEncoding';
}

function keyInformation(
  item: StructureItem | undefined,
): { uniqueIdentifier: string; parameters?: StructureItem } | undefined {
  if (!item) return undefined;
  const uid = findText(item, Tag.UniqueIdentifier);
  if (uid === undefined) throw kmipError('InvalidField', 'the wrapping key information has no Unique Identifier');
  const parameters = findStruct(item, Tag.CryptographicParameters);
  return { uniqueIdentifier: uid, ...(parameters ? { parameters } : {}) };
}

/** Reads the Key Wrapping Specification of a Get or Export request, if any. */
export function readKeyWrappingSpecification(payload: StructureItem): KeyWrappingSpecification | undefined {
  const spec = findStruct(payload, Tag.KeyWrappingSpecification);
  if (!spec) return undefined;
  const method = findEnum(spec, Tag.WrappingMethod);
  if (method === undefined) throw kmipError('InvalidField', 'Wrapping Method is missing');
  const enc = keyInformation(findStruct(spec, Tag.EncryptionKeyInformation));
  const mac = keyInformation(findStruct(spec, Tag.MACSignatureKeyInformation));
  const encoding = findEnum(spec, Tag.EncodingOption);
  const names = findAll(spec, Tag.AttributeName).flatMap((n) =>
    n.type === ItemType.TextString ? [modelName(n.value)] : [],
  );
  return {
    wrappingMethod: enumName('WrappingMethod', method),
    ...(enc
      ? {
          encryptionKey: {
            uniqueIdentifier: enc.uniqueIdentifier,
            ...(enc.parameters
              ? { parameters: valueFromTtlv(enc.parameters, 'CryptographicParameters') as CryptographicParameters }
              : {}),
          },
        }
      : {}),
    ...(mac ? { macSignatureKey: { uniqueIdentifier: mac.uniqueIdentifier } } : {}),
    attributeNames: names,
    ...(encoding !== undefined
      ? { encodingOption: enumName('EncodingOption', encoding) as 'NoEncoding' | 'TTLVEncoding' }
      : {}),
  };
}

/** The wrapping (or unwrapping) key: present, the caller's, not destroyed or archived, Active, with the usage. */
async function wrappingKey(uid: string, usage: number, what: string, ctx: OpsContext): Promise<ManagedObject> {
  const key = await ctx.store.get(uid, ctx.identity);
  if (!key) throw kmipError('WrappingObjectNotFound', `no wrapping key ${uid}`, 'not-found');
  if (!mayAccess(key, ctx))
    throw kmipError('PermissionDenied', `wrapping key ${uid} belongs to another client`, 'permission-denied');
  const state = stateOf(key);
  if (state === 'Destroyed' || state === 'DestroyedCompromised' || !key.keyBlock)
    throw kmipError('WrappingObjectDestroyed', `wrapping key ${uid} is destroyed`, 'illegal-state');
  if (key.attributes.ArchiveDate?.length)
    throw kmipError('WrappingObjectArchived', `wrapping key ${uid} is archived`, 'illegal-state');
  if (state !== 'Active')
    throw kmipError('WrongKeyLifecycleState', `wrapping key ${uid} is not Active`, 'illegal-state');
  if (usage !== 0) requireUsage(key, usage, what);
  return key;
}

function requireUsage(key: ManagedObject, usage: number, what: string): void {
  const mask = first<number>(key.attributes, 'CryptographicUsageMask') ?? 0;
  if ((mask & usage) === 0) {
    throw kmipError(
      'IncompatibleCryptographicUsageMask',
      `key ${key.uniqueIdentifier} does not have the ${what} usage`,
      'permission-denied',
    );
  }
}

const compared = ['BlockCipherMode', 'PaddingMethod', 'HashingAlgorithm'] as const;

/**
 * The parameters to wrap with (1.4 section 2.1.6): the request's, which must match one of the
 * key's Cryptographic Parameters instances, or else the key's first instance.
 */
function wrappingParameters(
  key: ManagedObject,
  requested: CryptographicParameters | undefined,
): CryptographicParameters {
  const own = (key.attributes.CryptographicParameters ?? []) as CryptographicParameters[];
  if (requested) {
    const matches = (p: CryptographicParameters) =>
      compared.every((f) => requested[f] === undefined || p[f] === undefined || p[f] === requested[f]);
    if (own.length > 0 && !own.some(matches)) {
      throw kmipError(
        'BadCryptographicParameters',
        `the requested wrapping parameters are not among key ${key.uniqueIdentifier}'s Cryptographic Parameters`,
        'invalid-argument',
      );
    }
    return requested;
  }
  const p = own[0];
  if (!p) {
    throw kmipError(
      'BadCryptographicParameters',
      `key ${key.uniqueIdentifier} has no Cryptographic Parameters and the request gives none`,
      'invalid-argument',
    );
  }
  return p;
}

function algorithmOf(obj: ManagedObject): string | undefined {
  return obj.keyBlock?.cryptographicAlgorithm ?? first<string>(obj.attributes, 'CryptographicAlgorithm');
}

function symmetricBytes(obj: ManagedObject): Uint8Array {
  const m = obj.keyBlock?.keyMaterial;
  if (m instanceof Uint8Array) return m;
  if (m && m.Key instanceof Uint8Array) return m.Key;
  throw kmipError('KeyValueNotPresent', `key ${obj.uniqueIdentifier} has no usable key material`, 'illegal-state');
}

function asymmetricKey(obj: ManagedObject): KeyObject {
  const kb = obj.keyBlock;
  if (!kb || (obj.objectType !== 'PublicKey' && obj.objectType !== 'PrivateKey') || kb.keyWrappingData)
    throw kmipError('KeyValueNotPresent', `key ${obj.uniqueIdentifier} has no usable key material`, 'illegal-state');
  try {
    return importKeyMaterial(obj.objectType, kb.keyFormatType, kb.keyMaterial, kb.cryptographicAlgorithm);
  } catch {
    throw kmipError('CryptographicFailure', `key ${obj.uniqueIdentifier} cannot be read`, 'crypto');
  }
}

function asCryptoFailure(e: unknown): Error {
  if (e instanceof Error && (e as { reason?: string }).reason !== undefined) return e;
  const message = e instanceof Error ? e.message : 'key wrapping failed';
  return kmipError('CryptographicFailure', message, 'crypto');
}

/** Encrypts `plain` with the wrapping key; returns the wrapped bytes and an IV where the mode has one. */
function encryptWith(
  key: ManagedObject,
  p: CryptographicParameters,
  plain: Uint8Array,
): { wrapped: Buffer; iv?: Buffer } {
  const algorithm = algorithmOf(key);
  try {
    if (key.objectType === 'SymmetricKey' && algorithm === 'AES') {
      const kek = symmetricBytes(key);
      switch (p.BlockCipherMode ?? 'NISTKeyWrap') {
        case 'NISTKeyWrap':
          return { wrapped: aesKeyWrap(kek, plain, false) };
        case 'AESKeyWrapPadding':
          return { wrapped: aesKeyWrap(kek, plain, true) };
        case 'GCM': {
          const w = wrapKey(kek, { mode: 'GCM', tagLength: p.TagLength }, plain);
          return w.iv ? { wrapped: w.wrapped, iv: w.iv } : { wrapped: w.wrapped };
        }
        default:
          throw kmipError(
            'BadCryptographicParameters',
            `AES key wrapping supports NISTKeyWrap, AESKeyWrapPadding and GCM, not ${String(p.BlockCipherMode)}`,
            'invalid-argument',
          );
      }
    }
    if (key.objectType === 'PublicKey' && algorithm === 'RSA') {
      return { wrapped: rsaEncrypt(asymmetricKey(key), rsaEncryptionParameters(p), plain) };
    }
  } catch (e) {
    throw asCryptoFailure(e);
  }
  throw kmipError(
    'InvalidObjectType',
    `key ${key.uniqueIdentifier} (${key.objectType} ${algorithm ?? '?'}) cannot wrap: use an AES key or an RSA public key`,
    'invalid-argument',
  );
}

/** The Key Value the wrapping covers: TTLV-encoded (Key Material and the named attributes) or the bare material. */
function plainKeyValue(obj: ManagedObject, kb: KeyBlock, spec: KeyWrappingSpecification, ctx: OpsContext): Buffer {
  if (spec.encodingOption === 'NoEncoding') {
    if (spec.attributeNames.length > 0)
      throw kmipError('EncodingOptionError', 'attributes can only be wrapped with TTLV Encoding', 'invalid-argument');
    if (!(kb.keyMaterial instanceof Uint8Array)) {
      throw kmipError(
        'EncodingOptionError',
        `a ${kb.keyFormatType} key is a structure: wrap it with TTLV Encoding`,
        'invalid-argument',
      );
    }
    return Buffer.from(kb.keyMaterial);
  }
  const keyValue = find(keyBlockToTtlv({ ...kb, keyWrappingData: undefined }), Tag.KeyValue) as StructureItem;
  const names = spec.attributeNames;
  const attrs = names.length > 0 ? attributesToWire(obj.attributes, ctx.version, names) : [];
  const children: TtlvItem[] = [...keyValue.value];
  if (attrs.length > 0) {
    if (ctx.version.major >= 2) children.push({ tag: Tag.Attributes, type: ItemType.Structure, value: attrs });
    else children.push(...attrs);
  }
  return encodeTtlv({ tag: Tag.KeyValue, type: ItemType.Structure, value: children });
}

/**
 * Wraps a Key Block as a Key Wrapping Specification asks (the object's stored block untouched):
 * the returned block has the wrapped bytes as its Key Value and carries Key Wrapping Data.
 */
export async function wrapKeyBlock(
  obj: ManagedObject,
  kb: KeyBlock,
  spec: KeyWrappingSpecification,
  ctx: OpsContext,
): Promise<KeyBlock> {
  if (spec.wrappingMethod !== 'Encrypt') {
    throw kmipError(
      'FeatureNotSupported',
      `Wrapping Method ${spec.wrappingMethod} is not supported (Encrypt is)`,
      'unsupported',
    );
  }
  if (!spec.encryptionKey) {
    throw kmipError(
      'FeatureNotSupported',
      'wrapping with a MAC/Signature key alone is not supported: give Encryption Key Information',
      'unsupported',
    );
  }
  if (kb.keyWrappingData) kb = await unwrapKeyBlock(kb, ctx);
  const key = await wrappingKey(spec.encryptionKey.uniqueIdentifier, USAGE_MASK.WrapKey, 'Wrap Key', ctx);
  if (key.uniqueIdentifier === obj.uniqueIdentifier)
    throw kmipError('InvalidField', 'a key cannot wrap itself', 'invalid-argument');
  const params = wrappingParameters(key, spec.encryptionKey.parameters);
  const plain = plainKeyValue(obj, kb, spec, ctx);
  try {
    const { wrapped, iv } = encryptWith(key, params, plain);
    const information: { [field: string]: AttributeValue } = { UniqueIdentifier: key.uniqueIdentifier };
    if (spec.encryptionKey.parameters)
      information.CryptographicParameters = spec.encryptionKey.parameters as { [field: string]: AttributeValue };
    const data: { [field: string]: AttributeValue } = {
      WrappingMethod: 'Encrypt',
      EncryptionKeyInformation: information,
    };
    if (iv) data.IVCounterNonce = iv;
    if (spec.encodingOption) data.EncodingOption = spec.encodingOption;
    return { ...kb, keyMaterial: wrapped, keyWrappingData: data };
  } finally {
    plain.fill(0);
  }
}

interface StoredWrapping {
  method?: string;
  uid: string;
  parameters?: CryptographicParameters;
  iv?: Uint8Array;
  encoding?: string;
}

function storedWrapping(kb: KeyBlock): StoredWrapping {
  const kwd = kb.keyWrappingData ?? {};
  const info = kwd.EncryptionKeyInformation as { [field: string]: AttributeValue } | undefined;
  const uid = info?.UniqueIdentifier;
  if (typeof uid !== 'string') {
    throw kmipError('FeatureNotSupported', 'only keys wrapped by encryption can be unwrapped here', 'unsupported');
  }
  const iv = kwd.IVCounterNonce;
  return {
    ...(typeof kwd.WrappingMethod === 'string' ? { method: kwd.WrappingMethod } : {}),
    uid,
    ...(info?.CryptographicParameters
      ? { parameters: info.CryptographicParameters as unknown as CryptographicParameters }
      : {}),
    ...(iv instanceof Uint8Array ? { iv } : {}),
    ...(typeof kwd.EncodingOption === 'string' ? { encoding: kwd.EncodingOption } : {}),
  };
}

/** The private key that undoes an RSA wrap: the wrapping object itself, or its Private Key Link. */
async function rsaUnwrappingKey(key: ManagedObject, ctx: OpsContext): Promise<ManagedObject> {
  if (key.objectType === 'PrivateKey') return key;
  const link = (key.attributes.Link ?? []).find((l) => (l as { LinkType?: string }).LinkType === 'PrivateKeyLink') as
    { LinkedObjectIdentifier?: string } | undefined;
  if (!link?.LinkedObjectIdentifier)
    throw kmipError(
      'WrappingObjectNotFound',
      `public key ${key.uniqueIdentifier} has no private key here`,
      'not-found',
    );
  return wrappingKey(link.LinkedObjectIdentifier, USAGE_MASK.UnwrapKey, 'Unwrap Key', ctx);
}

/**
 * Unwraps a stored or received wrapped Key Block with the key its Key Wrapping Data names (which
 * must be here, usable by the caller, with the Unwrap Key usage). TTLV-encoded Key Values give
 * back their Key Material (wrapped attributes are dropped: the object's own attributes stand).
 */
export async function unwrapKeyBlock(kb: KeyBlock, ctx: OpsContext): Promise<KeyBlock> {
  const w = storedWrapping(kb);
  if (w.method !== undefined && w.method !== 'Encrypt')
    throw kmipError('FeatureNotSupported', `Wrapping Method ${w.method} cannot be undone here`, 'unsupported');
  if (!(kb.keyMaterial instanceof Uint8Array))
    throw kmipError('InvalidField', 'a wrapped Key Value must be a Byte String', 'invalid-argument');
  // A public key named by RSA Key Wrapping Data only leads to its private key, which needs the usage.
  let key = await wrappingKey(w.uid, 0, 'Unwrap Key', ctx);
  if (key.objectType !== 'PublicKey') requireUsage(key, USAGE_MASK.UnwrapKey, 'Unwrap Key');
  const params = w.parameters ?? ((key.attributes.CryptographicParameters ?? [])[0] as CryptographicParameters) ?? {};
  let plain: Buffer;
  try {
    if (key.objectType === 'SymmetricKey') {
      const kek = symmetricBytes(key);
      const mode = params.BlockCipherMode ?? 'NISTKeyWrap';
      if (mode === 'NISTKeyWrap' || mode === 'AESKeyWrapPadding')
        plain = aesKeyUnwrap(kek, kb.keyMaterial, mode === 'AESKeyWrapPadding');
      else if (mode === 'GCM')
        plain = unwrapKey(kek, { mode: 'GCM', tagLength: params.TagLength }, kb.keyMaterial, w.iv);
      else throw kmipError('BadCryptographicParameters', `cannot unwrap with ${mode}`, 'invalid-argument');
    } else {
      key = await rsaUnwrappingKey(key, ctx);
      plain = rsaDecrypt(asymmetricKey(key), rsaEncryptionParameters(params), kb.keyMaterial);
    }
  } catch (e) {
    throw asCryptoFailure(e);
  }
  const { keyWrappingData: _wrapping, ...rest } = kb;
  if (w.encoding === 'NoEncoding') return { ...rest, keyMaterial: plain };
  try {
    const item = decodeTtlv(plain);
    if (item.tag !== Tag.KeyValue || item.type !== ItemType.Structure) throw new Error('not a Key Value');
    const inner = keyBlockFromTtlv({
      tag: Tag.KeyBlock,
      type: ItemType.Structure,
      value: [{ tag: Tag.KeyFormatType, type: ItemType.Enumeration, value: 1 }, item],
    });
    return { ...rest, keyMaterial: copyMaterial(inner.keyBlock.keyMaterial) };
  } catch {
    throw kmipError('EncodingOptionError', 'the unwrapped Key Value is not TTLV-encoded', 'invalid-argument');
  } finally {
    plain.fill(0);
  }
}

/** Decoded byte fields may be views of the plaintext buffer that is wiped: copy them out. */
function copyMaterial(m: KeyMaterial): KeyMaterial {
  if (m instanceof Uint8Array) return Uint8Array.from(m);
  const out: { [field: string]: Uint8Array | bigint | number | string } = {};
  for (const [k, v] of Object.entries(m)) out[k] = v instanceof Uint8Array ? Uint8Array.from(v) : v;
  return out;
}

/** Register of a wrapped object (2.1 section 6.1.43): a Wrapping Key Link to the key that wrapped it. */
export function wrappingKeyLink(kb: KeyBlock | undefined): { [field: string]: AttributeValue } | undefined {
  const info = kb?.keyWrappingData?.EncryptionKeyInformation as { [field: string]: AttributeValue } | undefined;
  const uid = info?.UniqueIdentifier;
  return typeof uid === 'string' ? { LinkType: 'WrappingKeyLink', LinkedObjectIdentifier: uid } : undefined;
}
