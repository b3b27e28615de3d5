import { ItemType, type StructureItem } from '../kmip/ttlv/index.js';
import type { AttributeValue, ManagedObject } from '../vault/model.js';
import { addV1, attributeFromV2Item, attributeV1, isCustomName } from './attributes.js';
import type { OpsContext } from './context.js';
import { kmipError } from './errors.js';
import { loadObject, readOnly, touch } from './objects.js';
import { find, findEnum, findInt, findStruct, findText, t } from './ttlv.js';
import { Tag, TagName, enumName } from './vocabulary.js';
import { requestedNames } from './get.js';

/** Attributes that hold one value only (KMIP 1.4 section 3: "Multiple instances permitted: No"). */
const multiValued = new Set([
  'Name',
  'Link',
  'ObjectGroup',
  'ApplicationSpecificInformation',
  'AlternativeName',
  'KeyValueLocation',
  'CryptographicParameters',
  'CryptographicDomainParameters',
  'Digest',
  'CertificateIdentifier',
  'X509CertificateIdentifier',
]);

function isMulti(name: string): boolean {
  return multiValued.has(name) || isCustomName(name);
}

/** The one attribute of an Add/Modify/Set request: 1.x Attribute, or 2.x New Attribute. */
function oneAttribute(
  payload: StructureItem,
  v2Tag: number,
): { name: string; index: number | undefined; value: AttributeValue } {
  const v1 = findStruct(payload, Tag.Attribute);
  if (v1) {
    const scratch = {};
    const parsed = addV1(scratch, v1);
    return { name: parsed.name, index: findInt(v1, Tag.AttributeIndex), value: parsed.value };
  }
  const v2 = findStruct(payload, v2Tag);
  const item = v2?.value[0];
  if (!item) throw kmipError('InvalidField', 'the attribute is missing', 'invalid-argument');
  const { name, value } = attributeFromV2Item(item);
  return { name, index: undefined, value };
}

function answer(
  obj: ManagedObject,
  ctx: OpsContext,
  name?: string,
  index?: number,
  value?: AttributeValue,
): StructureItem {
  return t.struct(Tag.ResponsePayload, [
    t.text(Tag.UniqueIdentifier, obj.uniqueIdentifier),
    ctx.version.major < 2 && name !== undefined && value !== undefined
      ? attributeV1(name, index ?? 0, value)
      : undefined,
  ]);
}

function checkWritable(name: string, obj: ManagedObject): void {
  // Activation Date may change only while Pre-Active (KMIP 1.4 section 3.24).
  if (name === 'ActivationDate' && obj.attributes.State?.[0] !== 'PreActive') {
    throw kmipError('WrongKeyLifecycleState', 'Activation Date can change only while Pre-Active', 'illegal-state');
  }
  if (readOnly.has(name) && !(name === 'ActivationDate' && obj.attributes.State?.[0] === 'PreActive')) {
    throw kmipError('AttributeReadOnly', `${name} cannot be changed by a client`, 'permission-denied');
  }
}

/** Add Attribute (KMIP 1.4 section 4.14). */
export async function addAttribute(payload: StructureItem, ctx: OpsContext): Promise<StructureItem> {
  const obj = await loadObject(payload, ctx);
  const { name, value } = oneAttribute(payload, Tag.NewAttribute);
  checkWritable(name, obj);
  const list = (obj.attributes[name] ??= []);
  if (list.length > 0 && !isMulti(name))
    throw kmipError('AttributeSingleValued', `${name} holds one value`, 'invalid-argument');
  // A Name the object already carries is not added twice (KMIP 2.1 section 6.1.2 errors).
  if (name === 'Name' && list.some((v) => JSON.stringify(v) === JSON.stringify(value)))
    throw kmipError('NonUniqueNameAttribute', 'the object already has this Name', 'invalid-argument');
  list.push(value);
  touch(obj, ctx);
  await ctx.store.put(obj, ctx.identity);
  return answer(obj, ctx, name, list.length - 1, value);
}

/** Modify Attribute (KMIP 1.4 section 4.15; 2.x Current Attribute / New Attribute). */
export async function modifyAttribute(payload: StructureItem, ctx: OpsContext): Promise<StructureItem> {
  const obj = await loadObject(payload, ctx);
  const { name, index, value } = oneAttribute(payload, Tag.NewAttribute);
  checkWritable(name, obj);
  const list = obj.attributes[name];
  if (!list || list.length === 0) throw kmipError('AttributeNotFound', `the object has no ${name}`, 'not-found');
  let at = index ?? 0;
  const current = findStruct(payload, Tag.CurrentAttribute)?.value[0];
  if (current) {
    const cur = attributeFromV2Item(current).value;
    at = list.findIndex((v) => JSON.stringify(v) === JSON.stringify(cur));
    if (at < 0) throw kmipError('AttributeNotFound', `no such ${name} value`, 'not-found');
  }
  if (at >= list.length) throw kmipError('ItemNotFound', `no ${name} at index ${at}`, 'not-found');
  list[at] = value;
  touch(obj, ctx);
  await ctx.store.put(obj, ctx.identity);
  return answer(obj, ctx, name, at, value);
}

/** Set Attribute (KMIP 2.0 section 6.1.48): replaces every instance. */
export async function setAttribute(payload: StructureItem, ctx: OpsContext): Promise<StructureItem> {
  const obj = await loadObject(payload, ctx);
  const { name, value } = oneAttribute(payload, Tag.NewAttribute);
  checkWritable(name, obj);
  obj.attributes[name] = [value];
  touch(obj, ctx);
  await ctx.store.put(obj, ctx.identity);
  return answer(obj, ctx);
}

/** Delete Attribute (KMIP 1.4 section 4.16; 2.x Current Attribute or Attribute Reference). */
export async function deleteAttribute(payload: StructureItem, ctx: OpsContext): Promise<StructureItem> {
  const obj = await loadObject(payload, ctx);
  let name: string;
  let at: number | 'all' = 0;
  const wireName = findText(payload, Tag.AttributeName);
  const current = findStruct(payload, Tag.CurrentAttribute)?.value[0];
  if (wireName !== undefined) {
    name = requestedNames(payload)?.[0] ?? wireName;
    at = findInt(payload, Tag.AttributeIndex) ?? 0;
  } else if (current) {
    const a = attributeFromV2Item(current);
    name = a.name;
    at = (obj.attributes[name] ?? []).findIndex((v) => JSON.stringify(v) === JSON.stringify(a.value));
    if (at < 0) throw kmipError('AttributeNotFound', `no such ${name} value`, 'not-found');
  } else {
    const ref = requestedNames(payload)?.[0];
    if (ref === undefined) throw kmipError('InvalidField', 'no attribute named', 'invalid-argument');
    name = ref;
    at = 'all';
  }
  checkWritable(name, obj);
  const list = obj.attributes[name];
  if (!list || list.length === 0 || (at !== 'all' && at >= list.length)) {
    throw kmipError('AttributeNotFound', `the object has no ${name}`, 'not-found');
  }
  const removed = at === 'all' ? list[0] : list[at];
  if (at === 'all' || list.length === 1) delete obj.attributes[name];
  else list.splice(at, 1);
  touch(obj, ctx);
  await ctx.store.put(obj, ctx.identity);
  return answer(obj, ctx, name, at === 'all' ? 0 : at, removed);
}

/** Adjust Attribute (KMIP 2.1 section 6.1.2): Increment / Decrement / Negate a numeric attribute. */
export async function adjustAttribute(payload: StructureItem, ctx: OpsContext): Promise<StructureItem> {
  const obj = await loadObject(payload, ctx);
  const ref = find(payload, Tag.AttributeReference);
  const name =
    ref?.type === ItemType.Enumeration ? (TagName.get(ref.value) ?? '') : (requestedNames(payload)?.[0] ?? '');
  checkWritable(name, obj);
  const type = enumName('AdjustmentType', findEnum(payload, Tag.AdjustmentType) ?? 1);
  const by = find(payload, Tag.AdjustmentValue);
  const list = obj.attributes[name];
  const cur = list?.[0];
  if (typeof cur === 'number') {
    const delta = by && (by.type === ItemType.Integer || by.type === ItemType.Interval) ? by.value : 1;
    (list as AttributeValue[])[0] = type === 'Negate' ? -cur : type === 'Decrement' ? cur - delta : cur + delta;
  } else if (typeof cur === 'bigint') {
    const delta = by && (by.type === ItemType.LongInteger || by.type === ItemType.BigInteger) ? by.value : 1n;
    (list as AttributeValue[])[0] = type === 'Negate' ? -cur : type === 'Decrement' ? cur - delta : cur + delta;
  } else if (cur instanceof Date) {
    const delta = by && (by.type === ItemType.Interval || by.type === ItemType.Integer) ? by.value : 0;
    (list as AttributeValue[])[0] = new Date(cur.getTime() + (type === 'Decrement' ? -delta : delta) * 1000);
  } else {
    throw kmipError('AttributeNotFound', `the object has no numeric ${name}`, 'not-found');
  }
  touch(obj, ctx);
  await ctx.store.put(obj, ctx.identity);
  return answer(obj, ctx);
}
