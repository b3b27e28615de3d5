import { Buffer } from 'node:buffer';
import { formatTag, resolveTtlvLimits, TtlvError, type TtlvLimits } from './errors.js';
import { ItemType } from './item.js';

/**
 * Splits a TCP/TLS byte stream into whole KMIP messages (each one TTLV Structure: an 8-byte
 * header and `length` bytes). Handles partial chunks and several messages per chunk. The length
 * is checked against `maxMessageBytes` as soon as the header is complete, before any body byte is
 * buffered; the body buffer is then allocated once at its exact size. After an error the stream
 * cannot be resynchronised: every later `push` throws the same error.
 */
export class TtlvFrameReader {
  private readonly limits: TtlvLimits;
  private readonly header = Buffer.alloc(8);
  private headerFill = 0;
  private body: Buffer | undefined;
  private bodyFill = 0;
  /** Stream offset of the current frame's first byte (for error offsets). */
  private frameStart = 0;
  private failed: TtlvError | undefined;

  constructor(limits?: Partial<TtlvLimits>) {
    this.limits = resolveTtlvLimits(limits);
  }

  /** Bytes of an incomplete message held (0 between messages: a clean place to close). */
  get pending(): number {
    return this.body === undefined ? this.headerFill : this.bodyFill;
  }

  /** Feeds a chunk; returns the messages it completed, each a fresh Buffer, in order. */
  push(chunk: Uint8Array): Buffer[] {
    if (this.failed !== undefined) throw this.failed;
    const out: Buffer[] = [];
    let at = 0;
    while (at < chunk.length) {
      if (this.body === undefined) {
        const take = Math.min(8 - this.headerFill, chunk.length - at);
        this.header.set(chunk.subarray(at, at + take), this.headerFill);
        this.headerFill += take;
        at += take;
        if (this.headerFill < 8) break;
        this.startBody();
      }
      const body = this.body!;
      const take = Math.min(body.length - this.bodyFill, chunk.length - at);
      body.set(chunk.subarray(at, at + take), this.bodyFill);
      this.bodyFill += take;
      at += take;
      if (this.bodyFill === body.length) {
        out.push(body);
        this.frameStart += body.length;
        this.body = undefined;
        this.bodyFill = 0;
        this.headerFill = 0;
      }
    }
    return out;
  }

  private startBody(): void {
    const h = this.header;
    const tag = (h[0]! << 16) | (h[1]! << 8) | h[2]!;
    const fail = (description: string, offset: number, withTag = true): never => {
      this.failed = new TtlvError(description, this.frameStart + offset, withTag ? tag : undefined);
      throw this.failed;
    };
    if (h[0] !== 0x42 && h[0] !== 0x54) fail(`message tag ${formatTag(tag)} is not a KMIP tag`, 0, false);
    if (h[3] !== ItemType.Structure) fail(`a message must be a Structure, got item type ${h[3]}`, 3);
    const length = h.readUInt32BE(4);
    if (length % 8 !== 0) fail(`Structure length ${length} is not a multiple of 8`, 4);
    if (length + 8 > this.limits.maxMessageBytes) {
      fail(`message of ${length + 8} bytes exceeds the limit of ${this.limits.maxMessageBytes}`, 4);
    }
    const body = Buffer.allocUnsafe(length + 8);
    h.copy(body, 0);
    this.body = body;
    this.bodyFill = 8;
  }
}
