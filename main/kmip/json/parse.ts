// KMIP JSON encoding -> TTLV items (Additional Message Encodings 1.0 section 4.1.6): accepts
// every form the section allows (names or hex tags; numbers or hex strings for numbers; names,
// numbers or hex for enumerations; "A|B|0x04" masks; hex or true/false Booleans).
import { KeyholdError } from '../../../shared/errors.js';
import { enumerationValue, maskValue, Tag, tagByName } from '../registry/index.js';
import { ItemType, type TtlvItem } from '../ttlv/index.js';
import { enumerationFor, maskFor } from '../xml/names.js';
import { isPlaceholder, type PlaceholderMap, type PlaceholderResolver } from '../xml/placeholders.js';
import { typeByName } from '../xml/parse.js';
import { fixedHex, hexToBigInteger, hexToBytes, parseInteger, parseIsoMicros } from '../xml/values.js';

export interface JsonParseOptions {
  placeholders?: PlaceholderResolver;
  keptPlaceholders?: PlaceholderMap;
}

function jsonError(path: string, what: string): KeyholdError {
  return new KeyholdError('codec', `KMIP JSON: ${what} at ${path || '/'}`, { reason: 'Invalid Message' });
}

/** Parses JSON text holding one item (a message) or an array of them. */
export function parseKmipJson(text: string, options: JsonParseOptions = {}): TtlvItem[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new KeyholdError('codec', `KMIP JSON: ${(e as Error).message}`, { reason: 'Invalid Message', cause: e });
  }
  return Array.isArray(doc) ? doc.map((d, i) => fromKmipJson(d, options, `[${i}]`)) : [fromKmipJson(doc, options)];
}

/** Converts one parsed JSON value (a {"tag","type","value"} object) to an item. */
export function fromKmipJson(node: unknown, options: JsonParseOptions = {}, path = ''): TtlvItem {
  return toItem(node, path, undefined, options);
}

function toItem(node: unknown, path: string, attributeName: string | undefined, options: JsonParseOptions): TtlvItem {
  if (typeof node !== 'object' || node === null || Array.isArray(node)) throw jsonError(path, 'expected an object');
  const o = node as Record<string, unknown>;
  if (typeof o['tag'] !== 'string') throw jsonError(path, 'missing "tag"');
  const tagText = o['tag'];
  const tag = tagByName(tagText);
  if (tag === undefined) throw jsonError(path, `unknown tag "${tagText}"`);
  const here = `${path}/${tagText}`;
  const typeText = o['type'] ?? 'Structure';
  if (typeof typeText !== 'string' || typeByName[typeText] === undefined) {
    throw jsonError(here, `unknown type ${JSON.stringify(typeText)}`);
  }
  const type = typeByName[typeText]!;
  const v = o['value'];

  if (type === ItemType.Structure) {
    if (v !== null && v !== undefined && !Array.isArray(v)) throw jsonError(here, 'a Structure value is an array');
    const value: TtlvItem[] = [];
    let sibling: string | undefined;
    (v ?? []).forEach((child: unknown, i: number) => {
      const item = toItem(child, `${here}[${i}]`, sibling, options);
      if (item.tag === Tag.AttributeName && item.type === ItemType.TextString) sibling = item.value;
      value.push(item);
    });
    return { tag, type, value };
  }

  if (typeof v === 'string' && isPlaceholder(v) && options.placeholders !== undefined) {
    const r = options.placeholders({ text: v, type, tag, path: here });
    if (r !== undefined) {
      const item = { tag, type, value: r } as TtlvItem;
      options.keptPlaceholders?.set(item, v);
      return item;
    }
  }
  const bad = (what: string): KeyholdError => jsonError(here, `${typeText} value ${JSON.stringify(v)} ${what}`);

  switch (type) {
    case ItemType.Integer: {
      const n = integer(v, 4, true);
      if (n !== undefined) return { tag, type, value: Number(n) };
      const mask = maskFor(tag, attributeName);
      const m = typeof v === 'string' && mask !== undefined ? maskValue(mask, v.split('|')) : undefined;
      if (m === undefined) throw bad('is neither a 32-bit integer nor mask names');
      return { tag, type, value: m | 0 };
    }
    case ItemType.LongInteger: {
      const n = integer(v, 8, true);
      if (n === undefined) throw bad('is not a 64-bit integer');
      return { tag, type, value: n };
    }
    case ItemType.BigInteger: {
      const n =
        typeof v === 'number' && Number.isSafeInteger(v)
          ? BigInt(v)
          : typeof v === 'string'
            ? hexToBigInteger(v)
            : undefined;
      if (n === undefined) throw bad('is not a number or hex');
      return { tag, type, value: n };
    }
    case ItemType.Enumeration: {
      const n =
        typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffffffff
          ? v
          : typeof v === 'string'
            ? enumerationValue(enumerationFor(tag, attributeName), v)
            : undefined;
      if (n === undefined) throw bad('is not a known name, number or 32-bit hex');
      return { tag, type, value: n };
    }
    case ItemType.Boolean: {
      if (typeof v === 'boolean') return { tag, type, value: v };
      const h = typeof v === 'string' ? fixedHex(v, 8, false) : undefined;
      if (h === 0n || h === 1n) return { tag, type, value: h === 1n };
      throw bad('is not true, false or hex 0/1');
    }
    case ItemType.TextString:
      if (typeof v !== 'string') throw bad('is not a string');
      return { tag, type, value: v };
    case ItemType.ByteString: {
      const b = typeof v === 'string' ? hexToBytes(v) : undefined;
      if (b === undefined) throw bad('is not hex');
      return { tag, type, value: b };
    }
    case ItemType.DateTime:
    case ItemType.DateTimeExtended: {
      if (typeof v !== 'string') throw bad('is not a string');
      const h = fixedHex(v, 8, true);
      if (h !== undefined) return { tag, type, value: h } as TtlvItem;
      const micros = parseIsoMicros(v);
      if (micros === undefined) throw bad('is not an ISO 8601 date-time or hex');
      if (type === ItemType.DateTimeExtended) return { tag, type, value: micros };
      const q = micros / 1_000_000n;
      return { tag, type, value: micros % 1_000_000n !== 0n && micros < 0n ? q - 1n : q };
    }
    case ItemType.Interval: {
      const n = integer(v, 4, false);
      if (n === undefined) throw bad('is not an unsigned 32-bit integer');
      return { tag, type, value: Number(n) };
    }
  }
  throw jsonError(here, `unknown type ${typeText}`);
}

/** A JSON Number (an exact integer) or a decimal/hex string within the range. */
function integer(v: unknown, bytes: number, signed: boolean): bigint | undefined {
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v)) return undefined;
    return parseInteger(String(v), bytes, signed);
  }
  if (typeof v === 'string' && /^0[xX]/.test(v)) return parseInteger(v, bytes, signed);
  return undefined;
}
