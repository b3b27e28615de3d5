/**
 * Export and Import (KMIP 1.4 sections 4.40 and 4.41; KMIP 2.1 sections 6.1.23 and 6.1.30): an
 * object with all its attributes out of one server, and into another under the same Unique
 * Identifier with the same attributes. Both have two wire forms, chosen by the request's version:
 * - 1.4: the attributes are repeated 1.x Attribute structures (Attribute Name, Index, Value) beside
 *   the object, and the Import request has no Object Type field (the object's own tag names it);
 * - 2.x: one Attributes structure of tagged values, and Import carries Object Type.
 */
import { ItemType, type StructureItem } from '../kmip/ttlv/index.js';
import type { Attributes, KeyBlock, ManagedObject, ObjectType } from '../vault/model.js';
import { attributesFromV1, attributesFromV2, attributesToWire } from './attributes.js';
import type { OpsContext } from './context.js';
import { kmipError } from './errors.js';
import { servedObject } from './get.js';
import { unwrapKeyBlock, wrappingKeyLink } from './key-wrapping.js';
import { objectFromTtlv, objectTag, objectToTtlv, objectTypeName, objectTypeValue } from './managed-object.js';
import { loadObject, mayAccess } from './objects.js';
import { findBool, findEnum, findStruct, findText, need, t } from './ttlv.js';
import { Tag, enumName } from './vocabulary.js';

/** Export: the object as Get returns it (same format, wrapping and Key Wrap Type rules) with all its attributes; nothing changes. */
export async function exportOp(payload: StructureItem, ctx: OpsContext): Promise<StructureItem> {
  const obj = await loadObject(payload, ctx);
  const out = await servedObject(obj, payload, ctx, { destroyed: 'metadata' });
  // Only the attributes the client's version defines: attributesToWire leaves out newer ones.
  const attributes = attributesToWire(obj.attributes, ctx.version);
  return t.struct(Tag.ResponsePayload, [
    t.enm(Tag.ObjectType, objectTypeValue(obj.objectType)),
    t.text(Tag.UniqueIdentifier, obj.uniqueIdentifier),
    ...(ctx.version.major >= 2 ? [t.struct(Tag.Attributes, attributes)] : attributes),
    objectToTtlv(out, ctx.version),
  ]);
}

function sameBytes(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return Buffer.from(a).equals(Buffer.from(b));
}

function sameKeyBlock(a: KeyBlock | undefined, b: KeyBlock | undefined): boolean {
  if (!a || !b) return a === b;
  const ma = a.keyMaterial;
  const mb = b.keyMaterial;
  if (ma instanceof Uint8Array || mb instanceof Uint8Array)
    return ma instanceof Uint8Array && mb instanceof Uint8Array && sameBytes(ma, mb);
  const keys = new Set([...Object.keys(ma), ...Object.keys(mb)]);
  for (const k of keys) {
    const x = ma[k];
    const y = mb[k];
    if (x instanceof Uint8Array || y instanceof Uint8Array) {
      if (!(x instanceof Uint8Array && y instanceof Uint8Array && sameBytes(x, y))) return false;
    } else if (x !== y) return false;
  }
  return true;
}

/** The object type of each object structure's tag. */
const typeOfTag: ReadonlyMap<number, ObjectType> = new Map(
  Object.entries(objectTag).map(([type, tag]) => [tag, type as ObjectType]),
);

/**
 * The object an Import request carries, and its type. 2.x names the type in Object Type; 1.4 has
 * no such field, and the object's structure tag (Symmetric Key, Certificate...) names it. An
 * Object Type field sent by a 1.4 client anyway is honoured.
 */
function importedObject(payload: StructureItem, ctx: OpsContext): { objectType: ObjectType; item: StructureItem } {
  const sent = findEnum(payload, Tag.ObjectType);
  const named = ctx.version.major >= 2 ? need(sent, 'Object Type') : sent;
  const objectType = named !== undefined ? objectTypeName(named) : undefined;
  const item = payload.value.find(
    (i): i is StructureItem =>
      i.type === ItemType.Structure &&
      (objectType === undefined ? typeOfTag.has(i.tag) : i.tag === objectTag[objectType]),
  );
  if (!item) throw kmipError('InvalidField', `the ${objectType ?? 'object'} is missing`, 'invalid-argument');
  return { objectType: objectType ?? (typeOfTag.get(item.tag) as ObjectType), item };
}

/**
 * True for the object of a destroyed one's Export: an empty structure (no key material, 1.4 section
 * 4.40) beside a State of Destroyed. Import keeps such an object as the metadata it is.
 */
function metadataOnly(item: StructureItem, attributes: Attributes): boolean {
  const state = attributes.State?.[0];
  return item.value.length === 0 && (state === 'Destroyed' || state === 'DestroyedCompromised');
}

/** The attributes of an Import request: 1.x Attribute structures for 1.x, one Attributes structure for 2.x. */
function importedAttributes(payload: StructureItem, ctx: OpsContext): Attributes {
  if (ctx.version.major >= 2) return attributesFromV2(need(findStruct(payload, Tag.Attributes), 'Attributes'));
  return attributesFromV1(payload);
}

/**
 * Import: the object and its attributes exactly as supplied (no server-set values), under the
 * request's Unique Identifier. Replace Existing overwrites the caller's own object of that
 * identifier; key material, once stored, is never swapped under an identifier (a different
 * value is refused). Key Wrap Type Not Wrapped unwraps a wrapped key before it is stored.
 */
export async function importOp(payload: StructureItem, ctx: OpsContext): Promise<StructureItem> {
  const uid = need(findText(payload, Tag.UniqueIdentifier), 'Unique Identifier');
  const { objectType, item } = importedObject(payload, ctx);
  const replace = findBool(payload, Tag.ReplaceExisting) === true;
  const wrapType = findEnum(payload, Tag.KeyWrapType);
  const attributes = importedAttributes(payload, ctx);
  const typeAttribute = attributes.ObjectType?.[0];
  if (typeAttribute !== undefined && typeAttribute !== objectType)
    throw kmipError(
      'InvalidField',
      `the Object Type attribute ${String(typeAttribute)} is not the ${objectType} sent`,
      'invalid-argument',
    );
  const parts = metadataOnly(item, attributes) ? { attributes: {} } : objectFromTtlv(objectType, item);
  let keyBlock = parts.keyBlock;
  if (keyBlock?.keyWrappingData && wrapType !== undefined && enumName('KeyWrapType', wrapType) === 'NotWrapped')
    keyBlock = await unwrapKeyBlock(keyBlock, ctx);

  const existing = await ctx.store.get(uid, ctx.identity);
  if (existing) {
    if (!mayAccess(existing, ctx))
      throw kmipError('PermissionDenied', `object ${uid} belongs to another client`, 'permission-denied');
    if (!replace) throw kmipError('ObjectAlreadyExists', `object ${uid} exists; set Replace Existing to replace it`);
    if (
      existing.objectType !== objectType ||
      !sameKeyBlock(existing.keyBlock, keyBlock) ||
      !sameBytes(existing.value, parts.value)
    ) {
      throw kmipError(
        'FeatureNotSupported',
        `object ${uid} holds other key material: stored material is never replaced, import under a new identifier`,
        'unsupported',
      );
    }
  }

  const attrs: Attributes = { ...parts.attributes, ...attributes, UniqueIdentifier: [uid], ObjectType: [objectType] };
  const now = ctx.now();
  if (!attrs.State?.length) {
    const activation = attrs.ActivationDate?.[0];
    attrs.State = [activation instanceof Date && activation <= now ? 'Active' : 'PreActive'];
  }
  if (!attrs.InitialDate?.length) attrs.InitialDate = [now];
  const wrappedBy = wrappingKeyLink(keyBlock);
  if (wrappedBy && !(attrs.Link ?? []).some((l) => (l as { LinkType?: string }).LinkType === 'WrappingKeyLink'))
    (attrs.Link ??= []).push(wrappedBy);
  const obj: ManagedObject = {
    uniqueIdentifier: uid,
    objectType,
    attributes: attrs,
    owner: existing?.owner ?? ctx.identity,
    ...(keyBlock ? { keyBlock } : {}),
    ...(parts.value ? { value: parts.value } : {}),
    ...(parts.valueType ? { valueType: parts.valueType } : {}),
    ...(parts.splitKey ? { splitKey: parts.splitKey } : {}),
  };
  await ctx.store.put(obj, ctx.identity);
  ctx.idPlaceholder = uid;
  return t.struct(Tag.ResponsePayload, [t.text(Tag.UniqueIdentifier, uid)]);
}
