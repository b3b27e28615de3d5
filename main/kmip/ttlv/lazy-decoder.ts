import { Buffer, isUtf8 } from 'node:buffer';
import * as fail from './decode-errors.js';
import { resolveTtlvLimits, type TtlvDecodeOptions } from './errors.js';
import { ItemType, type TtlvItem } from './item.js';
import { readValidatedItem } from './lazy-structure.js';

export interface TtlvLazyDecodeOptions extends TtlvDecodeOptions {
  /**
   * Keep `bytes` as the index instead of a copy (default false). Only for a buffer the caller
   * will never change, reuse or wipe while any part of the result may still be read.
   */
  adopt?: boolean;
}

/*
 * The state of the one validation in progress (synchronous, never re-entered), in module
 * variables like decoder.ts, so the hot function reads them without a `this`.
 */
const empty = Buffer.alloc(0);
let b: Buffer = empty;
let items = 0;
let maxItems = 0;
let maxDepth = 0;
let strictPadding = true;

/**
 * Decodes one TTLV item that fills `bytes`, like `decodeTtlv`, in two steps:
 *
 * 1. One validating pass over the whole message, building nothing: every check `decodeTtlv`
 *    makes (tag prefix, known type, the length rules of each type, padding bytes zero, Boolean
 *    0 or 1, Text Strings valid UTF-8 without a NUL terminator, every item inside its Structure
 *    and the Structures filled exactly, depth, item count, size, no trailing bytes), in the same
 *    order, so a malformed message throws here the same TtlvError (message, offset, tag) as
 *    `decodeTtlv`. Nothing is thrown later.
 * 2. The bytes (a private copy, or the caller's own with `adopt`) become the index: a validated
 *    TTLV message is its own index (each header gives the tag, type and length, and the next
 *    sibling is at a known distance), so nothing more is recorded. The result's Structures are
 *    `LazyStructure`s, read on first access to `value` (three levels lazy, deeper ones built
 *    whole); every value reads exactly as `decodeTtlv` gives it.
 *
 * With the copy the caller may reuse or wipe `bytes` as soon as this returns, as with
 * `decodeTtlv`; a caller whose buffer stays unchanged while the tree is read may hand it over
 * with `adopt`, saving the copy. Use it where little of a message is read (the server panel's
 * response log reads each Batch Item's Operation and Result Status, never a payload). Where
 * everything is read (the server's request path: every operation reads its whole payload)
 * `decodeTtlv` is faster, since its checks cost next to nothing inside the one pass that builds
 * the items (see the codec benchmark).
 */
export function decodeTtlvLazy(bytes: Uint8Array, options?: TtlvLazyDecodeOptions): TtlvItem {
  validateTtlv(bytes, options);
  const view = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const src = options?.adopt === true ? view : Buffer.from(view);
  return readValidatedItem(src, 0, src[3]!, src.readUInt32BE(4), 1);
}

/**
 * The validating pass alone: throws what `decodeTtlv` would throw for `bytes`, or returns the
 * number of items. Builds no objects.
 */
export function validateTtlv(bytes: Uint8Array, options?: TtlvDecodeOptions): number {
  const limits = resolveTtlvLimits(options);
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length > limits.maxMessageBytes) throw fail.tooBig(buf.length, limits.maxMessageBytes);
  b = buf;
  items = 0;
  maxItems = limits.maxItems;
  maxDepth = limits.maxDepth;
  strictPadding = options?.strictPadding !== false;
  try {
    const end = checkMessage();
    if (end !== buf.length) throw fail.trailing(buf.length - end, end);
    return items;
  } finally {
    b = empty;
  }
}

/** The ends of the open Structures during a validation (grown when a message nests deeper). */
let ends: Uint32Array = new Uint32Array(64);

/**
 * Checks the message from offset 0: the same checks, in the same order, with the same errors, as
 * decoder.ts `readItem`, but as one flat loop over the headers (no call per item) with the open
 * Structures' ends on a stack. Returns the offset just past the top item.
 */
function checkMessage(): number {
  const buf = b;
  let o = 0;
  /** Where the enclosing item ends (the buffer's end for the top item). */
  let end = buf.length;
  let depth = 1;
  let open = 0;
  for (;;) {
    const start = o;
    if (end - start < 8) throw fail.shortHeader(start, end);
    const prefix = buf[start]!;
    if (prefix !== 0x42 && prefix !== 0x54) throw fail.badPrefix(prefix, start);
    const type = buf[start + 3]!;
    const length = ((buf[start + 4]! << 24) | (buf[start + 5]! << 16) | (buf[start + 6]! << 8) | buf[start + 7]!) >>> 0;
    if (++items > maxItems) throw fail.tooMany(maxItems, start, tagAt(start));
    const v = start + 8;
    const left = end - v;
    switch (type) {
      case ItemType.Structure:
        if (length > left) throw fail.overrun(start, tagAt(start), length, left);
        if ((length & 7) !== 0) throw fail.structureLength(length, start, tagAt(start));
        if (length > 0) {
          if (depth >= maxDepth) throw fail.tooDeep(maxDepth, start, tagAt(start));
          if (open === ends.length) ends = grow(ends);
          ends[open++] = end;
          end = v + length;
          depth++;
        }
        o = v;
        break;
      case ItemType.Integer:
      case ItemType.Enumeration:
      case ItemType.Interval:
        if (length !== 4 || left < 8) throw fail.badFixed(start, tagAt(start), type, length, 4, left);
        if (strictPadding && (buf[v + 4]! | buf[v + 5]! | buf[v + 6]! | buf[v + 7]!) !== 0) {
          throw fail.badPadding(start + 12, tagAt(start));
        }
        o = v + 8;
        break;
      case ItemType.LongInteger:
      case ItemType.DateTime:
      case ItemType.DateTimeExtended:
        if (length !== 8 || left < 8) throw fail.badFixed(start, tagAt(start), type, length, 8, left);
        o = v + 8;
        break;
      case ItemType.Boolean:
        if (length !== 8 || left < 8) throw fail.badFixed(start, tagAt(start), type, length, 8, left);
        if (
          (buf[v]! | buf[v + 1]! | buf[v + 2]! | buf[v + 3]! | buf[v + 4]! | buf[v + 5]! | buf[v + 6]!) !== 0 ||
          buf[v + 7]! > 1
        ) {
          throw fail.badBoolean(v, tagAt(start));
        }
        o = v + 8;
        break;
      case ItemType.TextString: {
        const padded = (length + 7) & ~7;
        if (length > left || padded > left) throw fail.overrun(start, tagAt(start), padded, left);
        const stop = v + length;
        if (length > 0 && buf[stop - 1] === 0) throw fail.nulTerminator(stop - 1, tagAt(start));
        // ASCII (the common case) four bytes a step; anything else by the native strict UTF-8
        // check, which accepts exactly what the fatal TextDecoder of decodeTtlv accepts.
        let high = 0;
        let i = v;
        for (; i + 4 <= stop; i += 4) high |= buf[i]! | buf[i + 1]! | buf[i + 2]! | buf[i + 3]!;
        for (; i < stop; i++) high |= buf[i]!;
        if (high >= 0x80 && !isUtf8(buf.subarray(v, stop))) throw fail.badUtf8(v, tagAt(start));
        if (strictPadding) checkPadding(stop, v + padded, start);
        o = v + padded;
        break;
      }
      case ItemType.ByteString: {
        const padded = (length + 7) & ~7;
        if (length > left || padded > left) throw fail.overrun(start, tagAt(start), padded, left);
        if (strictPadding) checkPadding(v + length, v + padded, start);
        o = v + padded;
        break;
      }
      case ItemType.BigInteger:
        if (length > left) throw fail.overrun(start, tagAt(start), length, left);
        if (length === 0 || (length & 7) !== 0) throw fail.bigIntegerLength(length, start, tagAt(start));
        o = v + length;
        break;
      default:
        throw fail.unknownType(type, start, tagAt(start));
    }
    // Close every Structure this item completed; the top item done, the message is.
    while (o === end && open > 0) {
      end = ends[--open]!;
      depth--;
    }
    if (open === 0) return o;
  }
}

function grow(stack: Uint32Array): Uint32Array {
  const bigger = new Uint32Array(stack.length * 2);
  bigger.set(stack);
  return bigger;
}

/** The tag of the item at `start`, for an error (the hot path never assembles it). */
function tagAt(start: number): number {
  return (b[start]! << 16) | (b[start + 1]! << 8) | b[start + 2]!;
}

/** Text and Byte String padding (to a multiple of 8) must be zero. */
function checkPadding(from: number, to: number, start: number): void {
  for (let i = from; i < to; i++) if (b[i] !== 0) throw fail.badPadding(from, tagAt(start));
}
