/**
 * Create Split Key and Join Split Key (KMIP 1.4 sections 4.38-4.39 / 2.1 sections 6.1.10 and
 * 6.1.27). Split Key Methods served: XOR (1.4 section 2.2.5: every part is needed) and Polynomial
 * Sharing GF(2^8) (Shamir's scheme over the AES field, by the audited `shamir-secret-sharing`
 * package; each part's key material is its share, the share's x-coordinate in the last byte).
 * Polynomial Sharing Prime Field and GF(2^16) are refused with Invalid Field (1.4 Tables 362-363:
 * "Split Key Method not supported").
 *
 * The parts are Split Key objects whose Split Key Parts, Key Part Identifier, Split Key Threshold
 * and Split Key Method are the fields of the object (1.4 Table 49), returned by Get. Links: a key
 * that was split is each part's Parent Link and has a Child Link to each part; consecutive parts
 * point to each other (Previous/Next Link); a joined key has Child Links to the parts it was made
 * from, and they a Parent Link to it.
 */
import { combine, split } from 'shamir-secret-sharing';
import { generateSecretData, generateSymmetricKey, type SymmetricKeyAlgorithm } from '../crypto/index.js';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { StructureItem } from '../kmip/ttlv/index.js';
import type { AttributeValue, Attributes, ManagedObject, ObjectType } from '../vault/model.js';
import type { OpsContext } from './context.js';
import { kmipError } from './errors.js';
import {
  addLink,
  listedIdentifiers,
  loadNamed,
  requestedAttributes,
  secretBytes,
  storeMadeFrom,
  symmetricKeyBytes,
} from './key-source.js';
import { objectTypeName } from './managed-object.js';
import { first, newObject, touch } from './objects.js';
import { findEnum, findInt, need, t } from './ttlv.js';
import { Tag, enumName, enumValue } from './vocabulary.js';

export type SplitKeyMethodName = 'XOR' | 'PolynomialSharingGF_2_8';

/** shamir-secret-sharing's bounds: 2..255 shares, threshold 2..shares. */
const MAX_PARTS = 255;

const invalid = (message: string) => kmipError('InvalidField', message, 'invalid-argument');

function methodOf(value: number): SplitKeyMethodName {
  const name = enumName('SplitKeyMethod', value);
  if (name === 'XOR' || name === 'PolynomialSharingGF_2_8') return name;
  if (name === 'PolynomialSharingPrimeField' || name === 'PolynomialSharingGF_2_16')
    throw invalid(`Split Key Method ${name} is not supported (Keyhold splits with XOR or Polynomial Sharing GF(2^8))`);
  throw invalid(`Split Key Method ${name} is not known`);
}

/** Checks Split Key Parts and Threshold for the method (XOR: every part is needed). */
export function checkSplitShape(method: SplitKeyMethodName, parts: number, threshold: number): void {
  if (!Number.isInteger(parts) || parts < 2 || parts > MAX_PARTS)
    throw invalid(`Split Key Parts must be 2..${MAX_PARTS}`);
  if (!Number.isInteger(threshold) || threshold < 2 || threshold > parts)
    throw invalid('Split Key Threshold must be 2..Split Key Parts');
  if (method === 'XOR' && threshold !== parts)
    throw invalid('with XOR the Split Key Threshold must equal the Split Key Parts');
}

/** The parts of `secret` (1-based Key Part Identifier = index + 1). */
export async function splitSecret(
  method: SplitKeyMethodName,
  secret: Uint8Array,
  parts: number,
  threshold: number,
): Promise<Uint8Array[]> {
  checkSplitShape(method, parts, threshold);
  if (method === 'PolynomialSharingGF_2_8') {
    // The package checks for a plain Uint8Array (a Buffer is refused); the copy is wiped after.
    const plain = new Uint8Array(secret);
    try {
      return await split(plain, parts, threshold);
    } finally {
      plain.fill(0);
    }
  }
  // XOR: parts-1 random pads, and the secret XOR all of them.
  const out: Uint8Array[] = [];
  const last = Buffer.from(secret);
  for (let i = 0; i < parts - 1; i++) {
    const pad = generateSecretData(secret.length);
    for (let j = 0; j < last.length; j++) last[j] = (last[j] as number) ^ (pad[j] as number);
    out.push(pad);
  }
  out.push(last);
  return out;
}

/** The secret rebuilt from enough parts (the caller has checked the count against the threshold). */
export async function joinSecret(method: SplitKeyMethodName, parts: Uint8Array[]): Promise<Uint8Array> {
  if (method === 'PolynomialSharingGF_2_8') {
    const plain = parts.map((p) => new Uint8Array(p));
    try {
      return await combine(plain);
    } finally {
      for (const p of plain) p.fill(0);
    }
  }
  const out = Buffer.alloc(parts[0]?.length ?? 0);
  for (const p of parts) for (let j = 0; j < out.length; j++) out[j] = (out[j] as number) ^ (p[j] as number);
  return out;
}

const splittable = new Set<ObjectType>(['SymmetricKey', 'SecretData']);

/** The secret to split: an existing key (its attributes win, 1.4 section 4.38), or a new one. */
async function secretToSplit(
  payload: StructureItem,
  requested: Attributes,
  objectType: ObjectType,
  ctx: OpsContext,
): Promise<{ secret: Uint8Array; original?: ManagedObject; algorithm?: string; bits: number; fresh: boolean }> {
  const uids = listedIdentifiers(payload);
  if (uids.length > 1) throw invalid('Create Split Key splits one key');
  const uid = uids[0];
  if (uid !== undefined) {
    const original = await loadNamed(uid, ctx);
    if (!splittable.has(original.objectType))
      throw kmipError(
        'InvalidObjectType',
        `Create Split Key splits a Symmetric Key or Secret Data, not a ${original.objectType}`,
        'invalid-argument',
      );
    const secret = secretBytes(original, ctx);
    const algorithm =
      original.keyBlock?.cryptographicAlgorithm ?? first<string>(original.attributes, 'CryptographicAlgorithm');
    return {
      secret,
      original,
      ...(algorithm !== undefined ? { algorithm } : {}),
      bits: original.keyBlock?.cryptographicLength ?? secret.length * 8,
      fresh: false,
    };
  }
  const bits = first<number>(requested, 'CryptographicLength');
  if (typeof bits !== 'number') throw invalid('Cryptographic Length is missing');
  if (objectType === 'SecretData') {
    if (!Number.isInteger(bits) || bits < 8 || bits % 8 !== 0)
      throw invalid('Cryptographic Length must be whole bytes');
    return { secret: generateSecretData(bits / 8), bits, fresh: true };
  }
  const algorithm = first<string>(requested, 'CryptographicAlgorithm');
  if (typeof algorithm !== 'string') throw invalid('Cryptographic Algorithm is missing');
  const bytes = symmetricKeyBytes(algorithm, bits);
  return {
    secret: generateSymmetricKey(algorithm as SymmetricKeyAlgorithm, bytes * 8),
    algorithm,
    bits,
    fresh: true,
  };
}

/** Create Split Key: the parts as new Split Key objects; the ID Placeholder is part 1. */
export async function createSplitKey(payload: StructureItem, ctx: OpsContext): Promise<StructureItem> {
  // The Object Type names what is split; Split Key itself means a symmetric key.
  const typeName = objectTypeName(need(findEnum(payload, Tag.ObjectType), 'Object Type'));
  const objectType: ObjectType = typeName === 'SplitKey' ? 'SymmetricKey' : typeName;
  if (!splittable.has(objectType))
    throw invalid(`Create Split Key splits a Symmetric Key or Secret Data, not a ${objectType}`);
  const parts = need(findInt(payload, Tag.SplitKeyParts), 'Split Key Parts');
  const threshold = need(findInt(payload, Tag.SplitKeyThreshold), 'Split Key Threshold');
  const method = methodOf(need(findEnum(payload, Tag.SplitKeyMethod), 'Split Key Method'));
  checkSplitShape(method, parts, threshold);
  const requested = requestedAttributes(payload);
  const source = await secretToSplit(payload, requested, objectType, ctx);
  let shares: Uint8Array[];
  try {
    shares = await splitSecret(method, source.secret, parts, threshold);
  } finally {
    // A secret made here exists nowhere else once split; an existing key's bytes are the store's.
    if (source.fresh) source.secret.fill(0);
  }
  const attrs: Attributes = { ...requested };
  if (source.original) {
    // A part must not be easier to read than the key it comes from.
    for (const name of ['Sensitive', 'Extractable'] as const) {
      const v = first<boolean>(source.original.attributes, name);
      if (v !== undefined) attrs[name] = [v];
    }
  }
  delete attrs['CryptographicAlgorithm'];
  delete attrs['CryptographicLength'];
  const objects: ManagedObject[] = [];
  for (const [i, share] of shares.entries()) {
    objects.push(
      await newObject(ctx, 'SplitKey', attrs, {
        keyBlock: {
          keyFormatType: 'Raw',
          keyMaterial: share,
          ...(source.algorithm !== undefined ? { cryptographicAlgorithm: source.algorithm } : {}),
          cryptographicLength: source.bits,
        },
        splitKey: {
          SplitKeyParts: parts,
          KeyPartIdentifier: i + 1,
          SplitKeyThreshold: threshold,
          SplitKeyMethod: method,
        },
      }),
    );
  }
  for (const [i, o] of objects.entries()) {
    if (source.original) {
      addLink(o, 'ParentLink', source.original.uniqueIdentifier);
      addLink(source.original, 'ChildLink', o.uniqueIdentifier);
    }
    const prev = objects[i - 1];
    const next = objects[i + 1];
    if (prev) addLink(o, 'PreviousLink', prev.uniqueIdentifier);
    if (next) addLink(o, 'NextLink', next.uniqueIdentifier);
  }
  for (const o of objects) await ctx.store.put(o, ctx.identity);
  if (source.original) {
    touch(source.original, ctx);
    await ctx.store.put(source.original, ctx.identity);
  }
  ctx.idPlaceholder = objects[0]?.uniqueIdentifier;
  return t.struct(
    Tag.ResponsePayload,
    objects.map((o) => t.text(Tag.UniqueIdentifier, o.uniqueIdentifier)),
  );
}

interface PartFields {
  parts: number;
  id: number;
  threshold: number;
  method: SplitKeyMethodName;
}

function partFields(obj: ManagedObject): PartFields {
  const s = obj.splitKey ?? {};
  const num = (v: AttributeValue | undefined) => (typeof v === 'number' ? v : NaN);
  const methodName = s['SplitKeyMethod'];
  const methodValue = typeof methodName === 'string' ? enumValue('SplitKeyMethod', methodName) : undefined;
  if (methodValue === undefined) throw invalid(`split key ${obj.uniqueIdentifier} has no Split Key Method`);
  const f = {
    parts: num(s['SplitKeyParts']),
    id: num(s['KeyPartIdentifier']),
    threshold: num(s['SplitKeyThreshold']),
    method: methodOf(methodValue),
  };
  if (!(f.id >= 1 && f.id <= f.parts))
    throw invalid(`split key ${obj.uniqueIdentifier} has Key Part Identifier outside 1..Split Key Parts`);
  return f;
}

/** Join Split Key: the parts' secret as a new object of the requested type. */
export async function joinSplitKey(payload: StructureItem, ctx: OpsContext): Promise<StructureItem> {
  const objectType = objectTypeName(need(findEnum(payload, Tag.ObjectType), 'Object Type'));
  if (!splittable.has(objectType))
    throw invalid(`Join Split Key makes a Symmetric Key or Secret Data, not a ${objectType}`);
  const uids = listedIdentifiers(payload);
  if (uids.length === 0) throw invalid('Unique Identifier is missing');
  const objects: ManagedObject[] = [];
  for (const uid of uids) {
    const o = await loadNamed(uid, ctx);
    if (o.objectType !== 'SplitKey')
      throw kmipError('InvalidObjectType', `object ${uid} is a ${o.objectType}, not a Split Key`, 'invalid-argument');
    objects.push(o);
  }
  const fields = objects.map(partFields);
  const f0 = fields[0] as PartFields;
  const shares = objects.map((o) => secretBytes(o, ctx));
  const seen = new Set<number>();
  for (const [i, f] of fields.entries()) {
    if (f.parts !== f0.parts || f.threshold !== f0.threshold || f.method !== f0.method)
      throw invalid('the split keys do not come from one split (Parts, Threshold or Method differ)');
    if (shares[i]?.length !== shares[0]?.length) throw invalid('the split keys differ in length');
    if (seen.has(f.id)) throw invalid(`Key Part Identifier ${f.id} is given twice`);
    seen.add(f.id);
  }
  // 1.4 Table 363: fewer parts than the Split Key Threshold is a Cryptographic Failure.
  if (objects.length < f0.threshold)
    throw kmipError(
      'CryptographicFailure',
      `${objects.length} of the ${f0.threshold} split keys needed were given`,
      'crypto',
    );
  let joinedBytes: Uint8Array;
  try {
    joinedBytes = await joinSecret(f0.method, shares);
  } catch {
    throw kmipError('CryptographicFailure', 'the split keys could not be combined', 'crypto');
  }
  const secret = Buffer.from(joinedBytes);
  joinedBytes.fill(0);
  let joined: ManagedObject;
  try {
    const requested = requestedAttributes(payload);
    const algorithm =
      objectType === 'SymmetricKey'
        ? joinedAlgorithm(requested, objects[0]?.keyBlock?.cryptographicAlgorithm, secret.length * 8)
        : undefined;
    checkAgainstOriginal(secret, await originalDigest(objects, ctx));
    const attrs: Attributes = { ...requested };
    // The joined key is no easier to read than its most protected part.
    if (objects.some((o) => first<boolean>(o.attributes, 'Sensitive') === true)) attrs['Sensitive'] = [true];
    if (objects.some((o) => first<boolean>(o.attributes, 'Extractable') === false)) attrs['Extractable'] = [false];
    joined = await newObject(
      ctx,
      objectType,
      attrs,
      algorithm !== undefined
        ? {
            keyBlock: {
              keyFormatType: 'Raw',
              keyMaterial: secret,
              cryptographicAlgorithm: algorithm,
              cryptographicLength: secret.length * 8,
            },
          }
        : {
            keyBlock: { keyFormatType: 'Opaque', keyMaterial: secret },
            valueType: enumName('SecretDataType', findEnum(payload, Tag.SecretDataType) ?? 2),
          },
    );
  } catch (e) {
    secret.fill(0);
    throw e;
  }
  return storeMadeFrom(joined, objects, { onMade: 'ChildLink', onSources: 'ParentLink' }, ctx);
}

/** A joined Symmetric Key's algorithm: the one asked for, else the parts'; its length must fit it. */
function joinedAlgorithm(requested: Attributes, partAlgorithm: string | undefined, bits: number): string {
  const algorithm = first<string>(requested, 'CryptographicAlgorithm') ?? partAlgorithm;
  if (typeof algorithm !== 'string') throw invalid('Cryptographic Algorithm is missing (the parts carry none)');
  symmetricKeyBytes(algorithm, bits);
  return algorithm;
}

/**
 * The Digest of the key the parts were split from, when it is still in the store: the parts'
 * common Parent Link. Read inside the server only; the caller learns just whether the join matched.
 */
async function originalDigest(objects: ManagedObject[], ctx: OpsContext): Promise<Uint8Array | undefined> {
  const parentOf = (o: ManagedObject) =>
    (o.attributes['Link'] ?? [])
      .map((l) => l as { LinkType?: string; LinkedObjectIdentifier?: string })
      .filter((l) => l.LinkType === 'ParentLink')
      .map((l) => l.LinkedObjectIdentifier);
  const common = parentOf(objects[0] as ManagedObject).filter(
    (p): p is string => p !== undefined && objects.every((o) => parentOf(o).includes(p)),
  );
  for (const uid of common) {
    const parent = await ctx.store.get(uid, ctx.identity);
    const kb = parent?.keyBlock;
    const digest = parent
      ? first<{ HashingAlgorithm?: string; DigestValue?: Uint8Array; KeyFormatType?: string }>(
          parent.attributes,
          'Digest',
        )
      : undefined;
    // Only a SHA-256 Digest over the clear material as it is stored now says what the parts must give.
    if (
      kb &&
      !kb.keyWrappingData &&
      digest?.HashingAlgorithm === 'SHA_256' &&
      (digest.KeyFormatType === undefined || digest.KeyFormatType === kb.keyFormatType) &&
      digest.DigestValue instanceof Uint8Array
    )
      return digest.DigestValue;
  }
  return undefined;
}

function checkAgainstOriginal(secret: Uint8Array, digest: Uint8Array | undefined): void {
  if (!digest) return;
  const mine = createHash('sha256').update(secret).digest();
  const same = mine.length === digest.length && timingSafeEqual(mine, digest);
  mine.fill(0);
  if (!same)
    throw kmipError('CryptographicFailure', 'the split keys do not rebuild the key they were split from', 'crypto');
}
