import { Tag, tagByName, tagDefinition } from '../registry/index.js';
import { ItemType, type TtlvItem } from '../ttlv/item.js';
import type { ProtocolVersion } from './types.js';

/**
 * The protocol version that introduced each standard tag. Tags were assigned in order, one block
 * per version, so the last tag of each version bounds its block: 1.0 ends at 0x4200A1 (Password),
 * 1.1 at 0x4200B7, 1.2 at 0x4200D3, 1.3 at 0x4200F7, 1.4 at 0x420124, 2.0 at 0x420165; later
 * tags are 2.1. (The 1.4 and 2.1 tables only tell 1.x from 2.x; the blocks are the tags new in
 * each specification version's table.)
 */
const blocks: readonly [last: number, version: ProtocolVersion][] = [
  [0x4200a1, { major: 1, minor: 0 }],
  [0x4200b7, { major: 1, minor: 1 }],
  [0x4200d3, { major: 1, minor: 2 }],
  [0x4200f7, { major: 1, minor: 3 }],
  [0x420124, { major: 1, minor: 4 }],
  [0x420165, { major: 2, minor: 0 }],
];
const v21: ProtocolVersion = { major: 2, minor: 1 };

/** The version a standard tag first appeared in; undefined for extension tags (0x54xxxx). */
export function tagSince(tag: number): ProtocolVersion | undefined {
  if (tag >>> 16 !== 0x42) return undefined;
  for (const [last, version] of blocks) if (tag <= last) return version;
  return v21;
}

export function compareVersions(a: ProtocolVersion, b: ProtocolVersion): number {
  return a.major !== b.major ? a.major - b.major : a.minor - b.minor;
}

/**
 * True when a peer speaking `version` knows `tag`: it is no newer than the version, and, for 2.x,
 * not one of the tags 2.0 removed (Attribute Index, Template Attribute, Operation Policy Name...).
 * Extension tags are always allowed: the peers agreed on them out of band.
 */
export function tagAllowedIn(tag: number, version: ProtocolVersion): boolean {
  const since = tagSince(tag);
  if (since === undefined) return true;
  if (compareVersions(since, version) > 0) return false;
  return !(version.major >= 2 && tagDefinition(tag)?.removed !== undefined);
}

export interface ForVersionOptions {
  /** Called for each item left out, e.g. to log it. */
  onStrip?: (tag: number, reason: string) => void;
}

/**
 * A copy of `item` fit for a peer speaking `version` (INTEROP-NOTES 1: Vault sent Server
 * Correlation Value to a 1.0 client, Cosmian sent the 1.1 attribute Fresh to one; both broke
 * the client). Leaves out every field whose tag is newer than the version (or removed in 2.x for
 * a 2.x peer), every Date-Time Extended item for 1.x, and every 1.x Attribute whose Attribute
 * Name names a newer attribute. Items that need no change are shared, not copied.
 */
export function forVersion<T extends TtlvItem>(item: T, version: ProtocolVersion, options: ForVersionOptions = {}): T {
  const out = strip(item, { version, allowed: allowedIn(version), onStrip: options.onStrip });
  return (out ?? { ...item, value: [] }) as T;
}

/** Standard tags below 0x420000 + CACHED have their tagAllowedIn answer cached per version. */
const CACHED = 0x400;
const ATTRIBUTE = Tag.Attribute;
const ATTRIBUTE_NAME = Tag.AttributeName;
/** Per version (major * 256 + minor), per tag - 0x420000: 0 not asked yet, 1 allowed, 2 not allowed. */
const allowedCache = new Map<number, Uint8Array>();

function allowedIn(version: ProtocolVersion): Uint8Array {
  const key = version.major * 256 + version.minor;
  let known = allowedCache.get(key);
  if (known === undefined) allowedCache.set(key, (known = new Uint8Array(CACHED)));
  return known;
}

interface Strip {
  version: ProtocolVersion;
  /** tagAllowedIn's answers for this version, cached: forVersion runs on every response the server sends. */
  allowed: Uint8Array;
  onStrip: ForVersionOptions['onStrip'];
}

function isAllowed(tag: number, s: Strip): boolean {
  const low = tag - 0x420000;
  if (low < 0 || low >= CACHED) return tagAllowedIn(tag, s.version);
  let answer = s.allowed[low];
  if (answer === 0) s.allowed[low] = answer = tagAllowedIn(tag, s.version) ? 1 : 2;
  return answer === 1;
}

function strip(item: TtlvItem, s: Strip): TtlvItem | undefined {
  const { version } = s;
  if (!isAllowed(item.tag, s)) {
    s.onStrip?.(item.tag, `not in KMIP ${version.major}.${version.minor}`);
    return undefined;
  }
  if (item.type === ItemType.DateTimeExtended && version.major < 2) {
    s.onStrip?.(item.tag, 'Date-Time Extended is KMIP 2.0');
    return undefined;
  }
  if (item.type !== ItemType.Structure) return item;
  if (item.tag === ATTRIBUTE && version.major < 2) {
    const name = item.value.find((c) => c.tag === ATTRIBUTE_NAME);
    const tag = name?.type === ItemType.TextString ? tagByName(name.value) : undefined;
    if (tag !== undefined && !tagAllowedIn(tag, version)) {
      s.onStrip?.(tag, `attribute not in KMIP ${version.major}.${version.minor}`);
      return undefined;
    }
  }
  // A new array only from the first child that changes: most structures need none.
  const children = item.value;
  let value: TtlvItem[] | undefined;
  for (let i = 0; i < children.length; i++) {
    const child = children[i] as TtlvItem;
    const c = strip(child, s);
    if (c !== child && value === undefined) value = children.slice(0, i);
    if (value !== undefined && c !== undefined) value.push(c);
  }
  return value === undefined ? item : { tag: item.tag, type: ItemType.Structure, value };
}
