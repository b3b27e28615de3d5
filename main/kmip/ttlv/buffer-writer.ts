/**
 * A growable big-endian writer. Structures reserve their 4-byte length and fill it in once their
 * items are written. One scratch buffer is reused across messages; `flush()` hands out an exact
 * copy and wipes what was written, so no key material lingers in the scratch space.
 */
export class BufferWriter {
  private buf: Buffer;
  offset = 0;

  constructor(initialSize = 16 * 1024) {
    this.buf = Buffer.alloc(initialSize);
  }

  /** Makes room for `n` more bytes. */
  ensure(n: number): void {
    const need = this.offset + n;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const grown = Buffer.alloc(size);
    this.buf.copy(grown, 0, 0, this.offset);
    this.buf.fill(0, 0, this.offset);
    this.buf = grown;
  }

  /** Tag, type and length: 8 bytes. Returns the offset of the length field for `backfill`. */
  header(tag: number, type: number, length: number): number {
    this.ensure(8);
    const b = this.buf;
    const o = this.offset;
    b[o] = tag >>> 16;
    b[o + 1] = tag >>> 8;
    b[o + 2] = tag;
    b[o + 3] = type;
    b.writeUInt32BE(length, o + 4);
    this.offset = o + 8;
    return o + 4;
  }

  /** Writes the length field reserved at `at` as the count of bytes written since it. */
  backfill(at: number): void {
    this.buf.writeUInt32BE(this.offset - at - 4, at);
  }

  /** A 32-bit value then 4 zero padding bytes. */
  u32Padded(value: number): void {
    this.ensure(8);
    const b = this.buf;
    const o = this.offset;
    b.writeUInt32BE(value >>> 0, o);
    b.writeUInt32BE(0, o + 4);
    this.offset = o + 8;
  }

  /** An 8-byte big-endian value below 2^32 (a Boolean). */
  u64Small(value: number): void {
    this.ensure(8);
    const b = this.buf;
    const o = this.offset;
    b.writeUInt32BE(0, o);
    b.writeUInt32BE(value >>> 0, o + 4);
    this.offset = o + 8;
  }

  i64(value: bigint): void {
    this.ensure(8);
    this.buf.writeBigInt64BE(value, this.offset);
    this.offset += 8;
  }

  /** Copies `bytes` and zero padding to a multiple of 8. */
  bytesPadded(bytes: Uint8Array): void {
    const padded = (bytes.length + 7) & ~7;
    this.ensure(padded);
    this.buf.set(bytes, this.offset);
    this.buf.fill(0, this.offset + bytes.length, this.offset + padded);
    this.offset += padded;
  }

  /** Writes a hex string (even length) as bytes. */
  hex(hex: string): void {
    const n = hex.length >>> 1;
    this.ensure(n);
    this.buf.write(hex, this.offset, n, 'hex');
    this.offset += n;
  }

  /**
   * UTF-8 text then zero padding; returns the byte length. The caller must have written a header
   * whose length field is at `lengthAt`; it is filled in here since the byte count is known only
   * after writing.
   */
  textPadded(text: string, lengthAt: number): number {
    const n = text.length;
    this.ensure(n * 3 + 8);
    const b = this.buf;
    let o = this.offset;
    let written: number;
    if (n < 32) {
      let i = 0;
      for (; i < n; i++) {
        const c = text.charCodeAt(i);
        if (c >= 0x80) break;
        b[o + i] = c;
      }
      written = i === n ? n : b.write(text, o, 'utf8');
    } else {
      written = b.write(text, o, 'utf8');
    }
    b.writeUInt32BE(written, lengthAt);
    o += written;
    const padded = (written + 7) & ~7;
    b.fill(0, o, this.offset + padded);
    this.offset += padded;
    return written;
  }

  /** An exact copy of everything written; wipes the scratch space and resets. */
  flush(): Buffer {
    const out = Buffer.allocUnsafe(this.offset);
    this.buf.copy(out, 0, 0, this.offset);
    this.buf.fill(0, 0, this.offset);
    this.offset = 0;
    return out;
  }

  /** Discards what was written (after an error), wiping it. */
  reset(): void {
    this.buf.fill(0, 0, this.offset);
    this.offset = 0;
  }
}
