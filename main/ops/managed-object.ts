import { KeyholdError } from '../../shared/errors.js';
import { ItemType, type StructureItem, type TtlvItem } from '../kmip/ttlv/index.js';
import type { AttributeValue, KeyBlock, KeyMaterial, ManagedObject, ObjectType } from '../vault/model.js';
import { attributesFromV1, valueFromTtlv, valueToTtlv } from './attributes.js';
import type { ProtocolVersion } from './context.js';
import { find, findBytes, findEnum, findInt, findStruct, t } from './ttlv.js';
import { Tag, TagName, enumName, enumValue } from './vocabulary.js';

/** The tag of each object type's structure (KMIP 1.4 section 2.2). */
export const objectTag: Record<ObjectType, number> = {
  Certificate: Tag.Certificate,
  SymmetricKey: Tag.SymmetricKey,
  PublicKey: Tag.PublicKey,
  PrivateKey: Tag.PrivateKey,
  SplitKey: Tag.SplitKey,
  Template: Tag.Template,
  SecretData: Tag.SecretData,
  OpaqueObject: Tag.OpaqueObject,
  PGPKey: Tag.PGPKey,
  CertificateRequest: Tag.CertificateRequest,
};

function invalid(message: string): KeyholdError {
  return new KeyholdError('invalid-argument', message, { reason: 'Invalid Field' });
}

/** Object Type enumeration value -> model name. */
export function objectTypeName(value: number): ObjectType {
  const name = enumName('ObjectType', value);
  if (!(name in objectTag)) throw invalid(`unknown Object Type ${name}`);
  return name as ObjectType;
}

export function objectTypeValue(type: ObjectType): number {
  return enumValue('ObjectType', type) as number;
}

/** Reads a Key Block (KMIP 1.4 section 2.1.3). Attributes inside a 1.x Key Value are returned separately. */
export function keyBlockFromTtlv(kb: StructureItem): {
  keyBlock: KeyBlock;
  attributes: ReturnType<typeof attributesFromV1>;
} {
  const format = findEnum(kb, Tag.KeyFormatType);
  if (format === undefined) throw invalid('Key Format Type is missing');
  const keyValue = find(kb, Tag.KeyValue);
  let material: KeyMaterial = new Uint8Array();
  let attributes = {};
  if (keyValue?.type === ItemType.ByteString) {
    material = keyValue.value; // wrapped key bytes
  } else if (keyValue?.type === ItemType.Structure) {
    const km = find(keyValue, Tag.KeyMaterial);
    if (km?.type === ItemType.ByteString) material = km.value;
    else if (km?.type === ItemType.Structure) {
      const fields: { [field: string]: Uint8Array | bigint | number | string } = {};
      for (const c of km.value) {
        const name = TagName.get(c.tag) ?? `0x${c.tag.toString(16)}`;
        const v = valueFromTtlv(c, name);
        if (v instanceof Uint8Array || typeof v === 'bigint' || typeof v === 'number' || typeof v === 'string')
          fields[name] = v;
      }
      material = fields;
    }
    attributes = attributesFromV1(keyValue);
  }
  const alg = findEnum(kb, Tag.CryptographicAlgorithm);
  const wrapping = findStruct(kb, Tag.KeyWrappingData);
  const compression = findEnum(kb, Tag.KeyCompressionType);
  const keyBlock: KeyBlock = {
    keyFormatType: enumName('KeyFormatType', format),
    keyMaterial: material,
    ...(compression !== undefined ? { keyCompressionType: enumName('KeyCompressionType', compression) } : {}),
    ...(alg !== undefined ? { cryptographicAlgorithm: enumName('CryptographicAlgorithm', alg) } : {}),
    ...(findInt(kb, Tag.CryptographicLength) !== undefined
      ? { cryptographicLength: findInt(kb, Tag.CryptographicLength) }
      : {}),
    ...(wrapping
      ? { keyWrappingData: valueFromTtlv(wrapping, 'KeyWrappingData') as { [f: string]: AttributeValue } }
      : {}),
  };
  return { keyBlock, attributes };
}

export function keyBlockToTtlv(kb: KeyBlock): StructureItem {
  const m = kb.keyMaterial;
  let keyValue: TtlvItem;
  if (kb.keyWrappingData && m instanceof Uint8Array) {
    keyValue = t.bytes(Tag.KeyValue, m);
  } else {
    const material =
      m instanceof Uint8Array
        ? t.bytes(Tag.KeyMaterial, m)
        : t.struct(
            Tag.KeyMaterial,
            Object.entries(m).map(([k, v]) => valueToTtlv((Tag as Record<string, number>)[k] ?? 0, k, v)),
          );
    keyValue = t.struct(Tag.KeyValue, [material]);
  }
  return t.struct(Tag.KeyBlock, [
    t.enm(Tag.KeyFormatType, enumValue('KeyFormatType', kb.keyFormatType) ?? 1),
    kb.keyCompressionType
      ? t.enm(Tag.KeyCompressionType, enumValue('KeyCompressionType', kb.keyCompressionType) ?? 1)
      : undefined,
    keyValue,
    kb.cryptographicAlgorithm
      ? t.enm(Tag.CryptographicAlgorithm, enumValue('CryptographicAlgorithm', kb.cryptographicAlgorithm) ?? 0)
      : undefined,
    kb.cryptographicLength !== undefined ? t.int(Tag.CryptographicLength, kb.cryptographicLength) : undefined,
    kb.keyWrappingData ? valueToTtlv(Tag.KeyWrappingData, 'KeyWrappingData', kb.keyWrappingData) : undefined,
  ]);
}

/** The object structure of a Register request or a Get response. */
export function objectToTtlv(obj: ManagedObject, _v: ProtocolVersion): StructureItem {
  const tag = objectTag[obj.objectType];
  const kb = obj.keyBlock ? keyBlockToTtlv(obj.keyBlock) : undefined;
  switch (obj.objectType) {
    case 'Certificate':
      return t.struct(tag, [
        t.enm(Tag.CertificateType, enumValue('CertificateType', obj.valueType ?? 'X_509') ?? 1),
        t.bytes(Tag.CertificateValue, obj.value ?? new Uint8Array()),
      ]);
    case 'CertificateRequest':
      return t.struct(tag, [
        t.enm(Tag.CertificateRequestType, Number.parseInt((obj.valueType ?? '0x00000002').slice(2), 16) || 2),
        t.bytes(Tag.CertificateRequestValue, obj.value ?? new Uint8Array()),
      ]);
    case 'OpaqueObject':
      return t.struct(tag, [
        t.enm(Tag.OpaqueDataType, enumValue('OpaqueDataType', obj.valueType ?? '0x80000000') ?? 0x80000000),
        t.bytes(Tag.OpaqueDataValue, obj.value ?? new Uint8Array()),
      ]);
    case 'SecretData':
      return t.struct(tag, [
        t.enm(Tag.SecretDataType, enumValue('SecretDataType', obj.valueType ?? 'Password') ?? 1),
        kb,
      ]);
    case 'SplitKey': {
      const s = obj.splitKey ?? {};
      const fields = Object.entries(s).map(([k, v]) =>
        valueToTtlv((Tag as Record<string, number>)[k] ?? 0, k, v as AttributeValue),
      );
      return t.struct(tag, [...fields, kb]);
    }
    case 'PGPKey':
      return t.struct(tag, [t.int(Tag.PGPKeyVersion, Number(obj.valueType ?? 4)), kb]);
    default:
      return t.struct(tag, [kb]);
  }
}

/** Reads the object structure of a Register request into the parts of a ManagedObject. */
export function objectFromTtlv(
  type: ObjectType,
  item: StructureItem,
): Pick<ManagedObject, 'keyBlock' | 'value' | 'valueType' | 'splitKey'> & {
  attributes: ReturnType<typeof attributesFromV1>;
} {
  const kbItem = findStruct(item, Tag.KeyBlock);
  const kb = kbItem ? keyBlockFromTtlv(kbItem) : undefined;
  switch (type) {
    case 'Certificate':
      return {
        value: findBytes(item, Tag.CertificateValue) ?? new Uint8Array(),
        valueType: enumName('CertificateType', findEnum(item, Tag.CertificateType) ?? 1),
        attributes: {},
      };
    case 'CertificateRequest':
      return {
        value: findBytes(item, Tag.CertificateRequestValue) ?? new Uint8Array(),
        valueType: `0x${(findEnum(item, Tag.CertificateRequestType) ?? 2).toString(16).padStart(8, '0')}`,
        attributes: {},
      };
    case 'OpaqueObject':
      return {
        value: findBytes(item, Tag.OpaqueDataValue) ?? new Uint8Array(),
        valueType: enumName('OpaqueDataType', findEnum(item, Tag.OpaqueDataType) ?? 0x80000000),
        attributes: {},
      };
    case 'SecretData':
      return {
        keyBlock: kb?.keyBlock,
        valueType: enumName('SecretDataType', findEnum(item, Tag.SecretDataType) ?? 1),
        attributes: kb?.attributes ?? {},
      };
    case 'SplitKey': {
      const splitKey: { [f: string]: AttributeValue } = {};
      for (const c of item.value) {
        if (c.tag === Tag.KeyBlock) continue;
        const name = TagName.get(c.tag) ?? `0x${c.tag.toString(16)}`;
        splitKey[name] = valueFromTtlv(c, name);
      }
      return { keyBlock: kb?.keyBlock, splitKey, attributes: kb?.attributes ?? {} };
    }
    case 'PGPKey':
      return {
        keyBlock: kb?.keyBlock,
        valueType: String(findInt(item, Tag.PGPKeyVersion) ?? 4),
        attributes: kb?.attributes ?? {},
      };
    case 'Template':
      return { attributes: attributesFromV1(item) };
    default:
      if (!kb) throw invalid('Key Block is missing');
      return { keyBlock: kb.keyBlock, attributes: kb.attributes };
  }
}
