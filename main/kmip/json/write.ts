// TTLV items -> KMIP JSON encoding (Additional Message Encodings 1.0 section 4.1.6):
// {"tag": name, "type": type, "value": ...}; "type" is left out for Structures.
import { maskComponents, Tag, tagName } from '../registry/index.js';
import { ItemType, type TtlvItem } from '../ttlv/index.js';
import { declaredMajor, maskFor } from '../xml/names.js';
import type { PlaceholderMap } from '../xml/placeholders.js';
import { bigIntegerToHex, formatHex } from '../xml/values.js';
import { typeNames, valueText } from '../xml/write.js';

/** One item in the JSON encoding. */
export interface KmipJson {
  tag: string;
  type?: string;
  value: KmipJson[] | string | number | boolean | null;
}

export interface JsonWriteOptions {
  /** Protocol major version whose names to use; default: as the message declares, else 2. */
  major?: number;
  /** Items to write as the placeholder they were parsed from. */
  placeholders?: PlaceholderMap;
}

/** The largest integer a JSON Number carries exactly (section 4.1.6.5: beyond that, hex). */
const maxSafe = BigInt(Number.MAX_SAFE_INTEGER);

export function toKmipJson(item: TtlvItem, options: JsonWriteOptions = {}): KmipJson {
  const major = options.major ?? declaredMajor(item) ?? 2;
  return toJson(item, undefined, major, options.placeholders);
}

/** One message as JSON text (indented by `space`, default none). */
export function writeKmipJson(item: TtlvItem, options: JsonWriteOptions & { space?: number } = {}): string {
  return JSON.stringify(toKmipJson(item, options), null, options.space);
}

function toJson(item: TtlvItem, attributeName: string | undefined, major: number, kept?: PlaceholderMap): KmipJson {
  const tag = tagName(item.tag, major);
  if (item.type === ItemType.Structure) {
    let sibling: string | undefined;
    const value = item.value.map((child) => {
      const j = toJson(child, sibling, major, kept);
      if (child.tag === Tag.AttributeName && child.type === ItemType.TextString) sibling = child.value;
      return j;
    });
    return { tag, value };
  }
  const type = typeNames[item.type];
  const placeholder = kept?.get(item);
  if (placeholder !== undefined) return { tag, type, value: placeholder };
  return { tag, type, value: jsonValue(item, attributeName, major) };
}

/** The JSON value of a non-Structure item: numbers and booleans as JSON ones, the rest as in XML. */
function jsonValue(item: TtlvItem, attributeName: string | undefined, major: number): string | number | boolean {
  switch (item.type) {
    case ItemType.Integer: {
      const mask = item.value === 0 ? undefined : maskFor(item.tag, attributeName);
      return mask === undefined ? item.value : maskComponents(mask, item.value, major).join('|');
    }
    case ItemType.LongInteger:
      return item.value <= maxSafe && item.value >= -maxSafe ? Number(item.value) : formatHex(item.value, 8);
    case ItemType.BigInteger:
      return '0x' + bigIntegerToHex(item.value);
    case ItemType.Boolean:
    case ItemType.Interval:
      return item.value;
    default:
      // Enumeration names, Text Strings, hex Byte Strings, ISO Date-Times: written as XML writes them.
      return valueText(item, attributeName, major);
  }
}
