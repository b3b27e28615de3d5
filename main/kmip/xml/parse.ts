// KMIP XML encoding -> TTLV items (Additional Message Encodings 1.0 section 6.1), as the OASIS
// test cases write it: one element per item named by the normalized tag (or <TTLV tag="0x..">),
// `type` (absent = Structure) and `value` attributes.
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { KeyholdError } from '../../../shared/errors.js';
import { maskValue, enumerationValue, Tag, tagByName } from '../registry/index.js';
import { ItemType, type TtlvItem } from '../ttlv/index.js';
import { enumerationFor, maskFor } from './names.js';
import { isPlaceholder, type PlaceholderMap, type PlaceholderResolver } from './placeholders.js';
import { hexToBigInteger, hexToBytes, parseInteger, parseIsoMicros, fixedHex } from './values.js';

export interface XmlParseOptions {
  /**
   * Called for a value that is a test-case placeholder ("$NOW", "$NOW-3600", "$DATA_1") in an
   * item whose type cannot hold it as is; returns the value to use. Text String placeholders
   * ("$UNIQUE_IDENTIFIER_0") are kept as text unless this returns a value for them too.
   * Without a resolver such a placeholder is an error.
   */
  placeholders?: PlaceholderResolver;
  /**
   * "Keep placeholders" mode: every item whose value came from the resolver is recorded here, so
   * writeKmipXml / writeKmipJson given the same map write the placeholder text back.
   */
  keptPlaceholders?: PlaceholderMap;
}

type XmlNode = { [name: string]: XmlNode[] | string | undefined } & { ':@'?: Record<string, string> };

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseAttributeValue: false,
  parseTagValue: false,
  trimValues: false,
  processEntities: true,
  htmlEntities: true,
});

export const typeByName: Readonly<Record<string, ItemType>> = {
  Structure: ItemType.Structure,
  Integer: ItemType.Integer,
  LongInteger: ItemType.LongInteger,
  BigInteger: ItemType.BigInteger,
  Enumeration: ItemType.Enumeration,
  Boolean: ItemType.Boolean,
  TextString: ItemType.TextString,
  ByteString: ItemType.ByteString,
  DateTime: ItemType.DateTime,
  Interval: ItemType.Interval,
  DateTimeExtended: ItemType.DateTimeExtended,
};

function xmlError(path: string, what: string): KeyholdError {
  return new KeyholdError('codec', `KMIP XML: ${what} at ${path || '/'}`, { reason: 'Invalid Message' });
}

/**
 * Parses a KMIP XML document: a <KMIP> element holding messages (the test-case files), or one
 * message element. Returns the top-level items in order; comments are skipped.
 */
export function parseKmipXml(text: string, options: XmlParseOptions = {}): TtlvItem[] {
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    throw new KeyholdError('codec', `KMIP XML: ${valid.err.msg} (line ${valid.err.line}, column ${valid.err.col})`, {
      reason: 'Invalid Message',
    });
  }
  const doc = parser.parse(text) as XmlNode[];
  const roots = elements(doc, '');
  if (roots.length === 1 && elementName(roots[0]!) === 'KMIP') {
    return elements(roots[0]!['KMIP'] as XmlNode[], 'KMIP').map((n, i) =>
      toItem(n, `KMIP/${elementName(n)}[${i}]`, undefined, options),
    );
  }
  return roots.map((n) => toItem(n, elementName(n), undefined, options));
}

/** Parses a document that must hold exactly one item (one message). */
export function parseKmipXmlItem(text: string, options: XmlParseOptions = {}): TtlvItem {
  const items = parseKmipXml(text, options);
  if (items.length !== 1) throw xmlError('', `expected one item, found ${items.length}`);
  return items[0]!;
}

function elementName(node: XmlNode): string {
  for (const k of Object.keys(node)) if (k !== ':@') return k;
  return '';
}

/** The element children of a node, skipping comments and whitespace; other text is an error. */
function elements(children: XmlNode[] | undefined, path: string): XmlNode[] {
  const out: XmlNode[] = [];
  for (const c of children ?? []) {
    const name = elementName(c);
    if (name === '#text') {
      if (String(c['#text']).trim() !== '') throw xmlError(path, 'unexpected text between elements');
      continue;
    }
    if (name === '?xml' || name === '#comment') continue;
    out.push(c);
  }
  return out;
}

function toItem(node: XmlNode, path: string, attributeName: string | undefined, options: XmlParseOptions): TtlvItem {
  const name = elementName(node);
  const attrs = node[':@'] ?? {};
  let tag: number | undefined;
  if (name === 'TTLV') {
    const t = attrs['tag'];
    if (t === undefined) throw xmlError(path, '<TTLV> without a tag attribute');
    tag = tagByName(t);
    if (tag === undefined) throw xmlError(path, `unknown tag "${t}"`);
  } else {
    tag = tagByName(name) ?? (/^x[0-9A-Fa-f]{6}$/.test(name) ? tagByName('0x' + name.slice(1)) : undefined);
    if (tag === undefined) throw xmlError(path, `unknown tag <${name}>`);
  }
  const typeText = attrs['type'] ?? 'Structure';
  const type = typeByName[typeText];
  if (type === undefined) throw xmlError(path, `unknown type "${typeText}"`);
  const children = node[name] as XmlNode[] | undefined;

  if (type === ItemType.Structure) {
    if (attrs['value'] !== undefined) throw xmlError(path, 'a Structure has no value attribute');
    const value: TtlvItem[] = [];
    let siblingAttributeName: string | undefined;
    elements(children, path).forEach((child, i) => {
      const item = toItem(child, `${path}/${elementName(child)}[${i}]`, siblingAttributeName, options);
      if (item.tag === Tag.AttributeName && item.type === ItemType.TextString) siblingAttributeName = item.value;
      value.push(item);
    });
    return { tag, type, value };
  }
  if (elements(children, path).length > 0) throw xmlError(path, `a ${typeText} has no child elements`);
  const text = attrs['value'];
  if (text === undefined) throw xmlError(path, `${typeText} without a value attribute`);

  if (isPlaceholder(text) && options.placeholders !== undefined) {
    const v = options.placeholders({ text, type, tag, path });
    if (v !== undefined) {
      const item = { tag, type, value: v } as TtlvItem;
      options.keptPlaceholders?.set(item, text);
      return item;
    }
  }
  const bad = (what: string): KeyholdError =>
    xmlError(path, isPlaceholder(text) ? `placeholder "${text}" in a ${typeText} needs a placeholder resolver` : what);

  switch (type) {
    case ItemType.Integer: {
      const n = parseInteger(text, 4, true);
      if (n !== undefined) return { tag, type, value: Number(n) };
      const mask = maskFor(tag, attributeName);
      const m = mask === undefined ? undefined : maskValue(mask, text.trim().split(/\s+/));
      if (m === undefined) throw bad(`Integer value "${text}" is neither a number nor mask names`);
      return { tag, type, value: m | 0 };
    }
    case ItemType.LongInteger: {
      const n = parseInteger(text, 8, true);
      if (n === undefined) throw bad(`Long Integer value "${text}" is not a 64-bit integer`);
      return { tag, type, value: n };
    }
    case ItemType.BigInteger: {
      const n = hexToBigInteger(text);
      if (n === undefined) throw bad(`Big Integer value "${text}" is not hex`);
      return { tag, type, value: n };
    }
    case ItemType.Enumeration: {
      const v = enumerationValue(enumerationFor(tag, attributeName), text);
      if (v === undefined) throw bad(`Enumeration value "${text}" is not a known name or 32-bit hex`);
      return { tag, type, value: v };
    }
    case ItemType.Boolean: {
      if (text === 'true' || text === '1') return { tag, type, value: true };
      if (text === 'false' || text === '0') return { tag, type, value: false };
      const h = fixedHex(text, 8, false);
      if (h === 0n || h === 1n) return { tag, type, value: h === 1n };
      throw bad(`Boolean value "${text}" is not true or false`);
    }
    case ItemType.TextString:
      return { tag, type, value: text };
    case ItemType.ByteString: {
      const b = hexToBytes(text);
      if (b === undefined) throw bad(`Byte String value "${text.slice(0, 40)}" is not hex`);
      return { tag, type, value: b };
    }
    case ItemType.DateTime: {
      const h = fixedHex(text, 8, true);
      if (h !== undefined) return { tag, type, value: h };
      const micros = parseIsoMicros(text);
      if (micros === undefined) throw bad(`Date-Time value "${text}" is not an xsd:dateTime`);
      return { tag, type, value: floorDiv(micros, 1_000_000n) };
    }
    case ItemType.DateTimeExtended: {
      const h = fixedHex(text, 8, true);
      if (h !== undefined) return { tag, type, value: h };
      const micros = parseIsoMicros(text);
      if (micros === undefined) throw bad(`Date-Time Extended value "${text}" is not an xsd:dateTime`);
      return { tag, type, value: micros };
    }
    case ItemType.Interval: {
      const n = parseInteger(text, 4, false);
      if (n === undefined) throw bad(`Interval value "${text}" is not an unsigned 32-bit integer`);
      return { tag, type, value: Number(n) };
    }
  }
  throw xmlError(path, `unknown type "${typeText}"`);
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n ? q - 1n : q;
}
