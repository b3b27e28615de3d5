import { exportKeyMaterial, importKeyMaterial } from '../crypto/index.js';
import { ItemType, type StructureItem, type TtlvItem } from '../kmip/ttlv/index.js';
import type { KeyBlock, ManagedObject } from '../vault/model.js';
import { attributeExistsIn, attributesToWire, isCustomName, modelName, spacedName } from './attributes.js';
import type { OpsContext } from './context.js';
import { kmipError } from './errors.js';
import { readKeyWrappingSpecification, unwrapKeyBlock, wrapKeyBlock } from './key-wrapping.js';
import { objectToTtlv, objectTypeValue } from './managed-object.js';
import { loadObject, stateOf } from './objects.js';
import { findAll, findEnum, findText, t } from './ttlv.js';
import { Tag, TagName, enumName } from './vocabulary.js';

/** Converts a key block to the requested Key Format Type (Raw <-> Transparent Symmetric, PKCS#1/8, X.509...). */
function convertKeyBlock(obj: ManagedObject, kb: KeyBlock, wanted: string): KeyBlock {
  if (wanted === kb.keyFormatType) return kb;
  const m = kb.keyMaterial;
  if (obj.objectType === 'SymmetricKey') {
    if (wanted === 'TransparentSymmetricKey' && m instanceof Uint8Array)
      return { ...kb, keyFormatType: wanted, keyMaterial: { Key: m } };
    if (wanted === 'Raw' && !(m instanceof Uint8Array) && m.Key instanceof Uint8Array)
      return { ...kb, keyFormatType: wanted, keyMaterial: m.Key };
  }
  if (obj.objectType === 'PrivateKey' || obj.objectType === 'PublicKey') {
    try {
      const key = importKeyMaterial(obj.objectType, kb.keyFormatType, m, kb.cryptographicAlgorithm);
      return { ...kb, keyFormatType: wanted, keyMaterial: exportKeyMaterial(key, wanted) };
    } catch {
      // falls through to the KMIP error below
    }
  }
  throw kmipError('KeyFormatTypeNotSupported', `cannot return this key as ${wanted}`, 'unsupported');
}

/**
 * The object as Get and Export return it (KMIP 1.4 section 4.11 / 2.1 section 6.1.19): in the
 * requested Key Format Type, unwrapped when Key Wrap Type is Not Wrapped, and wrapped when the
 * request has a Key Wrapping Specification. The stored object is not changed. A Sensitive key
 * leaves only wrapped; a key that is not Extractable never leaves.
 */
export async function servedObject(
  obj: ManagedObject,
  payload: StructureItem,
  ctx: OpsContext,
  options: { destroyed: 'refuse' | 'metadata' } = { destroyed: 'refuse' },
): Promise<ManagedObject> {
  const state = stateOf(obj);
  const destroyed = state === 'Destroyed' || state === 'DestroyedCompromised';
  if (destroyed && obj.keyBlock === undefined && obj.value === undefined) {
    if (options.destroyed === 'metadata') return obj;
    throw kmipError('ObjectDestroyed', `object ${obj.uniqueIdentifier} is destroyed`, 'illegal-state');
  }
  const wrapping = readKeyWrappingSpecification(payload);
  if (wrapping && !obj.keyBlock)
    throw kmipError('InvalidObjectType', `a ${obj.objectType} has no Key Block to wrap`, 'invalid-argument');
  if (obj.keyBlock && obj.attributes.Extractable?.[0] === false)
    throw kmipError('NotExtractable', `object ${obj.uniqueIdentifier} is not extractable`, 'permission-denied');
  if (obj.attributes.Sensitive?.[0] === true && !wrapping)
    throw kmipError('Sensitive', 'a sensitive key cannot be returned unwrapped', 'permission-denied');
  const format = findEnum(payload, Tag.KeyFormatType);
  const wrapType = findEnum(payload, Tag.KeyWrapType);
  let kb = obj.keyBlock;
  if (!kb) return obj;
  if (
    kb.keyWrappingData &&
    (wrapping || (wrapType !== undefined && enumName('KeyWrapType', wrapType) === 'NotWrapped'))
  )
    kb = await unwrapKeyBlock(kb, ctx);
  if (format !== undefined) {
    if (kb.keyWrappingData)
      throw kmipError('KeyFormatTypeNotSupported', 'a key stored wrapped is returned as registered', 'unsupported');
    kb = convertKeyBlock(obj, kb, enumName('KeyFormatType', format));
  }
  if (wrapping) kb = await wrapKeyBlock(obj, kb, wrapping, ctx);
  return kb === obj.keyBlock ? obj : { ...obj, keyBlock: kb };
}

/** Get (KMIP 1.4 section 4.11). */
export async function get(payload: StructureItem, ctx: OpsContext): Promise<StructureItem> {
  const obj = await loadObject(payload, ctx);
  const out = await servedObject(obj, payload, ctx);
  const response = t.struct(Tag.ResponsePayload, [
    t.enm(Tag.ObjectType, objectTypeValue(obj.objectType)),
    t.text(Tag.UniqueIdentifier, obj.uniqueIdentifier),
    objectToTtlv(out, ctx.version),
  ]);
  if (obj.keyBlock && obj.attributes.Fresh?.[0] === true) {
    // Fresh (KMIP 1.4 section 3.34): False once the key material has been served, stored once.
    obj.attributes.Fresh = [false];
    await ctx.store.put(obj, ctx.identity);
  }
  return response;
}

/** The attribute names a request asks for: 1.x Attribute Name or 2.x Attribute Reference. */
export function requestedNames(payload: StructureItem): string[] | undefined {
  const names: string[] = [];
  for (const n of findAll(payload, Tag.AttributeName))
    if (n.type === ItemType.TextString) names.push(modelName(n.value));
  for (const r of findAll(payload, Tag.AttributeReference)) {
    if (r.type === ItemType.Enumeration) names.push(TagName.get(r.value) ?? `0x${r.value.toString(16)}`);
    else if (r.type === ItemType.Structure)
      names.push(`${findText(r, Tag.VendorIdentification) ?? 'x'}-${findText(r, Tag.AttributeName) ?? ''}`);
  }
  return names.length > 0 ? names : undefined;
}

/** Get Attributes (KMIP 1.4 section 4.12). */
export async function getAttributes(payload: StructureItem, ctx: OpsContext): Promise<StructureItem> {
  const obj = await loadObject(payload, ctx);
  const names = requestedNames(payload);
  const items = attributesToWire(obj.attributes, ctx.version, names);
  return t.struct(Tag.ResponsePayload, [
    t.text(Tag.UniqueIdentifier, obj.uniqueIdentifier),
    ...(ctx.version.major >= 2 ? [t.struct(Tag.Attributes, items)] : items),
  ]);
}

/** Get Attribute List (KMIP 1.4 section 4.13). */
export async function getAttributeList(payload: StructureItem, ctx: OpsContext): Promise<StructureItem> {
  const obj = await loadObject(payload, ctx);
  const names = Object.keys(obj.attributes).filter((n) => (obj.attributes[n]?.length ?? 0) > 0);
  const present = new Set<string>();
  const out: TtlvItem[] = [];
  for (const name of names) {
    if (present.has(name)) continue;
    present.add(name);
    if (!attributeExistsIn(name, ctx.version)) continue;
    if (ctx.version.major >= 2) {
      const tag = (Tag as Record<string, number>)[name];
      if (tag !== undefined && !isCustomName(name)) out.push(t.enm(Tag.AttributeReference, tag));
      else {
        const dash = name.indexOf('-');
        out.push(
          t.struct(Tag.AttributeReference, [
            t.text(Tag.VendorIdentification, name.slice(0, Math.max(dash, 0)) || 'x'),
            t.text(Tag.AttributeName, name.slice(dash + 1)),
          ]),
        );
      }
    } else {
      out.push(t.text(Tag.AttributeName, spacedName(name)));
    }
  }
  return t.struct(Tag.ResponsePayload, [t.text(Tag.UniqueIdentifier, obj.uniqueIdentifier), ...out]);
}
