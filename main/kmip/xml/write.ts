// TTLV items -> KMIP XML encoding (Additional Message Encodings 1.0 section 6.1), in the layout
// of the OASIS test cases: normalized tag names, names for enumerations and masks, hex for Byte
// Strings and Big Integers, xsd:dateTime for Date-Times, <TTLV tag="0x540001"> for unknown tags.
import { enumerationValueName, maskComponents, Tag, tagName } from '../registry/index.js';
import { ItemType, type TtlvItem } from '../ttlv/index.js';
import { declaredMajor, enumerationFor, maskFor } from './names.js';
import type { PlaceholderMap } from './placeholders.js';
import { bigIntegerToHex, bytesToHex, formatHex, formatIsoMicros } from './values.js';

export interface XmlWriteOptions {
  /**
   * Protocol major version whose names to use (1.x and 2.x spell a few names differently).
   * Default: the version each message declares in its header, else 2.
   */
  major?: number;
  /** Indentation per level; default two spaces. */
  indent?: string;
  /** Wrap the items in a <KMIP> element, as the test-case files do. */
  root?: boolean;
  /** Items to write as the placeholder they were parsed from (see XmlParseOptions.keptPlaceholders). */
  placeholders?: PlaceholderMap;
}

export const typeNames: Readonly<Record<ItemType, string>> = {
  [ItemType.Structure]: 'Structure',
  [ItemType.Integer]: 'Integer',
  [ItemType.LongInteger]: 'LongInteger',
  [ItemType.BigInteger]: 'BigInteger',
  [ItemType.Enumeration]: 'Enumeration',
  [ItemType.Boolean]: 'Boolean',
  [ItemType.TextString]: 'TextString',
  [ItemType.ByteString]: 'ByteString',
  [ItemType.DateTime]: 'DateTime',
  [ItemType.Interval]: 'Interval',
  [ItemType.DateTimeExtended]: 'DateTimeExtended',
};

export function escapeXmlAttribute(text: string): string {
  return text.replace(/[&<>"\n\r\t]/g, (c) => {
    switch (c) {
      case '&':
        return '&amp;';
      case '<':
        return '&lt;';
      case '>':
        return '&gt;';
      case '"':
        return '&quot;';
      default:
        return `&#${c.charCodeAt(0)};`;
    }
  });
}

/** Writes one item or a list of items (each message on its own, separated by a blank line). */
export function writeKmipXml(items: TtlvItem | readonly TtlvItem[], options: XmlWriteOptions = {}): string {
  const list: readonly TtlvItem[] = Array.isArray(items) ? items : [items as TtlvItem];
  const indent = options.indent ?? '  ';
  const out: string[] = [];
  const base = options.root ? indent : '';
  for (const item of list) {
    const major = options.major ?? declaredMajor(item) ?? 2;
    writeItem(item, base, undefined, { indent, major, placeholders: options.placeholders }, out);
    if (list.length > 1 || options.root) out.push('');
  }
  const body = out.join('\n');
  return options.root ? `<KMIP>\n${body}</KMIP>\n` : body.endsWith('\n') ? body : body + '\n';
}

interface Ctx {
  indent: string;
  major: number;
  placeholders: PlaceholderMap | undefined;
}

function writeItem(item: TtlvItem, pad: string, attributeName: string | undefined, ctx: Ctx, out: string[]): void {
  const name = tagName(item.tag, ctx.major);
  const open = name.startsWith('0x') ? `TTLV tag="${name}"` : name;
  const close = name.startsWith('0x') ? 'TTLV' : name;
  if (item.type === ItemType.Structure) {
    if (item.value.length === 0) {
      out.push(`${pad}<${open}/>`);
      return;
    }
    out.push(`${pad}<${open}>`);
    let sibling: string | undefined;
    for (const child of item.value) {
      writeItem(child, pad + ctx.indent, sibling, ctx, out);
      if (child.tag === Tag.AttributeName && child.type === ItemType.TextString) sibling = child.value;
    }
    out.push(`${pad}</${close}>`);
    return;
  }
  const kept = ctx.placeholders?.get(item);
  const value = kept ?? valueText(item, attributeName, ctx.major);
  out.push(`${pad}<${open} type="${typeNames[item.type]}" value="${escapeXmlAttribute(value)}"/>`);
}

/** The `value` attribute of a non-Structure item. */
export function valueText(item: TtlvItem, attributeName: string | undefined, major: number): string {
  switch (item.type) {
    case ItemType.Integer: {
      const mask = item.value === 0 ? undefined : maskFor(item.tag, attributeName);
      return mask === undefined ? String(item.value) : maskComponents(mask, item.value, major).join(' ');
    }
    case ItemType.LongInteger:
    case ItemType.Interval:
      return String(item.value);
    case ItemType.BigInteger:
      return bigIntegerToHex(item.value);
    case ItemType.Enumeration:
      return enumerationValueName(enumerationFor(item.tag, attributeName), item.value, major);
    case ItemType.Boolean:
      return item.value ? 'true' : 'false';
    case ItemType.TextString:
      return item.value;
    case ItemType.ByteString:
      return bytesToHex(item.value);
    case ItemType.DateTime:
      return formatIsoMicros(item.value * 1_000_000n, false) ?? formatHex(item.value, 8);
    case ItemType.DateTimeExtended:
      return formatIsoMicros(item.value, true) ?? formatHex(item.value, 8);
    case ItemType.Structure:
      return '';
  }
}
