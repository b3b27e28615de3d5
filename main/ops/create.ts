import { KeyholdError } from '../../shared/errors.js';
import {
  exportKeyMaterial,
  generateKeyPair,
  generateSymmetricKey,
  type KeyPairSpec,
  type SymmetricKeyAlgorithm,
} from '../crypto/index.js';
import type { StructureItem } from '../kmip/ttlv/index.js';
import type { Attributes, ManagedObject, ObjectType } from '../vault/model.js';
import { attributesFromV1, attributesFromV2 } from './attributes.js';
import { registeredCertificateAttributes } from './certify.js';
import { atLeast, type OpsContext } from './context.js';
import { kmipError } from './errors.js';
import { objectFromTtlv, objectTypeName, objectTypeValue, objectTag } from './managed-object.js';
import { wrappingKeyLink } from './key-wrapping.js';
import { first, newObject } from './objects.js';
import { find, findEnum, findStruct, need, t } from './ttlv.js';
import { Tag } from './vocabulary.js';
import { checkQuantumSafe } from './quantum-safe.js';

/** Template Attribute (1.x) or Attributes (2.x) of a request, merged. */
function payloadAttributes(payload: StructureItem, v1: number, v2: number): Attributes {
  return { ...attributesFromV1(findStruct(payload, v1)), ...attributesFromV2(findStruct(payload, v2)) };
}

function mergeAll(...sets: Attributes[]): Attributes {
  const out: Attributes = {};
  for (const s of sets) for (const [k, v] of Object.entries(s)) out[k] = v;
  return out;
}

/** Create (KMIP 1.4 section 4.1): a symmetric key or secret data generated here. */
export async function create(payload: StructureItem, ctx: OpsContext): Promise<StructureItem> {
  const objectType = objectTypeName(need(findEnum(payload, Tag.ObjectType), 'Object Type'));
  const attrs = payloadAttributes(payload, Tag.TemplateAttribute, Tag.Attributes);
  let obj;
  if (objectType === 'SymmetricKey') {
    const algorithm = need(first<string>(attrs, 'CryptographicAlgorithm'), 'Cryptographic Algorithm');
    const length = first<number>(attrs, 'CryptographicLength');
    checkQuantumSafe(attrs, algorithm, length);
    let material: Buffer;
    try {
      // Triple DES keys are 192 bits with parity; KMIP clients often say 168 (the effective length).
      material = generateSymmetricKey(
        algorithm as SymmetricKeyAlgorithm,
        algorithm === 'DES3' && length === 168 ? 192 : length,
      );
    } catch (e) {
      throw asInvalidField(e);
    }
    obj = await newObject(ctx, objectType, attrs, {
      keyBlock: {
        keyFormatType: 'Raw',
        keyMaterial: material,
        cryptographicAlgorithm: algorithm,
        cryptographicLength: length ?? material.length * 8,
      },
    });
  } else if (objectType === 'SecretData') {
    const length = (first<number>(attrs, 'CryptographicLength') ?? 256) / 8;
    obj = await newObject(ctx, objectType, attrs, {
      keyBlock: { keyFormatType: 'Opaque', keyMaterial: generateSymmetricKey('AES', 256).subarray(0, length) },
      valueType: 'Seed',
    });
  } else {
    throw kmipError('InvalidField', `Create cannot make a ${objectType}`, 'invalid-argument');
  }
  markGenerated(obj, ctx);
  await ctx.store.put(obj, ctx.identity);
  ctx.idPlaceholder = obj.uniqueIdentifier;
  return t.struct(Tag.ResponsePayload, [
    t.enm(Tag.ObjectType, objectTypeValue(objectType)),
    t.text(Tag.UniqueIdentifier, obj.uniqueIdentifier),
  ]);
}

/** Random Number Generator (KMIP 1.3+): keys made here come from OpenSSL's default CTR-DRBG (AES-256) through Node. */
export function markGenerated(obj: ManagedObject, ctx: OpsContext): void {
  if (atLeast(ctx.version, 1, 3))
    obj.attributes.RandomNumberGenerator = [
      { RNGAlgorithm: 'DRBG', CryptographicAlgorithm: 'AES', CryptographicLength: 256 },
    ];
}

function asInvalidField(e: unknown): KeyholdError {
  if (e instanceof KeyholdError) {
    return new KeyholdError(e.code, e.message, {
      reason: e.reason === 'Feature Not Supported' ? e.reason : 'Invalid Field',
      cause: e,
    });
  }
  return kmipError('CryptographicFailure', 'key generation failed', 'crypto');
}

const curveOf: Record<string, 'P-256' | 'P-384' | 'P-521'> = { P_256: 'P-256', P_384: 'P-384', P_521: 'P-521' };

/**
 * A new RSA or EC key pair as two unsaved objects (not yet linked): the algorithm, length and
 * curve come from the private key's attributes. Create Key Pair and Re-key Key Pair use it.
 */
export async function newKeyPair(
  ctx: OpsContext,
  privAttrs: Attributes,
  pubAttrs: Attributes,
): Promise<{ priv: ManagedObject; pub: ManagedObject }> {
  const algorithm = need(first<string>(privAttrs, 'CryptographicAlgorithm'), 'Cryptographic Algorithm');
  const length = first<number>(privAttrs, 'CryptographicLength');
  let spec: KeyPairSpec;
  let format: { priv: string; pub: string };
  if (algorithm === 'RSA') {
    spec = { algorithm: 'RSA', length: length ?? 2048 };
    format = { priv: 'PKCS_1', pub: 'PKCS_1' };
  } else if (algorithm === 'EC' || algorithm === 'ECDSA' || algorithm === 'ECDH') {
    const domain = first<{ RecommendedCurve?: string }>(privAttrs, 'CryptographicDomainParameters');
    const curve =
      curveOf[domain?.RecommendedCurve ?? ''] ?? (length === 384 ? 'P-384' : length === 521 ? 'P-521' : 'P-256');
    spec = { algorithm: 'EC', curve };
    format = { priv: 'PKCS_8', pub: 'X_509' };
  } else {
    throw kmipError('InvalidField', `Create Key Pair does not support ${algorithm}`, 'invalid-argument');
  }
  let pair;
  try {
    pair = await generateKeyPair(spec);
  } catch (e) {
    throw asInvalidField(e);
  }
  const bits =
    algorithm === 'RSA' ? (spec as { length: number }).length : Number((spec as { curve: string }).curve.slice(2));
  const priv = await newObject(ctx, 'PrivateKey', privAttrs, {
    keyBlock: {
      keyFormatType: format.priv,
      keyMaterial: exportKeyMaterial(pair.privateKey, format.priv),
      cryptographicAlgorithm: algorithm,
      cryptographicLength: bits,
    },
  });
  const pub = await newObject(ctx, 'PublicKey', pubAttrs, {
    keyBlock: {
      keyFormatType: format.pub,
      keyMaterial: exportKeyMaterial(pair.publicKey, format.pub),
      cryptographicAlgorithm: algorithm,
      cryptographicLength: bits,
    },
  });
  return { priv, pub };
}

/** Create Key Pair (KMIP 1.4 section 4.2): RSA or EC, linked both ways. */
export async function createKeyPair(payload: StructureItem, ctx: OpsContext): Promise<StructureItem> {
  const common = payloadAttributes(payload, Tag.CommonTemplateAttribute, Tag.CommonAttributes);
  const privAttrs = mergeAll(
    common,
    payloadAttributes(payload, Tag.PrivateKeyTemplateAttribute, Tag.PrivateKeyAttributes),
  );
  const pubAttrs = mergeAll(
    common,
    payloadAttributes(payload, Tag.PublicKeyTemplateAttribute, Tag.PublicKeyAttributes),
  );
  const { priv, pub } = await newKeyPair(ctx, privAttrs, pubAttrs);
  (priv.attributes.Link ??= []).push({ LinkType: 'PublicKeyLink', LinkedObjectIdentifier: pub.uniqueIdentifier });
  (pub.attributes.Link ??= []).push({ LinkType: 'PrivateKeyLink', LinkedObjectIdentifier: priv.uniqueIdentifier });
  markGenerated(priv, ctx);
  markGenerated(pub, ctx);
  await ctx.store.put(priv, ctx.identity);
  await ctx.store.put(pub, ctx.identity);
  ctx.idPlaceholder = priv.uniqueIdentifier;
  return t.struct(Tag.ResponsePayload, [
    t.text(Tag.PrivateKeyUniqueIdentifier, priv.uniqueIdentifier),
    t.text(Tag.PublicKeyUniqueIdentifier, pub.uniqueIdentifier),
  ]);
}

/** Register (KMIP 1.4 section 4.3): an object the client supplies. */
export async function register(payload: StructureItem, ctx: OpsContext): Promise<StructureItem> {
  const objectType: ObjectType = objectTypeName(need(findEnum(payload, Tag.ObjectType), 'Object Type'));
  const attrs = payloadAttributes(payload, Tag.TemplateAttribute, Tag.Attributes);
  const objItem = find(payload, objectTag[objectType]);
  if (objItem?.type !== 1) throw kmipError('InvalidField', `the ${objectType} is missing`, 'invalid-argument');
  const parts = objectFromTtlv(objectType, objItem);
  // A registered X.509 certificate gets the attributes its value determines (KMIP 2.1 sections 4.7-4.8, 4.22, 4.63).
  const fromValue = objectType === 'Certificate' ? registeredCertificateAttributes(parts) : {};
  const obj = await newObject(ctx, objectType, { ...parts.attributes, ...attrs, ...fromValue }, parts);
  // KMIP 2.1 section 6.1.43: a wrapped object is stored as given, linked to the key that wrapped it.
  const wrappedBy = wrappingKeyLink(parts.keyBlock);
  if (wrappedBy) (obj.attributes.Link ??= []).push(wrappedBy);
  await ctx.store.put(obj, ctx.identity);
  ctx.idPlaceholder = obj.uniqueIdentifier;
  return t.struct(Tag.ResponsePayload, [t.text(Tag.UniqueIdentifier, obj.uniqueIdentifier)]);
}
