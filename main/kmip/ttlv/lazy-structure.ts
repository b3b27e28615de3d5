import { readBigInt, readBytes, readI64, readText } from './buffer-reader.js';
import { ItemType, type StructureItem, type TtlvItem } from './item.js';

/** Password and One Time Password (Credential Value): never kept in the text cache. */
const passwordTag = 0x4200a1;
const oneTimePasswordTag = 0x420156;

/**
 * A Structure of a message that `decodeTtlvLazy` has already validated in full: its items are
 * read from the message bytes the first time `value` is read, one level at a time (child
 * Structures are lazy in turn down to `lazyLevels`, built whole below that; every other item is a plain `{ tag, type, value }` with the value
 * decoded exactly as `decodeTtlv` decodes it). Reading never fails: every check was made when the
 * message was decoded. Once read, `value` is an ordinary array (the same one on every read) and
 * may be replaced or changed like the eager model's. Until then it holds the message bytes (the
 * decoder's copy, or the caller's buffer when adopted); a fully read tree holds none.
 */
export class LazyStructure implements StructureItem {
  readonly type = ItemType.Structure;
  /** The message bytes until the items are read, then the items. */
  #body: Buffer | TtlvItem[];
  /** Offset of this Structure's header in the message bytes. */
  #at: number;
  /** Nesting depth (the top item is 1). */
  #depth: number;

  constructor(
    public tag: number,
    src: Buffer,
    at: number,
    depth: number,
  ) {
    this.#body = src;
    this.#at = at;
    this.#depth = depth;
  }

  get value(): TtlvItem[] {
    const body = this.#body;
    if (Array.isArray(body)) return body;
    return (this.#body = readChildren(body, this.#at, this.#depth + 1));
  }

  set value(items: TtlvItem[]) {
    this.#body = items;
  }

  /** Whether `value` has been read (for tests; the model never needs it). */
  get materialised(): boolean {
    return Array.isArray(this.#body);
  }
}

/**
 * How many levels are lazy: the Message (1), its Header and Batch Items (2), and their parts (3:
 * Protocol Version, Authentication, Operation, Request Payload...). A Structure deeper than that
 * is built whole, with plain Structures, when its lazy ancestor is read: by then the reader (an
 * operation reading its payload) wants all of it, and plain objects are cheaper to build and
 * read than a lazy one per level.
 */
const lazyLevels = 3;

/** The items of the validated Structure whose header is at `at`, in order; they are at `depth`. */
function readChildren(src: Buffer, at: number, depth: number): TtlvItem[] {
  const end = at + 8 + lengthAt(src, at);
  const o0 = at + 8;
  if (o0 === end) return [];
  // As in decodeTtlv: the first four items are held in locals and the array is made at its exact
  // size by a literal (growing an empty array on its first push costs more than the items).
  const c0 = readChild(src, o0, depth);
  const o1 = following(src, o0);
  if (o1 === end) return [c0];
  const c1 = readChild(src, o1, depth);
  const o2 = following(src, o1);
  if (o2 === end) return [c0, c1];
  const c2 = readChild(src, o2, depth);
  const o3 = following(src, o2);
  if (o3 === end) return [c0, c1, c2];
  const c3 = readChild(src, o3, depth);
  const out = [c0, c1, c2, c3];
  for (let o = following(src, o3); o < end; o = following(src, o)) out.push(readChild(src, o, depth));
  return out;
}

function lengthAt(src: Buffer, at: number): number {
  return ((src[at + 4]! << 24) | (src[at + 5]! << 16) | (src[at + 6]! << 8) | src[at + 7]!) >>> 0;
}

function readChild(src: Buffer, at: number, depth: number): TtlvItem {
  return readValidatedItem(src, at, src[at + 3]!, lengthAt(src, at), depth);
}

/**
 * The offset of the item after the one at `at`. In a validated message every value is padded to
 * a multiple of 8 (Structures and Big Integers already are).
 */
function following(src: Buffer, at: number): number {
  return at + 8 + ((lengthAt(src, at) + 7) & ~7);
}

/**
 * The item whose header is at `at` in a validated message: a LazyStructure, or a plain item with
 * its value decoded by the same readers as decodeTtlv (so values are identical: the same numbers,
 * bigints, strings, and Byte Strings as fresh copies).
 */
export function readValidatedItem(src: Buffer, at: number, type: number, length: number, depth: number): TtlvItem {
  const tag = (src[at]! << 16) | (src[at + 1]! << 8) | src[at + 2]!;
  const o = at + 8;
  switch (type) {
    case ItemType.Structure:
      if (depth <= lazyLevels) return new LazyStructure(tag, src, at, depth);
      return { tag, type: ItemType.Structure, value: readChildren(src, at, depth + 1) };
    case ItemType.Integer:
      return { tag, type, value: (src[o]! << 24) | (src[o + 1]! << 16) | (src[o + 2]! << 8) | src[o + 3]! };
    case ItemType.Enumeration:
    case ItemType.Interval:
      return {
        tag,
        type,
        value: ((src[o]! << 24) | (src[o + 1]! << 16) | (src[o + 2]! << 8) | src[o + 3]!) >>> 0,
      } as TtlvItem;
    case ItemType.LongInteger:
    case ItemType.DateTime:
    case ItemType.DateTimeExtended:
      return { tag, type, value: readI64(src, o) } as TtlvItem;
    case ItemType.Boolean:
      return { tag, type: ItemType.Boolean, value: src[o + 7] === 1 };
    case ItemType.TextString:
      return {
        tag,
        type: ItemType.TextString,
        value: readText(src, o, length, tag !== passwordTag && tag !== oneTimePasswordTag)!,
      };
    case ItemType.ByteString:
      return { tag, type: ItemType.ByteString, value: readBytes(src, o, length) };
    default:
      return { tag, type: ItemType.BigInteger, value: readBigInt(src, o, length) };
  }
}
