import { BufferWriter } from './buffer-writer.js';
import { formatTag, TtlvError } from './errors.js';
import { ItemType, type TtlvItem } from './item.js';

const scratch = new BufferWriter();
const surrogate = /\p{Surrogate}/u;
const int64Min = -(1n << 63n);
const int64Max = (1n << 63n) - 1n;

/**
 * Encodes one item to TTLV (KMIP 1.4 section 9.1.1). Validates what the bytes cannot express: tag
 * prefix 0x42/0x54, value ranges, well-formed text without a NUL terminator. Throws a TtlvError
 * (offset = output position of the offending item) for an item it cannot encode.
 */
export function encodeTtlv(item: TtlvItem): Buffer {
  try {
    write(scratch, item);
  } catch (e) {
    scratch.reset();
    throw e;
  }
  return scratch.flush();
}

function write(w: BufferWriter, item: TtlvItem): void {
  const tag = item.tag;
  const at = w.offset;
  const prefix = tag >>> 16;
  if ((prefix !== 0x42 && prefix !== 0x54) || !Number.isInteger(tag)) {
    throw new TtlvError(`cannot encode tag ${formatTag(tag)}: prefix must be 0x42 or 0x54`, at);
  }
  switch (item.type) {
    case ItemType.Structure: {
      const lengthAt = w.header(tag, ItemType.Structure, 0, 0);
      const items = item.value;
      for (let i = 0; i < items.length; i++) write(w, items[i]!);
      w.backfill(lengthAt);
      return;
    }
    case ItemType.Integer: {
      const v = item.value;
      if (!Number.isInteger(v) || v < -0x80000000 || v > 0x7fffffff) {
        throw new TtlvError('cannot encode Integer: not a signed 32-bit integer', at, tag);
      }
      w.header(tag, ItemType.Integer, 4, 8);
      w.u32Padded(v);
      return;
    }
    case ItemType.Enumeration:
    case ItemType.Interval: {
      const v = item.value;
      if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) {
        throw new TtlvError(
          `cannot encode ${item.type === ItemType.Interval ? 'Interval' : 'Enumeration'}: not an unsigned 32-bit integer`,
          at,
          tag,
        );
      }
      w.header(tag, item.type, 4, 8);
      w.u32Padded(v);
      return;
    }
    case ItemType.LongInteger:
    case ItemType.DateTime:
    case ItemType.DateTimeExtended: {
      const v = item.value;
      if (typeof v !== 'bigint' || v < int64Min || v > int64Max) {
        throw new TtlvError('cannot encode: not a signed 64-bit bigint', at, tag);
      }
      w.header(tag, item.type, 8, 8);
      w.i64(v);
      return;
    }
    case ItemType.Boolean:
      if (typeof item.value !== 'boolean') throw new TtlvError('cannot encode Boolean: not a boolean', at, tag);
      w.header(tag, ItemType.Boolean, 8, 8);
      w.u32Padded(0);
      if (item.value) w.buf[w.offset - 1] = 1;
      return;
    case ItemType.BigInteger: {
      const v = item.value;
      if (typeof v !== 'bigint') throw new TtlvError('cannot encode Big Integer: not a bigint', at, tag);
      const hex = bigIntHex(v);
      w.header(tag, ItemType.BigInteger, hex.length >>> 1, 0);
      w.hex(hex);
      return;
    }
    case ItemType.TextString: {
      const v = item.value;
      if (typeof v !== 'string') throw new TtlvError('cannot encode Text String: not a string', at, tag);
      if (v.length > 0 && v.charCodeAt(v.length - 1) === 0) {
        throw new TtlvError('cannot encode Text String: ends with a NUL terminator', at, tag);
      }
      const lengthAt = w.header(tag, ItemType.TextString, 0, 0);
      const n = w.textPadded(v, lengthAt);
      if (n !== v.length && surrogate.test(v)) {
        throw new TtlvError('cannot encode Text String: lone UTF-16 surrogate', at, tag);
      }
      return;
    }
    case ItemType.ByteString: {
      const v = item.value;
      if (!(v instanceof Uint8Array)) throw new TtlvError('cannot encode Byte String: not a Uint8Array', at, tag);
      w.header(tag, ItemType.ByteString, v.length, 0);
      w.bytesPadded(v);
      return;
    }
    default:
      throw new TtlvError(`cannot encode unknown item type ${String((item as { type: unknown }).type)}`, at, tag);
  }
}

/**
 * Two's complement, big-endian, sign-extended with the fewest bytes that make a multiple of 8
 * (KMIP 1.4 section 9.1.1.4).
 */
export function bigIntHex(v: bigint): string {
  const magnitude = v < 0n ? -v - 1n : v;
  // Bits for the magnitude plus one sign bit.
  const magHex = magnitude.toString(16);
  const bits = (magHex.length - 1) * 4 + (32 - Math.clz32(parseInt(magHex[0]!, 16))) + 1;
  const bytes = Math.max(8, Math.ceil(bits / 64) * 8);
  const unsigned = v < 0n ? (1n << BigInt(bytes * 8)) + v : v;
  return unsigned.toString(16).padStart(bytes * 2, '0');
}
