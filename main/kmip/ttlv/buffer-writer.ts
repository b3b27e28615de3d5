// The global `Buffer` is a getter in an ES module; flush() makes one Buffer per message.
import { Buffer } from 'node:buffer';

/**
 * A growable big-endian writer. Structures reserve their 4-byte length and fill it in once their
 * items are written. One scratch buffer is reused across messages; `flush()` hands out an exact
 * copy and wipes what was written, so no key material lingers in the scratch space.
 *
 * Invariant: every byte at or past `offset` is zero (the buffer starts zeroed, grows into zeroed
 * memory, and `flush`/`reset` wipe what was written). Padding therefore needs no writing.
 */
export class BufferWriter {
  buf: Buffer;
  offset = 0;

  constructor(initialSize = 16 * 1024) {
    this.buf = Buffer.alloc(initialSize);
  }

  /** Makes room for `n` more bytes. */
  ensure(n: number): void {
    if (this.offset + n > this.buf.length) this.grow(this.offset + n);
  }

  private grow(need: number): void {
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const grown = Buffer.alloc(size);
    this.buf.copy(grown, 0, 0, this.offset);
    this.buf.fill(0, 0, this.offset);
    this.buf = grown;
  }

  /**
   * Tag, type and length, then room for `reserve` value bytes (zero until written). Returns the
   * offset of the length field, for `backfill`.
   */
  header(tag: number, type: number, length: number, reserve: number): number {
    if (this.offset + 8 + reserve > this.buf.length) this.grow(this.offset + 8 + reserve);
    const b = this.buf;
    const o = this.offset;
    b[o] = tag >>> 16;
    b[o + 1] = tag >>> 8;
    b[o + 2] = tag;
    b[o + 3] = type;
    b[o + 4] = length >>> 24;
    b[o + 5] = length >>> 16;
    b[o + 6] = length >>> 8;
    b[o + 7] = length;
    this.offset = o + 8;
    return o + 4;
  }

  /** Writes the length field reserved at `at` as the count of bytes written since it. */
  backfill(at: number): void {
    const b = this.buf;
    const length = this.offset - at - 4;
    b[at] = length >>> 24;
    b[at + 1] = length >>> 16;
    b[at + 2] = length >>> 8;
    b[at + 3] = length;
  }

  /** A 32-bit value then 4 padding bytes (room reserved by `header`). */
  u32Padded(value: number): void {
    const b = this.buf;
    const o = this.offset;
    b[o] = value >>> 24;
    b[o + 1] = value >>> 16;
    b[o + 2] = value >>> 8;
    b[o + 3] = value;
    this.offset = o + 8;
  }

  /** Signed 64-bit (room reserved by `header`). */
  i64(value: bigint): void {
    const b = this.buf;
    const o = this.offset;
    if (value >= -0x20000000000000n && value <= 0x20000000000000n) {
      const n = Number(value);
      const high = Math.floor(n / 4294967296);
      const low = n - high * 4294967296;
      b[o] = high >>> 24;
      b[o + 1] = high >>> 16;
      b[o + 2] = high >>> 8;
      b[o + 3] = high;
      b[o + 4] = low >>> 24;
      b[o + 5] = low >>> 16;
      b[o + 6] = low >>> 8;
      b[o + 7] = low;
    } else {
      b.writeBigInt64BE(value, o);
    }
    this.offset = o + 8;
  }

  /** Copies `bytes`; padding to a multiple of 8 is already zero. */
  bytesPadded(bytes: Uint8Array): void {
    const n = bytes.length;
    const padded = (n + 7) & ~7;
    this.ensure(padded);
    const b = this.buf;
    const o = this.offset;
    if (n > 32) b.set(bytes, o);
    else for (let i = 0; i < n; i++) b[o + i] = bytes[i]!;
    this.offset = o + padded;
  }

  /** Writes a hex string (even length) as bytes. */
  hex(hex: string): void {
    const n = hex.length >>> 1;
    this.ensure(n);
    this.buf.write(hex, this.offset, n, 'hex');
    this.offset += n;
  }

  /**
   * UTF-8 text then padding; returns the byte length. The caller must have written a header whose
   * length field is at `lengthAt`; it is filled in here since the byte count is known only after
   * writing.
   */
  textPadded(text: string, lengthAt: number): number {
    const n = text.length;
    this.ensure(n * 3 + 8);
    const b = this.buf;
    const o = this.offset;
    let written = n;
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c >= 0x80) {
        written = b.write(text, o, 'utf8');
        break;
      }
      b[o + i] = c;
    }
    b[lengthAt] = written >>> 24;
    b[lengthAt + 1] = written >>> 16;
    b[lengthAt + 2] = written >>> 8;
    b[lengthAt + 3] = written;
    this.offset = o + ((written + 7) & ~7);
    return written;
  }

  /** An exact copy of everything written; wipes the scratch space and resets. */
  flush(): Buffer {
    const n = this.offset;
    const out = Buffer.allocUnsafe(n);
    this.buf.copy(out, 0, 0, n);
    this.buf.fill(0, 0, n);
    this.offset = 0;
    return out;
  }

  /** Discards what was written (after an error), wiping it. */
  reset(): void {
    this.buf.fill(0, 0, this.buf.length);
    this.offset = 0;
  }
}
