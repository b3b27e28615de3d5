/**
 * A cursor over one message's bytes: reads big-endian fields at `offset` and advances it. Knows
 * nothing of TTLV items; the decoder checks lengths before it calls a read, so reads never run
 * past the end. Tuned for many small fields: no subarrays for text, numbers read byte by byte.
 */
/** Buffer's native latin1 slice (what `toString('latin1', start, end)` calls after checking its arguments). */
type LatinBuffer = Buffer & { latin1Slice(start: number, end: number): string };

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Recently decoded short ASCII strings, direct-mapped by a hash of their bytes. KMIP messages
 * repeat the same short texts (attribute names, identifiers); handing out the same immutable
 * string again saves a native call and an allocation per item.
 */
const textCacheSlots = 4096;
const textCacheMaxLength = 40;
const textCache: string[] = new Array<string>(textCacheSlots).fill('');

export class BufferReader {
  offset = 0;
  /** A private copy of the message, made on the first Byte String; values are views into it. */
  private copy: Buffer | undefined;

  constructor(readonly buf: Buffer) {}

  u8(): number {
    return this.buf[this.offset++]!;
  }

  /** Unsigned 24-bit (an Item Tag). */
  u24(): number {
    const b = this.buf;
    const o = this.offset;
    this.offset = o + 3;
    return (b[o]! << 16) | (b[o + 1]! << 8) | b[o + 2]!;
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

  /** Signed 64-bit; values within 2^53 (every real date) take the one-conversion path. */
  i64(): bigint {
    const b = this.buf;
    const o = this.offset;
    this.offset = o + 8;
    const high = (b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!;
    if (high >= -0x200000 && high < 0x200000) {
      const low = ((b[o + 4]! << 24) | (b[o + 5]! << 16) | (b[o + 6]! << 8) | b[o + 7]!) >>> 0;
      return BigInt(high * 4294967296 + low);
    }
    return b.readBigInt64BE(o);
  }

  /** Big-endian two's complement of `length` bytes (length > 0). */
  bigInt(length: number): bigint {
    if (length === 8) return this.i64();
    const b = this.buf;
    const o = this.offset;
    this.offset = o + length;
    const unsigned = BigInt('0x' + b.toString('hex', o, o + length));
    return b[o]! & 0x80 ? unsigned - (1n << BigInt(length * 8)) : unsigned;
  }

  /**
   * Strict UTF-8 (RFC 3629): returns undefined for an invalid sequence. Short texts are looked up
   * in the cache first (a match proves them ASCII); others are checked for ASCII, then decoded
   * with the latin1 fast path or the fatal UTF-8 decoder.
   */
  text(length: number): string | undefined {
    const b = this.buf;
    const o = this.offset;
    const end = o + length;
    this.offset = end;
    let slot = -1;
    if (length <= textCacheMaxLength && length > 0) {
      // Hash of the length and the first and last four bytes: cheap, and enough to spread
      // identifiers and attribute names.
      const last = end - 4 > o ? end - 4 : o;
      let hash = length * 0x9e3779b1;
      hash = Math.imul(hash ^ ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!), 0x85ebca6b);
      hash = Math.imul(
        hash ^ ((b[last]! << 24) | (b[last + 1]! << 16) | (b[last + 2]! << 8) | b[last + 3]!),
        0xc2b2ae35,
      );
      slot = (hash ^ (hash >>> 15)) & (textCacheSlots - 1);
      const cached = textCache[slot]!;
      if (cached.length === length) {
        let i = 0;
        while (i < length && cached.charCodeAt(i) === b[o + i]) i++;
        if (i === length) return cached;
      }
    }
    for (let i = o; i < end; i++) if (b[i]! >= 0x80) return this.utf8(o, end);
    const text = (b as LatinBuffer).latin1Slice(o, end);
    if (slot >= 0) textCache[slot] = text;
    return text;
  }

  private utf8(start: number, end: number): string | undefined {
    try {
      return strictUtf8.decode(this.buf.subarray(start, end));
    } catch {
      return undefined;
    }
  }

  /**
   * `length` bytes as a plain Uint8Array view into a private copy of the message, never into the
   * caller's buffer: wiping the message does not wipe decoded values, nor the other way round.
   * (Views of one message share that copy's ArrayBuffer; copy a value before keeping it apart.)
   */
  bytes(length: number): Uint8Array {
    const o = this.offset;
    this.offset = o + length;
    const copy = (this.copy ??= Buffer.from(this.buf));
    return new Uint8Array(copy.buffer, copy.byteOffset + o, length);
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
