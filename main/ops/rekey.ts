/**
 * Re-key (KMIP 1.4 section 4.4 / 2.1 section 6.1.45): a replacement for an existing symmetric
 * key, with the existing key's attributes, its names, and its dates moved by the Offset.
 */
import { generateSymmetricKey, type SymmetricKeyAlgorithm } from '../crypto/generate.js';
import type { StructureItem } from '../kmip/ttlv/index.js';
import type { AttributeValue, Attributes, ManagedObject } from '../vault/model.js';
import { attributesFromV1, attributesFromV2 } from './attributes.js';
import type { OpsContext } from './context.js';
import { markGenerated, newKeyPair } from './create.js';
import { kmipError } from './errors.js';
import { NOT_INHERITED_BY_REPLACEMENT, first, inheritedAttributes, loadObject, newObject, touch } from './objects.js';
import { findInt, findStruct, findText, t } from './ttlv.js';
import { Tag } from './vocabulary.js';

/** Attributes of the existing key that the replacement does not inherit (1.4 Table 173). */
const notCopied = new Set([...NOT_INHERITED_BY_REPLACEMENT, 'RandomNumberGenerator', 'Fresh']);

/** Dates that move with the Activation Date when an Offset is given (1.4 Table 172). */
const shiftedDates = ['ProcessStartDate', 'ProtectStopDate', 'DeactivationDate'];

/** The replacement's attributes: the existing key's, dates per the Offset, then the request's. */
function replacementAttributes(old: ManagedObject, offsetSeconds: number | undefined, now: Date): Attributes {
  const attrs = inheritedAttributes(old, notCopied);
  if (offsetSeconds !== undefined) {
    const activation = new Date(now.getTime() + offsetSeconds * 1000);
    const before = first<Date>(old.attributes, 'ActivationDate');
    const shift = before instanceof Date ? activation.getTime() - before.getTime() : undefined;
    attrs['ActivationDate'] = [activation];
    for (const name of shiftedDates) {
      const d = first<Date>(old.attributes, name);
      if (d instanceof Date && shift !== undefined) attrs[name] = [new Date(d.getTime() + shift)];
      else delete attrs[name];
    }
  }
  // Usage Limits: the Total is kept and the Count starts again at the Total.
  const limits = first<{ [k: string]: AttributeValue }>(old.attributes, 'UsageLimits');
  if (limits && typeof limits === 'object' && 'UsageLimitsTotal' in limits) {
    attrs['UsageLimits'] = [{ ...limits, UsageLimitsCount: limits['UsageLimitsTotal'] as AttributeValue }];
  }
  return attrs;
}

/** Template Attribute (1.x) or Attributes (2.x) of the request. */
function requestedAttributes(payload: StructureItem, v1: number, v2: number): Attributes {
  return { ...attributesFromV1(findStruct(payload, v1)), ...attributesFromV2(findStruct(payload, v2)) };
}

/** The replacement takes over the names (1.4 Table 173); the existing object points to it. */
function supersede(old: ManagedObject, replacement: ManagedObject, ctx: OpsContext): void {
  delete old.attributes['Name'];
  (old.attributes['Link'] ??= []).push({
    LinkType: 'ReplacementObjectLink',
    LinkedObjectIdentifier: replacement.uniqueIdentifier,
  });
  (replacement.attributes['Link'] ??= []).push({
    LinkType: 'ReplacedObjectLink',
    LinkedObjectIdentifier: old.uniqueIdentifier,
  });
  touch(old, ctx);
}

export async function reKey(payload: StructureItem, ctx: OpsContext): Promise<StructureItem> {
  const old = await loadObject(payload, ctx);
  if (old.objectType !== 'SymmetricKey') {
    throw kmipError('InvalidObjectType', `Re-key replaces symmetric keys, not a ${old.objectType}`, 'invalid-argument');
  }
  const algorithm = first<string>(old.attributes, 'CryptographicAlgorithm') ?? old.keyBlock?.cryptographicAlgorithm;
  const length = first<number>(old.attributes, 'CryptographicLength') ?? old.keyBlock?.cryptographicLength;
  if (algorithm === undefined) {
    throw kmipError(
      'InvalidField',
      `object ${old.uniqueIdentifier} has no Cryptographic Algorithm`,
      'invalid-argument',
    );
  }
  const offset = findInt(payload, Tag.Offset);
  const now = ctx.now();
  const requested = requestedAttributes(payload, Tag.TemplateAttribute, Tag.Attributes);
  const attrs = { ...replacementAttributes(old, offset, now), ...requested };
  let material: Buffer;
  try {
    material = generateSymmetricKey(algorithm as SymmetricKeyAlgorithm, length);
  } catch {
    throw kmipError('InvalidField', `cannot make a new ${algorithm} key of ${length ?? '?'} bits`, 'invalid-argument');
  }
  const replacement = await newObject(ctx, 'SymmetricKey', attrs, {
    keyBlock: {
      keyFormatType: old.keyBlock?.keyFormatType ?? 'Raw',
      keyMaterial: material,
      cryptographicAlgorithm: algorithm,
      cryptographicLength: length ?? material.length * 8,
    },
  });
  markGenerated(replacement, ctx);
  supersede(old, replacement, ctx);
  await ctx.store.put(replacement, ctx.identity);
  await ctx.store.put(old, ctx.identity);
  ctx.idPlaceholder = replacement.uniqueIdentifier;
  return t.struct(Tag.ResponsePayload, [t.text(Tag.UniqueIdentifier, replacement.uniqueIdentifier)]);
}

/**
 * Re-key Key Pair (KMIP 1.4 section 4.5 / 2.1 section 6.1.46): a replacement pair for an existing
 * private key and its public key, each with the attributes of the one it replaces.
 */
export async function reKeyKeyPair(payload: StructureItem, ctx: OpsContext): Promise<StructureItem> {
  const uid = findText(payload, Tag.PrivateKeyUniqueIdentifier);
  const oldPriv = await loadObject(
    uid === undefined ? payload : t.struct(Tag.RequestPayload, [t.text(Tag.UniqueIdentifier, uid)]),
    ctx,
  );
  if (oldPriv.objectType !== 'PrivateKey') {
    throw kmipError('InvalidObjectType', `Re-key Key Pair replaces private keys, not a ${oldPriv.objectType}`);
  }
  const pubLink = (oldPriv.attributes['Link'] ?? []).find(
    (l) => typeof l === 'object' && l !== null && (l as { LinkType?: string }).LinkType === 'PublicKeyLink',
  ) as { LinkedObjectIdentifier?: string } | undefined;
  const oldPub =
    pubLink?.LinkedObjectIdentifier === undefined
      ? undefined
      : await loadObject(
          t.struct(Tag.RequestPayload, [t.text(Tag.UniqueIdentifier, pubLink.LinkedObjectIdentifier)]),
          ctx,
        );
  const offset = findInt(payload, Tag.Offset);
  const now = ctx.now();
  const common = requestedAttributes(payload, Tag.CommonTemplateAttribute, Tag.CommonAttributes);
  const privAttrs = {
    ...replacementAttributes(oldPriv, offset, now),
    ...common,
    ...requestedAttributes(payload, Tag.PrivateKeyTemplateAttribute, Tag.PrivateKeyAttributes),
  };
  const pubAttrs = {
    ...(oldPub ? replacementAttributes(oldPub, offset, now) : {}),
    ...common,
    ...requestedAttributes(payload, Tag.PublicKeyTemplateAttribute, Tag.PublicKeyAttributes),
  };
  const { priv, pub } = await newKeyPair(ctx, privAttrs, pubAttrs);
  priv.attributes['Link'] = [{ LinkType: 'PublicKeyLink', LinkedObjectIdentifier: pub.uniqueIdentifier }];
  pub.attributes['Link'] = [{ LinkType: 'PrivateKeyLink', LinkedObjectIdentifier: priv.uniqueIdentifier }];
  markGenerated(priv, ctx);
  markGenerated(pub, ctx);
  supersede(oldPriv, priv, ctx);
  if (oldPub) supersede(oldPub, pub, ctx);
  await ctx.store.put(priv, ctx.identity);
  await ctx.store.put(pub, ctx.identity);
  await ctx.store.put(oldPriv, ctx.identity);
  if (oldPub) await ctx.store.put(oldPub, ctx.identity);
  ctx.idPlaceholder = priv.uniqueIdentifier;
  return t.struct(Tag.ResponsePayload, [
    t.text(Tag.PrivateKeyUniqueIdentifier, priv.uniqueIdentifier),
    t.text(Tag.PublicKeyUniqueIdentifier, pub.uniqueIdentifier),
  ]);
}
