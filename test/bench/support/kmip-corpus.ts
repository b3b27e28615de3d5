import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { XMLParser } from 'fast-xml-parser';
import { ItemType, type TtlvItem } from '../../../main/kmip/index.js';

/**
 * The OASIS KMIP test-case corpus (../shared/kmip/testcases, 1.4 and 2.1) as TTLV items, for the
 * codec fuzz test and benchmark. This reader only needs the shapes, sizes and types of the
 * messages, not their meaning: a tag name gets a stable extension tag (0x54xxxx) and an
 * enumeration or mask name a stable number, so it stands alone from the tag registry.
 */
export interface CorpusMessage {
  file: string;
  item: TtlvItem;
  /** The same message in the KMIP JSON encoding (Additional Message Encodings 1.0 section 4.1.6). */
  json: string;
}

export function repoRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error('package.json not found above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
  return dir;
}

export function testCaseDir(): string {
  return path.resolve(repoRoot(), '../shared/kmip/testcases');
}

export function testCaseFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.xml')) out.push(full);
    }
  };
  walk(testCaseDir());
  return out;
}

type XmlNode = { [name: string]: XmlNode[] } & { ':@'?: { type?: string; value?: string } };

const parser = new XMLParser({ preserveOrder: true, ignoreAttributes: false, attributeNamePrefix: '' });
const tags = new Map<string, number>();
const names = new Map<string, number>();
const now = BigInt(Math.floor(Date.UTC(2026, 0, 1) / 1000));

function tagOf(name: string): number {
  let t = tags.get(name);
  if (t === undefined) tags.set(name, (t = 0x540000 + tags.size + 1));
  return t;
}

function numberOf(value: string): number {
  if (/^-?\d+$/.test(value)) return Number(value);
  if (/^0x[0-9a-fA-F]+$/.test(value)) return Number(value);
  let n = names.get(value);
  if (n === undefined) names.set(value, (n = names.size + 1));
  return n;
}

function toItem(node: XmlNode): TtlvItem {
  const name = Object.keys(node).find((k) => k !== ':@')!;
  const tag = tagOf(name);
  const attrs = node[':@'] ?? {};
  const value = attrs.value ?? '';
  switch (attrs.type) {
    case undefined:
    case 'Structure':
      return { tag, type: ItemType.Structure, value: node[name]!.map(toItem) };
    case 'Integer':
      return { tag, type: ItemType.Integer, value: numberOf(value) | 0 };
    case 'Enumeration':
      return { tag, type: ItemType.Enumeration, value: numberOf(value) >>> 0 };
    case 'Interval':
      return { tag, type: ItemType.Interval, value: Number(value) >>> 0 };
    case 'LongInteger':
      return { tag, type: ItemType.LongInteger, value: BigInt(value) };
    case 'BigInteger': {
      const hex = value.replace(/^0x/, '') || '00';
      const unsigned = BigInt('0x' + hex);
      const negative = parseInt(hex[0]!, 16) >= 8;
      return { tag, type: ItemType.BigInteger, value: negative ? unsigned - (1n << BigInt(hex.length * 4)) : unsigned };
    }
    case 'Boolean':
      return { tag, type: ItemType.Boolean, value: value === 'true' };
    case 'TextString':
      return { tag, type: ItemType.TextString, value };
    case 'ByteString':
      return { tag, type: ItemType.ByteString, value: Buffer.from(value, 'hex') };
    case 'DateTime':
    case 'DateTimeExtended': {
      const ms = value.startsWith('$NOW') ? Number(now) * 1000 : Date.parse(value);
      const type = attrs.type === 'DateTime' ? ItemType.DateTime : ItemType.DateTimeExtended;
      return type === ItemType.DateTime
        ? { tag, type, value: BigInt(Math.floor(ms / 1000)) }
        : { tag, type, value: BigInt(ms) * 1000n };
    }
    default:
      throw new Error(`unknown type ${attrs.type} on ${name}`);
  }
}

type JsonTtlv = { tag: string; type?: string; value: JsonTtlv[] | string | number | boolean };

/**
 * KMIP JSON: names for tags, enumerations and masks ("Sign|Verify"), numbers for Integer, Long
 * Integer and Interval, hex for Byte and Big Integer strings, ISO 8601 for Date-Time.
 */
function toJson(node: XmlNode): JsonTtlv {
  const name = Object.keys(node).find((k) => k !== ':@')!;
  const attrs = node[':@'] ?? {};
  const value = attrs.value ?? '';
  switch (attrs.type) {
    case undefined:
    case 'Structure':
      return { tag: name, value: node[name]!.map(toJson) };
    case 'Integer':
      return { tag: name, type: attrs.type, value: /^-?\d+$/.test(value) ? Number(value) : value.replace(/ /g, '|') };
    case 'LongInteger':
    case 'Interval':
      return { tag: name, type: attrs.type, value: Number(value) };
    case 'BigInteger':
      return { tag: name, type: attrs.type, value: '0x' + value.replace(/^0x/, '') };
    case 'Boolean':
      return { tag: name, type: attrs.type, value: value === 'true' };
    default:
      return { tag: name, type: attrs.type, value };
  }
}

/** Every Request and Response Message of every test-case file, in file order. */
export function loadCorpus(): CorpusMessage[] {
  const out: CorpusMessage[] = [];
  for (const file of testCaseFiles()) {
    const doc = parser.parse(readFileSync(file, 'utf8')) as XmlNode[];
    for (const root of doc) {
      for (const message of root['KMIP'] ?? []) {
        if ('RequestMessage' in message || 'ResponseMessage' in message) {
          out.push({
            file: path.relative(testCaseDir(), file),
            item: toItem(message),
            json: JSON.stringify(toJson(message)),
          });
        }
      }
    }
  }
  return out;
}
