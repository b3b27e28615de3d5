import { BufferReader } from './buffer-reader.js';
import { resolveTtlvLimits, TtlvError, type TtlvDecodeOptions, type TtlvLimits } from './errors.js';
import { ItemType, type TtlvItem } from './item.js';

const typeNames = [
  '',
  'Structure',
  'Integer',
  'Long Integer',
  'Big Integer',
  'Enumeration',
  'Boolean',
  'Text String',
  'Byte String',
  'Date-Time',
  'Interval',
  'Date-Time Extended',
];

/**
 * Decodes exactly one TTLV item that fills `bytes` (KMIP 1.4 section 9.1.1; Date-Time Extended
 * from 2.1 section 10.1). Strict on lengths: fixed-size types must carry their exact length,
 * structures must be filled exactly by their items, Text and Byte Strings must carry their
 * padding; padding bytes must be zero unless `strictPadding` is false. A Big Integer may carry
 * more sign-extension bytes than the minimum. Every malformed input throws a TtlvError with the
 * offset; nothing else is thrown.
 */
export function decodeTtlv(bytes: Uint8Array, options?: TtlvDecodeOptions): TtlvItem {
  const limits = resolveTtlvLimits(options);
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length > limits.maxMessageBytes) {
    throw new TtlvError(`message of ${buf.length} bytes exceeds the limit of ${limits.maxMessageBytes}`, 0);
  }
  const decoder = new Decoder(buf, limits, options?.strictPadding !== false);
  const item = decoder.item(buf.length, 1);
  if (decoder.offset !== buf.length) {
    throw new TtlvError(`${buf.length - decoder.offset} bytes follow the message`, decoder.offset);
  }
  return item;
}

class Decoder extends BufferReader {
  private items = 0;

  constructor(
    buf: Buffer,
    private readonly limits: TtlvLimits,
    private readonly strictPadding: boolean,
  ) {
    super(buf);
  }

  /** Reads one item that must end at or before `end`. */
  item(end: number, depth: number): TtlvItem {
    const start = this.offset;
    if (end - start < 8) {
      throw new TtlvError(`short read: an item header needs 8 bytes, ${end - start} left`, start);
    }
    const prefix = this.buf[start];
    if (prefix !== 0x42 && prefix !== 0x54) {
      throw new TtlvError(`tag prefix 0x${prefix!.toString(16).padStart(2, '0')} is neither 0x42 nor 0x54`, start);
    }
    const tag = this.u24();
    const type = this.u8();
    const length = this.u32();
    if (++this.items > this.limits.maxItems) {
      throw new TtlvError(`more than ${this.limits.maxItems} items`, start, tag);
    }
    const left = end - this.offset;
    switch (type) {
      case ItemType.Structure: {
        if (length > left) throw this.overrun(start, tag, length, left);
        if (length % 8 !== 0) throw new TtlvError(`Structure length ${length} is not a multiple of 8`, start, tag);
        if (depth >= this.limits.maxDepth && length > 0) {
          throw new TtlvError(`nesting deeper than ${this.limits.maxDepth}`, start, tag);
        }
        const stop = this.offset + length;
        const value: TtlvItem[] = [];
        while (this.offset < stop) value.push(this.item(stop, depth + 1));
        return { tag, type: ItemType.Structure, value };
      }
      case ItemType.Integer:
        this.fixed(start, tag, type, length, 4, left);
        return { tag, type: ItemType.Integer, value: this.padded4(this.i32(), start, tag) };
      case ItemType.Enumeration:
        this.fixed(start, tag, type, length, 4, left);
        return { tag, type: ItemType.Enumeration, value: this.padded4(this.u32(), start, tag) };
      case ItemType.Interval:
        this.fixed(start, tag, type, length, 4, left);
        return { tag, type: ItemType.Interval, value: this.padded4(this.u32(), start, tag) };
      case ItemType.LongInteger:
        this.fixed(start, tag, type, length, 8, left);
        return { tag, type: ItemType.LongInteger, value: this.i64() };
      case ItemType.DateTime:
        this.fixed(start, tag, type, length, 8, left);
        return { tag, type: ItemType.DateTime, value: this.i64() };
      case ItemType.DateTimeExtended:
        this.fixed(start, tag, type, length, 8, left);
        return { tag, type: ItemType.DateTimeExtended, value: this.i64() };
      case ItemType.Boolean: {
        this.fixed(start, tag, type, length, 8, left);
        // KMIP 1.4 section 9.1.1.4: exactly 0000000000000000 or 0000000000000001.
        const high = this.u32();
        const low = this.u32();
        if (high !== 0 || low > 1) throw new TtlvError('Boolean value is neither 0 nor 1', start + 8, tag);
        return { tag, type: ItemType.Boolean, value: low === 1 };
      }
      case ItemType.BigInteger: {
        if (length > left) throw this.overrun(start, tag, length, left);
        if (length === 0 || length % 8 !== 0) {
          throw new TtlvError(`Big Integer length ${length} is not a positive multiple of 8`, start, tag);
        }
        return { tag, type: ItemType.BigInteger, value: this.bigInt(length) };
      }
      case ItemType.TextString: {
        this.variable(start, tag, length, left);
        if (length > 0 && this.buf[this.offset + length - 1] === 0) {
          throw new TtlvError('Text String ends with a NUL terminator', this.offset + length - 1, tag);
        }
        const value = this.text(length);
        if (value === undefined) throw new TtlvError('Text String is not valid UTF-8', start + 8, tag);
        this.padding(length, start, tag);
        return { tag, type: ItemType.TextString, value };
      }
      case ItemType.ByteString: {
        this.variable(start, tag, length, left);
        const value = this.bytes(length);
        this.padding(length, start, tag);
        return { tag, type: ItemType.ByteString, value };
      }
      default:
        throw new TtlvError(`unknown item type 0x${type.toString(16).padStart(2, '0')}`, start + 3, tag);
    }
  }

  /** Fixed-length types: exact length, and 8 value+padding bytes present. */
  private fixed(start: number, tag: number, type: number, length: number, expected: number, left: number): void {
    if (length !== expected) {
      throw new TtlvError(`${typeNames[type]} length is ${length}, must be ${expected}`, start + 4, tag);
    }
    if (left < 8) throw this.overrun(start, tag, 8, left);
  }

  /** Integer, Enumeration, Interval: 4 value bytes then 4 padding bytes (section 9.1.1.3). */
  private padded4(value: number, start: number, tag: number): number {
    const b = this.buf;
    const o = this.offset;
    if (this.strictPadding && (b[o]! | b[o + 1]! | b[o + 2]! | b[o + 3]!) !== 0) {
      throw new TtlvError('non-zero padding', start + 12, tag);
    }
    this.offset = o + 4;
    return value;
  }

  /** Text and Byte String: value plus its padding to a multiple of 8 must fit. */
  private variable(start: number, tag: number, length: number, left: number): void {
    const padded = length + ((8 - (length % 8)) % 8);
    if (padded > left) throw this.overrun(start, tag, padded, left);
  }

  private padding(length: number, start: number, tag: number): void {
    const pad = (8 - (length % 8)) % 8;
    if (this.strictPadding && !this.zeros(pad)) throw new TtlvError('non-zero padding', start + 8 + length, tag);
    this.skip(pad);
  }

  private overrun(start: number, tag: number, needed: number, left: number): TtlvError {
    return new TtlvError(
      `short read: the value needs ${needed} bytes, only ${left} left in the enclosing item`,
      start + 4,
      tag,
    );
  }
}
