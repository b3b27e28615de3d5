import { KeyholdError } from '../../shared/errors.js';

/** A TTLV message header: 3-byte tag, 1-byte type, 4-byte big-endian length (KMIP 1.4 section 9.1.1). */
const HEADER_BYTES = 8;

/**
 * Splits a TLS byte stream into whole TTLV messages. The length is checked against the limit as
 * soon as the 8-byte header is complete, before any value bytes are kept (INTEROP-NOTES 10).
 */
export class FrameSplitter {
  private chunks: Buffer[] = [];
  private buffered = 0;

  constructor(private readonly maxMessageBytes: number) {}

  /** Feeds bytes; returns the complete messages they finish. Throws `codec` on an oversized or malformed header. */
  push(data: Buffer): Buffer[] {
    this.chunks.push(data);
    this.buffered += data.length;
    const frames: Buffer[] = [];
    for (;;) {
      if (this.buffered < HEADER_BYTES) break;
      const head = this.peek(HEADER_BYTES);
      const length = head.readUInt32BE(4);
      const total = HEADER_BYTES + length;
      if (head[0] !== 0x42 && head[0] !== 0x54) {
        throw new KeyholdError('codec', 'a message does not start with a KMIP tag', { reason: 'Invalid Message' });
      }
      if (head[3] !== 0x01) {
        throw new KeyholdError('codec', 'a message is not a TTLV Structure', { reason: 'Invalid Message' });
      }
      if (total > this.maxMessageBytes) {
        throw new KeyholdError('codec', `a message of ${total} bytes exceeds the limit of ${this.maxMessageBytes}`, {
          reason: 'Invalid Message',
        });
      }
      if (this.buffered < total) break;
      frames.push(this.take(total));
    }
    return frames;
  }

  /** Bytes held that do not yet form a whole message. */
  get pending(): number {
    return this.buffered;
  }

  private peek(n: number): Buffer {
    const head = this.chunks.length === 1 ? (this.chunks[0] as Buffer) : Buffer.concat(this.chunks);
    this.chunks = [head];
    return head.subarray(0, n);
  }

  private take(n: number): Buffer {
    const all = this.chunks.length === 1 ? (this.chunks[0] as Buffer) : Buffer.concat(this.chunks);
    const frame = Buffer.from(all.subarray(0, n));
    const rest = all.subarray(n);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.buffered = rest.length;
    return frame;
  }
}
