import {
  attributeValueSets,
  enumerationForTag,
  enumerationValue,
  enumerationValueName,
  maskForTag,
  Tag,
  tagByName,
  tagDefinition,
  tagName,
  type ItemTypeName,
  type ValueSet,
} from '../registry/index.js';
import { ItemType, type StructureItem, type TtlvItem } from '../ttlv/item.js';
import type { AttributeValue, Attributes } from '../../vault/model.js';
import { MessageError } from './errors.js';
import { asInteger, asText, Fields, item } from './fields.js';
import type { ProtocolVersion } from './types.js';

/**
 * The two attribute forms on the wire and the engine's one model (main/vault/model.ts,
 * INTEROP-NOTES 6):
 * - KMIP 1.x: Template-Attribute (and its Common/Private Key/Public Key forms) holding
 *   `Attribute { Attribute Name, Attribute Index?, Attribute Value }`; custom attributes are
 *   named "x-..." / "y-...".
 * - KMIP 2.x: Attributes (and Common/Private Key/Public Key Attributes) holding each attribute as
 *   its own tagged item; custom attributes as `Attribute { Vendor Identification, Attribute Name,
 *   Attribute Value }`, which the model names "<vendor>-<name>" ("x" + "ID" is "x-ID", as 1.x has it).
 * The model names attributes and enumeration values by their 2.x normalized names, whatever the
 * peer's version; values are typed as model.ts says.
 */

/** A single attribute instance: Add/Modify/Set/Delete Attribute, 1.x or 2.x. */
export interface AttributeInstance {
  name: string;
  /** The 1.x Attribute Index; 0 when absent. */
  index?: number;
  value: AttributeValue;
}

const templateTags = new Set<number>([
  Tag.TemplateAttribute,
  Tag.CommonTemplateAttribute,
  Tag.PrivateKeyTemplateAttribute,
  Tag.PublicKeyTemplateAttribute,
]);
const attributesTags = new Set<number>([
  Tag.Attributes,
  Tag.CommonAttributes,
  Tag.PrivateKeyAttributes,
  Tag.PublicKeyAttributes,
  Tag.NewAttribute,
  Tag.CurrentAttribute,
]);

/**
 * Reads attributes in either form into the model: a Template-Attribute or Attributes structure
 * (any of their variants), a single Attribute, or a list of items (a 1.x Get Attributes response
 * payload's Attribute items). Template names inside a 1.x Template-Attribute (references to
 * Template objects, deprecated) are not attributes and are left out. Repeated attributes keep
 * their order (by Attribute Index where given).
 */
export function attributesFromTtlv(source: TtlvItem | readonly TtlvItem[], _version: ProtocolVersion): Attributes {
  const instances: AttributeInstance[] = [];
  const visit = (it: TtlvItem): void => {
    if (it.type === ItemType.Structure && (templateTags.has(it.tag) || attributesTags.has(it.tag))) {
      for (const c of it.value) if (!(templateTags.has(it.tag) && c.tag === Tag.Name)) visit(c);
      return;
    }
    instances.push(attributeFromTtlv(it, _version));
  };
  if (Array.isArray(source)) for (const it of source as readonly TtlvItem[]) visit(it);
  else visit(source as TtlvItem);
  const out: Attributes = {};
  const indexed = new Map<string, { index: number; value: AttributeValue }[]>();
  for (const a of instances) {
    let list = indexed.get(a.name);
    if (list === undefined) indexed.set(a.name, (list = []));
    list.push({ index: a.index ?? list.length, value: a.value });
  }
  for (const [name, list] of indexed) out[name] = list.sort((a, b) => a.index - b.index).map((e) => e.value);
  return out;
}

/**
 * One attribute: a 1.x `Attribute { Attribute Name, Attribute Index?, Attribute Value }`, a 2.x
 * custom `Attribute { Vendor Identification, Attribute Name, Attribute Value }`, a 2.x New/Current
 * Attribute wrapper, or a 2.x attribute item by its own tag.
 */
export function attributeFromTtlv(it: TtlvItem, version: ProtocolVersion): AttributeInstance {
  if ((it.tag === Tag.NewAttribute || it.tag === Tag.CurrentAttribute) && it.type === ItemType.Structure) {
    if (it.value.length !== 1) throw new MessageError(`${tagName(it.tag)} must hold one attribute`, it.tag);
    return attributeFromTtlv(it.value[0]!, version);
  }
  if (it.tag === Tag.Attribute && it.type === ItemType.Structure) {
    const fields = new Fields(it);
    const vendor = fields.one(Tag.VendorIdentification);
    const rawName = asText(fields.required(Tag.AttributeName));
    const indexItem = fields.one(Tag.AttributeIndex);
    const valueItem = fields.one(Tag.AttributeValue);
    if (valueItem === undefined) {
      throw new MessageError(`Attribute "${rawName}" has no Attribute Value`, Tag.Attribute, 'Invalid Field');
    }
    if (vendor !== undefined) {
      return { name: `${asText(vendor)}-${rawName}`, value: fromItem(valueItem, undefined) };
    }
    const tag = tagByName(rawName);
    const name = tag === undefined ? rawName : tagName(tag);
    const sets = attributeValueSets(rawName);
    const value = fromItem(valueItem, sets?.enumeration);
    return indexItem === undefined ? { name, value } : { name, index: asInteger(indexItem), value };
  }
  return { name: tagName(it.tag), value: fromItem(it, enumerationForTag(it.tag)) };
}

function fromItem(it: TtlvItem, set: ValueSet | undefined): AttributeValue {
  switch (it.type) {
    case ItemType.Structure: {
      const obj: { [field: string]: AttributeValue } = {};
      const repeated = new Set<string>();
      for (const c of it.value) {
        const key = tagName(c.tag);
        const v = fromItem(c, enumerationForTag(c.tag));
        const prior = obj[key];
        if (prior === undefined) obj[key] = v;
        else if (repeated.has(key)) (prior as AttributeValue[]).push(v);
        else {
          obj[key] = [prior, v];
          repeated.add(key);
        }
      }
      return obj;
    }
    case ItemType.Enumeration:
      return enumerationValueName(set, it.value);
    case ItemType.DateTime:
      return new Date(Number(it.value) * 1000);
    case ItemType.DateTimeExtended:
      return new Date(Number(it.value / 1000n));
    default:
      return it.value;
  }
}

export interface AttributesToTtlvOptions {
  /**
   * The container's tag: for 1.x Template Attribute (default), Common/Private Key/Public Key
   * Template Attribute; for 2.x Attributes (default), Common/Private Key/Public Key Attributes.
   */
  tag?: number;
}

/** Writes the model in the form of `version`: a Template-Attribute for 1.x, Attributes for 2.x. */
export function attributesToTtlv(
  attrs: Attributes,
  version: ProtocolVersion,
  options: AttributesToTtlvOptions = {},
): StructureItem {
  const tag = options.tag ?? (version.major < 2 ? Tag.TemplateAttribute : Tag.Attributes);
  return item.structure(tag, attributeItems(attrs, version));
}

/** The attribute items alone (a 1.x Get Attributes response payload lists them unwrapped). */
export function attributeItems(attrs: Attributes, version: ProtocolVersion): TtlvItem[] {
  const out: TtlvItem[] = [];
  for (const [name, values] of Object.entries(attrs)) {
    values.forEach((value, index) => out.push(attributeToTtlv({ name, index, value }, version)));
  }
  return out;
}

/** One attribute in the form of `version` (1.x Attribute with name and index, 2.x tagged item). */
export function attributeToTtlv(a: AttributeInstance, version: ProtocolVersion): TtlvItem {
  const tag = isCustomName(a.name) ? undefined : tagByName(a.name);
  if (version.major < 2) {
    const def = tag === undefined ? undefined : tagDefinition(tag);
    const attributeName = tag === undefined ? a.name : (def?.name1x ?? def?.name ?? a.name);
    return item.structure(Tag.Attribute, [
      item.text(Tag.AttributeName, attributeName),
      a.index ? item.integer(Tag.AttributeIndex, a.index) : undefined,
      toItem(Tag.AttributeValue, a.value, tag),
    ]);
  }
  if (tag === undefined) {
    const dash = a.name.indexOf('-');
    return item.structure(Tag.Attribute, [
      item.text(Tag.VendorIdentification, dash > 0 ? a.name.slice(0, dash) : 'x'),
      item.text(Tag.AttributeName, dash > 0 ? a.name.slice(dash + 1) : a.name),
      toItem(Tag.AttributeValue, a.value, undefined),
    ]);
  }
  return toItem(tag, a.value, tag);
}

/** Custom attribute names: "x-..." and "y-..." (1.x), or anything the registry does not know. */
export function isCustomName(name: string): boolean {
  return /^[xy]-/.test(name) || tagByName(name) === undefined;
}

/**
 * A model value as an item with `tag`, typed by the registry's entry for `typeTag` (the
 * attribute's own tag; for a 1.x Attribute Value it differs from `tag`): a string is an
 * enumeration name where the tag takes an enumeration, a number an Interval or Long Integer where
 * the tag is one, a Date a Date-Time (Extended only where the tag is only that).
 */
function toItem(tag: number, value: AttributeValue, typeTag: number | undefined): TtlvItem {
  const def = typeTag === undefined ? undefined : tagDefinition(typeTag);
  const types: readonly ItemTypeName[] = def?.types ?? [];
  if (typeof value === 'string') {
    const set = typeTag === undefined ? undefined : enumerationForTag(typeTag);
    if (set !== undefined && types.includes('Enumeration')) {
      const v = enumerationValue(set, value);
      if (v !== undefined) return { tag, type: ItemType.Enumeration, value: v };
      if (!types.includes('TextString')) {
        throw new MessageError(`"${value}" is not a ${set.normalized} value`, typeTag, 'Invalid Field');
      }
    }
    return { tag, type: ItemType.TextString, value };
  }
  if (typeof value === 'number') {
    if (types.includes('Interval')) return { tag, type: ItemType.Interval, value };
    if (types.includes('LongInteger') && !types.includes('Integer')) {
      return { tag, type: ItemType.LongInteger, value: BigInt(value) };
    }
    if (types.includes('Enumeration') && !types.includes('Integer')) return { tag, type: ItemType.Enumeration, value };
    if (typeTag !== undefined && maskForTag(typeTag) !== undefined)
      return { tag, type: ItemType.Integer, value: value | 0 };
    return { tag, type: ItemType.Integer, value };
  }
  if (typeof value === 'bigint') {
    return { tag, type: types.includes('BigInteger') ? ItemType.BigInteger : ItemType.LongInteger, value };
  }
  if (typeof value === 'boolean') return { tag, type: ItemType.Boolean, value };
  if (value instanceof Date) {
    const ms = BigInt(value.getTime());
    return types.includes('DateTimeExtended') && !types.includes('DateTime')
      ? { tag, type: ItemType.DateTimeExtended, value: ms * 1000n }
      : { tag, type: ItemType.DateTime, value: ms >= 0n ? ms / 1000n : -((-ms + 999n) / 1000n) };
  }
  if (value instanceof Uint8Array) return { tag, type: ItemType.ByteString, value };
  if (Array.isArray(value)) {
    throw new MessageError(`a list is not a value of ${tagName(tag)}`, tag, 'Invalid Field');
  }
  const fields: TtlvItem[] = [];
  for (const [key, v] of Object.entries(value)) {
    const fieldTag = tagByName(key);
    if (fieldTag === undefined)
      throw new MessageError(`unknown field "${key}" in ${tagName(tag)}`, tag, 'Invalid Field');
    for (const one of Array.isArray(v) ? v : [v]) fields.push(toItem(fieldTag, one, fieldTag));
  }
  return { tag, type: ItemType.Structure, value: fields };
}

/**
 * Attribute Reference: a 1.x Attribute Name text, a 2.x Attribute Reference (the Tag enumeration
 * value, or `{ Vendor Identification, Attribute Name }` for a custom attribute). Returns the
 * model's name.
 */
export function attributeReferenceFromTtlv(it: TtlvItem): string {
  if (it.type === ItemType.TextString) {
    const tag = tagByName(it.value);
    return tag === undefined ? it.value : tagName(tag);
  }
  if (it.type === ItemType.Enumeration) return tagName(it.value);
  if (it.type === ItemType.Structure) {
    const fields = new Fields(it);
    return `${asText(fields.required(Tag.VendorIdentification))}-${asText(fields.required(Tag.AttributeName))}`;
  }
  throw new MessageError('an Attribute Reference must be a name, a tag or a structure', it.tag, 'Invalid Field');
}

/** The reference to a named attribute in the form of `version`. */
export function attributeReferenceToTtlv(name: string, version: ProtocolVersion): TtlvItem {
  const tag = isCustomName(name) ? undefined : tagByName(name);
  if (version.major < 2) {
    const def = tag === undefined ? undefined : tagDefinition(tag);
    return item.text(Tag.AttributeName, tag === undefined ? name : (def?.name1x ?? def?.name ?? name));
  }
  if (tag !== undefined) return { tag: Tag.AttributeReference, type: ItemType.Enumeration, value: tag };
  const dash = name.indexOf('-');
  return item.structure(Tag.AttributeReference, [
    item.text(Tag.VendorIdentification, dash > 0 ? name.slice(0, dash) : 'x'),
    item.text(Tag.AttributeName, dash > 0 ? name.slice(dash + 1) : name),
  ]);
}
