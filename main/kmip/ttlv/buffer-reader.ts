/**
 * A cursor over one message's bytes: reads big-endian fields at `offset` and advances it. Knows
 * nothing of TTLV items; the decoder checks lengths before it calls a read, so reads never run
 * past the end.
 */
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export class BufferReader {
  offset = 0;

  constructor(readonly buf: Buffer) {}

  /** Unsigned 24-bit (an Item Tag). */
  u24(): number {
    const b = this.buf;
    const o = this.offset;
    this.offset = o + 3;
    return (b[o]! << 16) | (b[o + 1]! << 8) | b[o + 2]!;
  }

  u8(): number {
    return this.buf[this.offset++]!;
  }

  u32(): number {
    const b = this.buf;
    const o = this.offset;
    this.offset = o + 4;
    return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
  }

  i32(): number {
    const b = this.buf;
    const o = this.offset;
    this.offset = o + 4;
    return (b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!;
  }

  i64(): bigint {
    const v = this.buf.readBigInt64BE(this.offset);
    this.offset += 8;
    return v;
  }

  /** Big-endian two's complement of `length` bytes (length > 0). */
  bigInt(length: number): bigint {
    const b = this.buf;
    const o = this.offset;
    this.offset = o + length;
    if (length === 8) return b.readBigInt64BE(o);
    const unsigned = BigInt('0x' + b.toString('hex', o, o + length));
    return b[o]! & 0x80 ? unsigned - (1n << BigInt(length * 8)) : unsigned;
  }

  /** Strict UTF-8 (RFC 3629): returns undefined for an invalid sequence. ASCII takes a fast path. */
  text(length: number): string | undefined {
    const b = this.buf;
    const o = this.offset;
    const end = o + length;
    this.offset = end;
    let i = o;
    while (i < end && b[i]! < 0x80) i++;
    if (i === end) return b.toString('latin1', o, end);
    try {
      return strictUtf8.decode(b.subarray(o, end));
    } catch {
      return undefined;
    }
  }

  /** A plain Uint8Array copy of `length` bytes, never a view into the message (wiping one never wipes the other). */
  bytes(length: number): Uint8Array {
    const b = this.buf;
    const o = this.offset;
    this.offset = o + length;
    const out = new Uint8Array(length);
    if (length > 64) out.set(b.subarray(o, o + length));
    else for (let i = 0; i < length; i++) out[i] = b[o + i]!;
    return out;
  }

  /** True when the next `length` bytes are all zero (does not advance). */
  zeros(length: number): boolean {
    const b = this.buf;
    const end = this.offset + length;
    for (let i = this.offset; i < end; i++) if (b[i] !== 0) return false;
    return true;
  }

  skip(length: number): void {
    this.offset += length;
  }
}
