/**
 * Export and Import (KMIP 2.1 sections 6.1.18 and 6.1.25): an object with all its attributes out
 * of one server, and into another under the same Unique Identifier with the same attributes.
 */
import type { StructureItem } from '../kmip/ttlv/index.js';
import type { Attributes, KeyBlock, ManagedObject } from '../vault/model.js';
import { attributesFromV2, attributesToWire } from './attributes.js';
import { atLeast, type OpsContext } from './context.js';
import { kmipError } from './errors.js';
import { servedObject } from './get.js';
import { unwrapKeyBlock, wrappingKeyLink } from './key-wrapping.js';
import { objectFromTtlv, objectTag, objectToTtlv, objectTypeName, objectTypeValue } from './managed-object.js';
import { loadObject, mayAccess } from './objects.js';
import { find, findBool, findEnum, findStruct, findText, need, t } from './ttlv.js';
import { Tag, enumName } from './vocabulary.js';

function only2x(ctx: OpsContext, what: string): void {
  if (!atLeast(ctx.version, 2, 0))
    throw kmipError('OperationNotSupported', `${what} is a KMIP 2.0 operation`, 'unsupported');
}

/** Export: the object as Get returns it (same format, wrapping and Key Wrap Type rules) with all its attributes; nothing changes. */
export async function exportOp(payload: StructureItem, ctx: OpsContext): Promise<StructureItem> {
  only2x(ctx, 'Export');
  const obj = await loadObject(payload, ctx);
  const out = await servedObject(obj, payload, ctx, { destroyed: 'metadata' });
  return t.struct(Tag.ResponsePayload, [
    t.enm(Tag.ObjectType, objectTypeValue(obj.objectType)),
    t.text(Tag.UniqueIdentifier, obj.uniqueIdentifier),
    t.struct(Tag.Attributes, attributesToWire(obj.attributes, ctx.version)),
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

/**
 * Import: the object and its attributes exactly as supplied (no server-set values), under the
 * request's Unique Identifier. Replace Existing overwrites the caller's own object of that
 * identifier; key material, once stored, is never swapped under an identifier (a different
 * value is refused). Key Wrap Type Not Wrapped unwraps a wrapped key before it is stored.
 */
export async function importOp(payload: StructureItem, ctx: OpsContext): Promise<StructureItem> {
  only2x(ctx, 'Import');
  const uid = need(findText(payload, Tag.UniqueIdentifier), 'Unique Identifier');
  const objectType = objectTypeName(need(findEnum(payload, Tag.ObjectType), 'Object Type'));
  const replace = findBool(payload, Tag.ReplaceExisting) === true;
  const wrapType = findEnum(payload, Tag.KeyWrapType);
  const attributes = attributesFromV2(need(findStruct(payload, Tag.Attributes), 'Attributes'));
  const objItem = find(payload, objectTag[objectType]);
  if (objItem?.type !== 1) throw kmipError('InvalidField', `the ${objectType} is missing`, 'invalid-argument');
  const parts = objectFromTtlv(objectType, objItem);
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
