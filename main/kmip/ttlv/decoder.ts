// Imported, not the global: in an ES module every read of the global `Buffer` calls a getter
// (about 15 ns per message here).
import { Buffer } from 'node:buffer';
import { readBigInt, readBytes, readI64, readText } from './buffer-reader.js';
import * as fail from './decode-errors.js';
import { resolveTtlvLimits, type TtlvDecodeOptions } from './errors.js';
import { ItemType, type TtlvItem } from './item.js';

const empty = Buffer.alloc(0);
/*
 * The item types as module constants: V8 folds a module `const` into the compiled code, but it
 * loads the field of the imported ItemType object at each use (measured: decoding +3-4%).
 */
const structureType = ItemType.Structure;
const integerType = ItemType.Integer;
const longIntegerType = ItemType.LongInteger;
const bigIntegerType = ItemType.BigInteger;
const enumerationType = ItemType.Enumeration;
const booleanType = ItemType.Boolean;
const textStringType = ItemType.TextString;
const byteStringType = ItemType.ByteString;
const dateTimeType = ItemType.DateTime;
const intervalType = ItemType.Interval;
const dateTimeExtendedType = ItemType.DateTimeExtended;
/** Password and One Time Password (Credential Value): never kept in the text cache. */
const passwordTag = 0x4200a1;
const oneTimePasswordTag = 0x420156;

/*
 * The state of the one decode in progress. Decoding is synchronous and never re-entered, so it
 * lives in one module object: the hot function reads it without a `this` and no decoder object is
 * made per message. `decodeTtlv` resets it before and drops the buffer after each message.
 * One constant object, not module `let`s: V8 knows its fields' types (a Smi, a boolean, a Buffer)
 * and reads them with no check, where each read or write of a module `let` loaded the variable and
 * checked it for the uninitialized hole, and each boolean was tested as an unknown value
 * (measured: decoding +5% against module `let`s).
 */
const state = {
  buf: empty as Buffer,
  /** Offset just past the item `readItem()` last read. */
  pos: 0,
  items: 0,
  maxItems: 0,
  /**
   * Whether the item limit can be reached at all: every item takes at least 8 bytes, so a message
   * of at most 8 * maxItems bytes cannot exceed it and its items are not counted.
   */
  counting: true,
  maxDepth: 0,
  strictPadding: true,
};

/**
 * Decodes exactly one TTLV item that fills `bytes` (KMIP 1.4 section 9.1.1; Date-Time Extended
 * from 2.1 section 10.1). Strict on lengths: fixed-size types must carry their exact length,
 * structures must be filled exactly by their items, Text and Byte Strings must carry their
 * padding; padding bytes must be zero unless `strictPadding` is false. A Big Integer may carry
 * more sign-extension bytes than the minimum. Every malformed input throws a TtlvError with the
 * offset; nothing else is thrown. Byte String values are fresh copies, never views of `bytes`.
 */
export function decodeTtlv(bytes: Uint8Array, options?: TtlvDecodeOptions): TtlvItem {
  const limits = resolveTtlvLimits(options);
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length > limits.maxMessageBytes) {
    throw fail.tooBig(buf.length, limits.maxMessageBytes);
  }
  state.buf = buf;
  state.pos = 0;
  state.items = 0;
  state.maxItems = limits.maxItems;
  state.counting = buf.length > 8 * state.maxItems;
  state.maxDepth = limits.maxDepth;
  state.strictPadding = options?.strictPadding !== false;
  try {
    const item = readItem(0, buf.length, 1);
    if (state.pos !== buf.length) throw fail.trailing(buf.length - state.pos, state.pos);
    return item;
  } finally {
    state.buf = empty;
  }
}

/**
 * Reads the item at `start`, which must end at or before `end`; leaves `state.pos` just past it. One
 * function for every type, the checks inline and the errors made out of line, so the common path
 * is a few loads and one object per item (every item the same shape: tag, type, value).
 *
 * Measured and not kept (paired rounds against this code over the 2,098 OASIS messages; an
 * identical copy differs by up to 2-3%): decoding Integer and Enumeration children without a
 * call, through a small function at each child site (V8 inlined it at 2 of the 5 sites: -5%; at
 * the first two sites only: +-0) or through one call site in a loop over the children (the loop
 * alone: -6%); a Structure's item objects as class instances, the arrays from a scratch stack or
 * counted first, an explicit stack instead of recursion (all slower); the Date-Time fast path or
 * the small Byte String copy inlined here, Integer and Enumeration values returned apart (no
 * int32/uint32 merge through a double): all +-1%.
 *
 * The items are object and array literals, and V8 may pretenure a literal's allocation site: a
 * process that keeps thousands of decoded messages alive at once (2,098 here) has its items
 * allocated in the old generation from then on, and decodes 3-4x slower. Class instances are
 * immune but 10-18% slower in the common case, where messages live for one request (decoding a
 * 60,000-item message twenty times does not trigger it); so literals stay, and whoever keeps
 * many messages should keep their bytes or the lazy decoder's views.
 */
function readItem(start: number, end: number, depth: number): TtlvItem {
  const buf = state.buf;
  if (end - start < 8) throw fail.shortHeader(start, end);
  const prefix = buf[start]!;
  if (prefix !== 0x42 && prefix !== 0x54) throw fail.badPrefix(prefix, start);
  const tag = (prefix << 16) | (buf[start + 1]! << 8) | buf[start + 2]!;
  const type = buf[start + 3]!;
  const length = ((buf[start + 4]! << 24) | (buf[start + 5]! << 16) | (buf[start + 6]! << 8) | buf[start + 7]!) >>> 0;
  if (state.counting && ++state.items > state.maxItems) throw fail.tooMany(state.maxItems, start, tag);
  const o = start + 8;
  const left = end - o;
  switch (type) {
    case structureType: {
      if (length > left) throw fail.overrun(start, tag, length, left);
      if ((length & 7) !== 0) throw fail.structureLength(length, start, tag);
      if (depth >= state.maxDepth && length > 0) throw fail.tooDeep(state.maxDepth, start, tag);
      const stop = o + length;
      state.pos = stop;
      if (o === stop) return { tag, type: structureType, value: [] };
      // The first four items are held in locals and the array is made at its exact size by a
      // literal: growing an empty array on the first push costs more than the items themselves.
      const inner = depth + 1;
      const c0 = readItem(o, stop, inner);
      if (state.pos === stop) return { tag, type: structureType, value: [c0] };
      const c1 = readItem(state.pos, stop, inner);
      if (state.pos === stop) return { tag, type: structureType, value: [c0, c1] };
      const c2 = readItem(state.pos, stop, inner);
      if (state.pos === stop) return { tag, type: structureType, value: [c0, c1, c2] };
      const c3 = readItem(state.pos, stop, inner);
      if (state.pos === stop) return { tag, type: structureType, value: [c0, c1, c2, c3] };
      const value = [c0, c1, c2, c3];
      while (state.pos < stop) value.push(readItem(state.pos, stop, inner));
      return { tag, type: structureType, value };
    }
    case integerType:
    case enumerationType:
    case intervalType: {
      if (length !== 4 || left < 8) throw fail.badFixed(start, tag, type, length, 4, left);
      // 4 value bytes then 4 padding bytes (section 9.1.1.3).
      if (state.strictPadding && (buf[o + 4]! | buf[o + 5]! | buf[o + 6]! | buf[o + 7]!) !== 0) {
        throw fail.badPadding(start + 12, tag);
      }
      const signed = (buf[o]! << 24) | (buf[o + 1]! << 16) | (buf[o + 2]! << 8) | buf[o + 3]!;
      state.pos = o + 8;
      return { tag, type, value: type === integerType ? signed : signed >>> 0 } as TtlvItem;
    }
    case longIntegerType:
    case dateTimeType:
    case dateTimeExtendedType: {
      if (length !== 8 || left < 8) throw fail.badFixed(start, tag, type, length, 8, left);
      state.pos = o + 8;
      return { tag, type, value: readI64(buf, o) } as TtlvItem;
    }
    case booleanType: {
      if (length !== 8 || left < 8) throw fail.badFixed(start, tag, type, length, 8, left);
      // KMIP 1.4 section 9.1.1.4: exactly 0000000000000000 or 0000000000000001.
      if (
        (buf[o]! | buf[o + 1]! | buf[o + 2]! | buf[o + 3]! | buf[o + 4]! | buf[o + 5]! | buf[o + 6]!) !== 0 ||
        buf[o + 7]! > 1
      ) {
        throw fail.badBoolean(o, tag);
      }
      state.pos = o + 8;
      return { tag, type: booleanType, value: buf[o + 7] === 1 };
    }
    case textStringType: {
      const padded = (length + 7) & ~7;
      if (length > left || padded > left) throw fail.overrun(start, tag, padded, left);
      if (length > 0 && buf[o + length - 1] === 0) {
        throw fail.nulTerminator(o + length - 1, tag);
      }
      const value = readText(buf, o, length, tag !== passwordTag && tag !== oneTimePasswordTag);
      if (value === undefined) throw fail.badUtf8(o, tag);
      // Text and Byte String padding (to a multiple of 8) must be zero; checked inline (a call
      // per item cost more than the check).
      for (let i = o + length; i < o + padded; i++) {
        if (buf[i] !== 0 && state.strictPadding) throw fail.badPadding(o + length, tag);
      }
      state.pos = o + padded;
      return { tag, type: textStringType, value };
    }
    case byteStringType: {
      const padded = (length + 7) & ~7;
      if (length > left || padded > left) throw fail.overrun(start, tag, padded, left);
      const value = readBytes(buf, o, length);
      for (let i = o + length; i < o + padded; i++) {
        if (buf[i] !== 0 && state.strictPadding) throw fail.badPadding(o + length, tag);
      }
      state.pos = o + padded;
      return { tag, type: byteStringType, value };
    }
    case bigIntegerType: {
      if (length > left) throw fail.overrun(start, tag, length, left);
      if (length === 0 || (length & 7) !== 0) {
        throw fail.bigIntegerLength(length, start, tag);
      }
      state.pos = o + length;
      return { tag, type: bigIntegerType, value: readBigInt(buf, o, length) };
    }
    default:
      throw fail.unknownType(type, start, tag);
  }
}
