/**
 * Derive Key (KMIP 1.4 section 4.6 / 2.1 section 6.1.14): a new Symmetric Key or Secret Data
 * computed from a key or Secret Data the server holds, linked both ways (Derivation Base Object /
 * Derived Key). Result Reasons follow the 1.4 error table (section 11.7) and 2.1 Table 207.
 */
import {
  HASH_ALGORITHM,
  HASH_LENGTH,
  HASHING_ALGORITHM,
  HMAC_HASH,
  USAGE_MASK,
  encryptSymmetric,
  hash,
  hkdf,
  hmac,
  pbkdf2DeriveAsync,
  symmetricParameters,
  type CryptographicParameters,
  type HashName,
} from '../crypto/index.js';
import { kbkdfHmac } from '../crypto/kbkdf.js';
import { ItemType, type StructureItem } from '../kmip/ttlv/index.js';
import type { ManagedObject } from '../vault/model.js';
import { valueFromTtlv } from './attributes.js';
import { atLeast, type OpsContext } from './context.js';
import { kmipError } from './errors.js';
import {
  listedIdentifiers,
  loadNamed,
  requestedAttributes,
  secretBytes,
  storeMadeFrom,
  symmetricKeyBytes,
} from './key-source.js';
import { objectTypeName } from './managed-object.js';
import { first, newObject, stateOf } from './objects.js';
import { findAll, findBytes, findEnum, findInt, findStruct, need } from './ttlv.js';
import { Tag, enumName } from './vocabulary.js';

/** Largest object Derive Key makes (bits): room for several keys and IVs in one Secret Data. */
export const MAX_DERIVED_BITS = 65536;
/** PBKDF2 iteration counts above this would hold one of the few thread-pool workers for seconds. */
export const MAX_PBKDF2_ITERATIONS = 1_000_000;

/** What one derivation needs, read from the request and the base objects. */
export interface DerivationInput {
  method: string;
  /** The derivation key: the first object's secret (the password for PBKDF2). */
  key: Uint8Array;
  /** Cryptographic Algorithm of the derivation key, when it has one. */
  keyAlgorithm: string | undefined;
  /** Derivation Data, or a second object's secret. */
  data: Uint8Array | undefined;
  parameters: CryptographicParameters;
  iv: Uint8Array | undefined;
  salt: Uint8Array | undefined;
  iterationCount: number | undefined;
  /** Output length in bytes. */
  length: number;
  /** HKDF exists from KMIP 2.0 on. */
  allowHkdf: boolean;
}

const invalid = (message: string) => kmipError('InvalidField', message, 'invalid-argument');

function tooLong(method: string, length: number, available: number): Error {
  return kmipError(
    'CryptographicFailure',
    `${method} gives ${available * 8} bits; ${length * 8} were asked for`,
    'crypto',
  );
}

function hashByName(name: string | undefined, what: string): HashName | undefined {
  if (name === undefined) return undefined;
  const h = HASHING_ALGORITHM[name] ?? HASH_ALGORITHM[name];
  if (!h) throw invalid(`${what}: hashing algorithm ${name} is not supported`);
  return h;
}

/** The PRF's hash: Hashing Algorithm, or an HMAC Cryptographic Algorithm (parameters, then the key's). */
function prfHash(input: DerivationInput, fallback?: HashName): HashName {
  const p = input.parameters;
  const h =
    hashByName(p.HashingAlgorithm, input.method) ??
    (p.CryptographicAlgorithm !== undefined ? HMAC_HASH[p.CryptographicAlgorithm] : undefined) ??
    (input.keyAlgorithm !== undefined ? HMAC_HASH[input.keyAlgorithm] : undefined) ??
    fallback;
  if (!h) throw invalid(`${input.method} needs a Hashing Algorithm in the Cryptographic Parameters`);
  return h;
}

function needData(input: DerivationInput): Uint8Array {
  if (input.data === undefined) throw invalid(`${input.method} needs Derivation Data (or a Secret Data object)`);
  return input.data;
}

/** Truncates `out` to the asked length (wiping the rest), or a Cryptographic Failure when short. */
function take(method: string, out: Buffer, length: number): Buffer {
  if (length > out.length) {
    out.fill(0);
    throw tooLong(method, length, out.length);
  }
  const result = Buffer.from(out.subarray(0, length));
  out.fill(0);
  return result;
}

/** Runs the derivation method; the caller stores the result (it is not wiped here). */
export async function derive(input: DerivationInput): Promise<Buffer> {
  const { method, key, length } = input;
  switch (method) {
    case 'PBKDF2': {
      // RFC 8018 section 5.2: the password is the base object's secret; HMAC-SHA-1 is PKCS#5's default PRF.
      if (input.data !== undefined && input.data.length > 0)
        throw invalid('PBKDF2 derives from the base object; Derivation Data is not used');
      const salt = need(input.salt, 'Salt');
      const count = need(input.iterationCount, 'Iteration Count');
      if (!Number.isInteger(count) || count < 1 || count > MAX_PBKDF2_ITERATIONS)
        throw invalid(`Iteration Count must be 1..${MAX_PBKDF2_ITERATIONS}`);
      return pbkdf2DeriveAsync(prfHash(input, 'sha1'), key, salt, count, length);
    }
    case 'HASH': {
      // "A hash over the derivation key or the derivation data": the request names a key, so the key.
      if (input.data !== undefined)
        throw invalid('HASH derives from the base object alone; Derivation Data must be absent');
      const p = input.parameters;
      const h =
        hashByName(p.HashingAlgorithm, method) ??
        (p.CryptographicAlgorithm !== undefined ? HASH_ALGORITHM[p.CryptographicAlgorithm] : undefined);
      if (!h) throw invalid('HASH needs a Hashing Algorithm in the Cryptographic Parameters');
      return take(method, hash(h, key), length);
    }
    case 'HMAC': {
      // The derivation key's own algorithm names the PRF; the parameters only when it has none.
      const keyHash = input.keyAlgorithm !== undefined ? HMAC_HASH[input.keyAlgorithm] : undefined;
      const h = keyHash ?? prfHash(input);
      if (length > HASH_LENGTH[h]) throw tooLong(method, length, HASH_LENGTH[h]);
      return take(method, hmac(h, key, needData(input)), length);
    }
    case 'ENCRYPT':
      return take(method, encryptDerivation(input), length);
    case 'NIST800_108_C':
    case 'NIST800_108_F':
      return kbkdfHmac(
        method === 'NIST800_108_C' ? 'Counter' : 'Feedback',
        prfHash(input),
        key,
        needData(input),
        length,
        input.iv,
      );
    case 'HKDF': {
      if (!input.allowHkdf) throw invalid('HKDF is a KMIP 2.0 Derivation Method');
      // KMIP 2.1 section 7.12: IKM the object, salt the Salt, info the Derivation Data, SHA-256 by default.
      const h = prfHash(input, 'sha256');
      if (length > 255 * HASH_LENGTH[h]) throw tooLong(method, length, 255 * HASH_LENGTH[h]);
      return hkdf(h, key, input.salt ?? new Uint8Array(), input.data ?? new Uint8Array(), length);
    }
    default:
      throw invalid(`Derivation Method ${method} is not supported`);
  }
}

/**
 * ENCRYPT: the derivation data encrypted under the base key (KMIP 1.4 section 4.6). Only ECB and
 * CBC: with a fixed IV, a stream mode (CTR, OFB, CFB, GCM) would make each derived key the data
 * XOR one keystream, so one derived key and its data would reveal every other.
 */
function encryptDerivation(input: DerivationInput): Buffer {
  const alg = input.parameters.CryptographicAlgorithm ?? input.keyAlgorithm;
  if (alg === undefined) throw invalid('ENCRYPT needs a symmetric key as the derivation key');
  let sp;
  try {
    sp = symmetricParameters(alg, input.parameters, input.iv ? { iv: input.iv } : {});
  } catch (e) {
    throw invalid(`ENCRYPT: ${e instanceof Error ? e.message : 'unsupported parameters'}`);
  }
  if (sp.mode !== 'ECB' && sp.mode !== 'CBC')
    throw invalid('ENCRYPT derivation needs Block Cipher Mode ECB or CBC in the Cryptographic Parameters');
  // "An empty IV is assumed if not provided": all zeros, so the derivation is repeatable.
  if (sp.mode === 'CBC' && !sp.iv) sp.iv = new Uint8Array(sp.algorithm === 'DES3' ? 8 : 16);
  try {
    return encryptSymmetric(input.key, sp, needData(input)).data;
  } catch (e) {
    if (e instanceof Error && 'reason' in e && e.reason === 'Invalid Field') throw e;
    throw kmipError('CryptographicFailure', `ENCRYPT: ${e instanceof Error ? e.message : 'failed'}`, 'crypto');
  }
}

/** A base object: a Symmetric Key or Secret Data, Active, with Derive Key in its usage mask. */
function checkBase(obj: ManagedObject, ctx: OpsContext): void {
  if (obj.objectType !== 'SymmetricKey' && obj.objectType !== 'SecretData')
    throw kmipError(
      'InvalidObjectType',
      `Derive Key derives from a Symmetric Key or Secret Data, not a ${obj.objectType}`,
      'invalid-argument',
    );
  const mask = first<number>(obj.attributes, 'CryptographicUsageMask');
  if (mask === undefined || (mask & USAGE_MASK.DeriveKey) === 0) {
    // 1.4 Table 333 says Invalid Field; 2.1 Table 207 has Incompatible Cryptographic Usage Mask.
    throw kmipError(
      atLeast(ctx.version, 2, 0) ? 'IncompatibleCryptographicUsageMask' : 'InvalidField',
      `object ${obj.uniqueIdentifier} does not have Derive Key in its Cryptographic Usage Mask`,
      'permission-denied',
    );
  }
  if (stateOf(obj) !== 'Active')
    throw kmipError('WrongKeyLifecycleState', `object ${obj.uniqueIdentifier} is not Active`, 'illegal-state');
}

/** Cryptographic Parameters of the request, else the base key's first instance (1.4 section 4.6). */
function parametersOf(derivation: StructureItem, base: ManagedObject): CryptographicParameters {
  const item = findStruct(derivation, Tag.CryptographicParameters);
  const value = item
    ? valueFromTtlv(item, 'CryptographicParameters')
    : first(base.attributes, 'CryptographicParameters');
  return (value ?? {}) as CryptographicParameters;
}

export async function deriveKey(payload: StructureItem, ctx: OpsContext): Promise<StructureItem> {
  const objectType = objectTypeName(need(findEnum(payload, Tag.ObjectType), 'Object Type'));
  if (objectType !== 'SymmetricKey' && objectType !== 'SecretData')
    throw invalid(`Derive Key makes a Symmetric Key or Secret Data, not a ${objectType}`);
  // The ID Placeholder SHALL NOT stand in for the Unique Identifier here.
  const uids = listedIdentifiers(payload);
  if (uids.length === 0) throw invalid('Unique Identifier is missing');
  if (uids.length > 2) throw invalid('Derive Key takes a derivation key and at most one Secret Data object');
  const method = enumName('DerivationMethod', need(findEnum(payload, Tag.DerivationMethod), 'Derivation Method'));
  const derivation = need(findStruct(payload, Tag.DerivationParameters), 'Derivation Parameters');
  const attrs = requestedAttributes(payload);
  const bits = first<number>(attrs, 'CryptographicLength');
  if (typeof bits !== 'number') throw invalid('Cryptographic Length is missing');
  if (!Number.isInteger(bits) || bits < 8 || bits % 8 !== 0 || bits > MAX_DERIVED_BITS)
    throw invalid(`Cryptographic Length must be a multiple of 8 up to ${MAX_DERIVED_BITS}`);
  let algorithm: string | undefined;
  let length = bits / 8;
  if (objectType === 'SymmetricKey') {
    algorithm = first<string>(attrs, 'CryptographicAlgorithm');
    if (typeof algorithm !== 'string') throw invalid('Cryptographic Algorithm is missing');
    length = symmetricKeyBytes(algorithm, bits);
  }

  const bases: ManagedObject[] = [];
  for (const uid of uids) bases.push(await loadNamed(uid, ctx));
  for (const b of bases) checkBase(b, ctx);
  const [base, dataObject] = bases as [ManagedObject, ManagedObject | undefined];
  const key = secretBytes(base, ctx);
  const dataItems = findAll(derivation, Tag.DerivationData);
  if (dataItems.length > 1) throw invalid('Derivation Data may appear once');
  let data = dataItems[0]?.type === ItemType.ByteString ? dataItems[0].value : undefined;
  if (dataItems.length === 1 && data === undefined) throw invalid('Derivation Data is not a Byte String');
  if (dataObject) {
    if (dataObject.objectType !== 'SecretData')
      throw kmipError('InvalidObjectType', 'the second object of Derive Key must be Secret Data', 'invalid-argument');
    // 1.4 Table 333: derivation data given both ways is an Invalid Message.
    if (data !== undefined)
      throw kmipError('InvalidMessage', 'Derivation Data given both in the request and as a Secret Data object');
    data = secretBytes(dataObject, ctx);
  }

  const material = await derive({
    method,
    key,
    keyAlgorithm: base.keyBlock?.cryptographicAlgorithm ?? first<string>(base.attributes, 'CryptographicAlgorithm'),
    data,
    parameters: parametersOf(derivation, base),
    iv: findBytes(derivation, Tag.InitializationVector),
    salt: findBytes(derivation, Tag.Salt),
    iterationCount: findInt(derivation, Tag.IterationCount),
    length,
    allowHkdf: atLeast(ctx.version, 2, 0),
  });

  const derived = await newObject(
    ctx,
    objectType,
    attrs,
    objectType === 'SymmetricKey'
      ? {
          keyBlock: {
            keyFormatType: 'Raw',
            keyMaterial: material,
            cryptographicAlgorithm: algorithm as string,
            cryptographicLength: bits,
          },
        }
      : { keyBlock: { keyFormatType: 'Opaque', keyMaterial: material }, valueType: 'Seed' },
  );
  return storeMadeFrom(derived, bases, { onMade: 'DerivationBaseObjectLink', onSources: 'DerivedKeyLink' }, ctx);
}
