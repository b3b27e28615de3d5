import { KeyholdError } from '../../shared/errors.js';
import { ItemType, type StructureItem, type TtlvItem } from '../kmip/ttlv/index.js';
import type { AttributeValue, Attributes } from '../vault/model.js';
import { atLeast, type ProtocolVersion } from './context.js';
import { find, findAll, findInt, findStruct, findText, t } from './ttlv.js';
import { Tag, TagName, TagType, enumName, enumValue } from './vocabulary.js';

/**
 * The two attribute forms on the wire and the engine's one model (main/vault/model.ts):
 * 1.x `Attribute { Attribute Name, Attribute Index, Attribute Value }` inside Template Attribute,
 * 2.x `Attributes { <attribute by tag> ... }` with `Attribute { Vendor Identification, Attribute Name, Attribute Value }` for custom ones
 * (INTEROP-NOTES 6).
 */

const spacedExceptions: Record<string, string> = {
  X509CertificateIdentifier: 'X.509 Certificate Identifier',
  X509CertificateSubject: 'X.509 Certificate Subject',
  X509CertificateIssuer: 'X.509 Certificate Issuer',
  PKCS12FriendlyName: 'PKCS#12 Friendly Name',
  CertificateSubjectCN: 'Certificate Subject CN',
  CertificateSubjectO: 'Certificate Subject O',
  CertificateSubjectOU: 'Certificate Subject OU',
  CertificateSubjectEmail: 'Certificate Subject Email',
  CertificateSubjectC: 'Certificate Subject C',
  CertificateSubjectST: 'Certificate Subject ST',
  CertificateSubjectL: 'Certificate Subject L',
  CertificateSubjectUID: 'Certificate Subject UID',
  CertificateSubjectSerialNumber: 'Certificate Subject Serial Number',
  CertificateSubjectTitle: 'Certificate Subject Title',
  CertificateSubjectDC: 'Certificate Subject DC',
  CertificateSubjectDNQualifier: 'Certificate Subject DN Qualifier',
  CertificateIssuerCN: 'Certificate Issuer CN',
  CertificateIssuerO: 'Certificate Issuer O',
  CertificateIssuerOU: 'Certificate Issuer OU',
  CertificateIssuerEmail: 'Certificate Issuer Email',
  CertificateIssuerC: 'Certificate Issuer C',
  CertificateIssuerST: 'Certificate Issuer ST',
  CertificateIssuerL: 'Certificate Issuer L',
  CertificateIssuerUID: 'Certificate Issuer UID',
  CertificateIssuerSerialNumber: 'Certificate Issuer Serial Number',
  CertificateIssuerTitle: 'Certificate Issuer Title',
  CertificateIssuerDC: 'Certificate Issuer DC',
  CertificateIssuerDNQualifier: 'Certificate Issuer DN Qualifier',
};

/** "CryptographicAlgorithm" -> "Cryptographic Algorithm" (1.x Attribute Name). Custom names unchanged. */
export function spacedName(name: string): string {
  if (isCustomName(name)) return name;
  return spacedExceptions[name] ?? name.replace(/([a-z0-9])([A-Z])/g, '$1 $2');
}

/** "Cryptographic Algorithm" -> "CryptographicAlgorithm". Custom names unchanged. */
export function modelName(name: string): string {
  if (isCustomName(name)) return name;
  for (const [k, v] of Object.entries(spacedExceptions)) if (v === name) return k;
  return name.replace(/[\s.#-]/g, '');
}

export function isCustomName(name: string): boolean {
  return /^[xy]-/.test(name) || !(name.replace(/[\s.#-]/g, '') in Tag);
}

/** A TTLV value as a model value; `fieldName` names enumerations. */
export function valueFromTtlv(item: TtlvItem, fieldName: string): AttributeValue {
  switch (item.type) {
    case ItemType.Structure: {
      const out: { [field: string]: AttributeValue } = {};
      for (const child of item.value) {
        const name = TagName.get(child.tag) ?? `0x${child.tag.toString(16)}`;
        const v = valueFromTtlv(child, name);
        const prev = out[name];
        if (prev === undefined) out[name] = v;
        else if (Array.isArray(prev) && !(prev instanceof Uint8Array)) prev.push(v);
        else out[name] = [prev, v];
      }
      return out;
    }
    case ItemType.Enumeration:
      return enumName(fieldName, item.value);
    case ItemType.DateTime:
      return new Date(Number(item.value) * 1000);
    case ItemType.DateTimeExtended:
      return new Date(Number(item.value / 1000n));
    default:
      return item.value;
  }
}

/** A model value as TTLV with `tag`; the type comes from the tag (or the JS type for custom attributes). */
export function valueToTtlv(tag: number, fieldName: string, value: AttributeValue): TtlvItem {
  const type = TagType[fieldName];
  if (value instanceof Date) {
    return type === ItemType.DateTimeExtended
      ? { tag, type: ItemType.DateTimeExtended, value: BigInt(value.getTime()) * 1000n }
      : t.date(tag, value);
  }
  if (value instanceof Uint8Array) return t.bytes(tag, value);
  if (typeof value === 'boolean') return t.bool(tag, value);
  if (typeof value === 'bigint') return type === ItemType.BigInteger ? t.big(tag, value) : t.long(tag, value);
  if (typeof value === 'number') {
    if (type === ItemType.Enumeration) return t.enm(tag, value);
    if (type === ItemType.Interval) return t.interval(tag, value);
    if (type === ItemType.LongInteger) return t.long(tag, BigInt(value));
    return t.int(tag, value);
  }
  if (typeof value === 'string') {
    if (type === ItemType.Enumeration || (type === undefined && /^0x[0-9a-f]{8}$/i.test(value))) {
      const v = enumValue(fieldName, value);
      if (v === undefined)
        throw new KeyholdError('invalid-argument', `unknown ${fieldName} ${value}`, { reason: 'Invalid Field' });
      return t.enm(tag, v);
    }
    return t.text(tag, value);
  }
  if (Array.isArray(value)) {
    throw new KeyholdError('internal', `a list cannot be one TTLV item (${fieldName})`);
  }
  const children: TtlvItem[] = [];
  for (const [k, v] of Object.entries(value)) {
    const childTag = (Tag as Record<string, number>)[k] ?? (k.startsWith('0x') ? Number.parseInt(k, 16) : undefined);
    if (childTag === undefined) continue;
    const list = Array.isArray(v) ? v : [v];
    for (const one of list) children.push(valueToTtlv(childTag, k, one));
  }
  return t.struct(tag, children);
}

/** 1.x: the Attribute structures of a Template Attribute (or any structure holding Attribute items). */
export function attributesFromV1(parent: StructureItem | undefined): Attributes {
  const out: Attributes = {};
  for (const a of findAll(parent, Tag.Attribute)) {
    if (a.type !== ItemType.Structure) continue;
    addV1(out, a);
  }
  return out;
}

/** One 1.x Attribute into the model. */
export function addV1(out: Attributes, a: StructureItem): { name: string; index: number; value: AttributeValue } {
  const wireName = findText(a, Tag.AttributeName);
  if (wireName === undefined)
    throw new KeyholdError('invalid-argument', 'Attribute Name is missing', { reason: 'Invalid Field' });
  const name = modelName(wireName);
  const index = findInt(a, Tag.AttributeIndex) ?? out[name]?.length ?? 0;
  const valueItem = find(a, Tag.AttributeValue);
  const value = valueItem ? valueFromTtlv(valueItem, name) : '';
  (out[name] ??= [])[index] = value;
  return { name, index, value };
}

/** 2.x: an Attributes (or Common/Private/Public Attributes) structure. */
export function attributesFromV2(parent: StructureItem | undefined): Attributes {
  const out: Attributes = {};
  if (!parent) return out;
  for (const item of parent.value) {
    const { name, value } = attributeFromV2Item(item);
    (out[name] ??= []).push(value);
  }
  return out;
}

/** One 2.x attribute item (a tagged value, or a Vendor Attribute) into name and value. */
export function attributeFromV2Item(item: TtlvItem): { name: string; value: AttributeValue } {
  if (item.tag === Tag.Attribute && item.type === ItemType.Structure) {
    const vendor = findText(item, Tag.VendorIdentification) ?? 'x';
    const name = findText(item, Tag.AttributeName) ?? '';
    const valueItem = find(item, Tag.AttributeValue);
    return { name: `${vendor}-${name}`, value: valueItem ? valueFromTtlv(valueItem, name) : '' };
  }
  const name = TagName.get(item.tag) ?? `0x${item.tag.toString(16)}`;
  return { name, value: valueFromTtlv(item, name) };
}

/** Reads whichever form the request used: Template Attribute (1.x) or Attributes (2.x). */
export function requestAttributes(payload: StructureItem, v1Tag: number, v2Tag: number): Attributes {
  const v2 = findStruct(payload, v2Tag);
  if (v2) return attributesFromV2(v2);
  const v1 = findStruct(payload, v1Tag);
  return attributesFromV1(v1);
}

/** One model attribute instance as a 1.x Attribute structure. */
export function attributeV1(name: string, index: number, value: AttributeValue): StructureItem {
  return t.struct(Tag.Attribute, [
    t.text(Tag.AttributeName, spacedName(name)),
    index > 0 ? t.int(Tag.AttributeIndex, index) : undefined,
    valueToTtlv(Tag.AttributeValue, name, value),
  ]);
}

/** One model attribute instance as a 2.x item (a tagged value, or a Vendor Attribute for custom names). */
export function attributeV2(name: string, value: AttributeValue): TtlvItem {
  const tag = (Tag as Record<string, number>)[name];
  if (tag !== undefined && !isCustomName(name)) return valueToTtlv(tag, name, value);
  const dash = name.indexOf('-');
  return t.struct(Tag.Attribute, [
    t.text(Tag.VendorIdentification, dash > 0 ? name.slice(0, dash) : 'x'),
    t.text(Tag.AttributeName, dash > 0 ? name.slice(dash + 1) : name),
    valueToTtlv(Tag.AttributeValue, name, value),
  ]);
}

/**
 * The version an attribute first appeared in; a response never carries a newer one
 * (INTEROP-NOTES 1: Cosmian returned the 2.x-era Fresh to a 1.0 client, Cosmian #687).
 */
const since: Record<string, [number, number]> = {
  CertificateLength: [1, 1],
  X509CertificateIdentifier: [1, 1],
  X509CertificateSubject: [1, 1],
  X509CertificateIssuer: [1, 1],
  DigitalSignatureAlgorithm: [1, 1],
  Fresh: [1, 1],
  AlternativeName: [1, 2],
  KeyValuePresent: [1, 2],
  KeyValueLocation: [1, 2],
  OriginalCreationDate: [1, 2],
  RandomNumberGenerator: [1, 3],
  PKCS12FriendlyName: [1, 4],
  Description: [1, 4],
  Comment: [1, 4],
  Sensitive: [1, 4],
  AlwaysSensitive: [1, 4],
  Extractable: [1, 4],
  NeverExtractable: [1, 4],
  ReplaceExisting: [1, 4],
};
const v10 = new Set([
  'UniqueIdentifier',
  'Name',
  'ObjectType',
  'CryptographicAlgorithm',
  'CryptographicLength',
  'CryptographicParameters',
  'CryptographicDomainParameters',
  'CertificateType',
  'CertificateIdentifier',
  'CertificateSubject',
  'CertificateIssuer',
  'Digest',
  'OperationPolicyName',
  'CryptographicUsageMask',
  'LeaseTime',
  'UsageLimits',
  'State',
  'InitialDate',
  'ActivationDate',
  'ProcessStartDate',
  'ProtectStopDate',
  'DeactivationDate',
  'DestroyDate',
  'CompromiseOccurrenceDate',
  'CompromiseDate',
  'RevocationReason',
  'ArchiveDate',
  'ObjectGroup',
  'Link',
  'ApplicationSpecificInformation',
  'ContactInformation',
  'LastChangeDate',
]);
/** Removed in 2.0 (INTEROP-NOTES 6). */
const removedIn2 = new Set(['OperationPolicyName', 'CertificateIdentifier', 'CertificateSubject', 'CertificateIssuer']);

export function attributeExistsIn(name: string, v: ProtocolVersion): boolean {
  if (isCustomName(name)) return true;
  if (v.major >= 2) return !removedIn2.has(name);
  if (v10.has(name)) return true;
  const s = since[name];
  return s !== undefined && atLeast(v, s[0], s[1]);
}

/** Attributes of the model as wire items for the version: 1.x Attribute list or 2.x items. */
export function attributesToWire(attrs: Attributes, v: ProtocolVersion, only?: readonly string[]): TtlvItem[] {
  const names = only ?? Object.keys(attrs);
  const out: TtlvItem[] = [];
  for (const name of names) {
    const values = attrs[name];
    if (!values || !attributeExistsIn(name, v)) continue;
    values.forEach((value, index) => {
      if (value === undefined) return;
      out.push(v.major >= 2 ? attributeV2(name, value) : attributeV1(name, index, value));
    });
  }
  return out;
}
