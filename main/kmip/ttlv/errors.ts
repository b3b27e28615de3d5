import { KeyholdError } from '../../../shared/errors.js';

/**
 * Bounds on one decoded message. Every decode and every stream frame is checked against them, so
 * a peer cannot make the server allocate, recurse or loop without limit.
 */
export interface TtlvLimits {
  /** Largest whole message (8-byte header included), checked before any buffering. */
  maxMessageBytes: number;
  /** Deepest nesting; the top item is depth 1. */
  maxDepth: number;
  /** Most items (of any type, the top item included) in one message. */
  maxItems: number;
}

/**
 * Defaults sized for a small-office server: the largest real messages (certificate chains, big
 * opaque objects, long Locate results) are well under a megabyte; the deepest OASIS test case
 * nests 8 levels.
 */
export const defaultTtlvLimits: Readonly<TtlvLimits> = Object.freeze({
  maxMessageBytes: 8 * 1024 * 1024,
  maxDepth: 32,
  maxItems: 100_000,
});

/** Decode options: the limits, and how to treat non-zero padding bytes. */
export interface TtlvDecodeOptions extends Partial<TtlvLimits> {
  /**
   * Padding bytes (after Integer, Enumeration, Interval, Text and Byte String values) must be zero
   * (default true). KMIP 1.4 section 9.1.1.3 says how many padding bytes there are but not their
   * value; every encoder we know writes zeros, so a non-zero pad is treated as a framing error.
   * Set false to accept any pad bytes from a peer that leaves them uninitialised.
   */
  strictPadding?: boolean;
}

export function resolveTtlvLimits(limits: Partial<TtlvLimits> | undefined): TtlvLimits {
  if (limits === undefined) return defaultTtlvLimits;
  return {
    maxMessageBytes: limits.maxMessageBytes ?? defaultTtlvLimits.maxMessageBytes,
    maxDepth: limits.maxDepth ?? defaultTtlvLimits.maxDepth,
    maxItems: limits.maxItems ?? defaultTtlvLimits.maxItems,
  };
}

/**
 * A malformed (or unencodable) TTLV message. `offset` is the byte offset of the offending item
 * or byte in the message; a server answers it with Result Reason "Invalid Message".
 */
export class TtlvError extends KeyholdError {
  readonly offset: number;
  /** The tag of the item being read or written, when known. */
  readonly tag: number | undefined;

  constructor(description: string, offset: number, tag?: number) {
    const where = tag === undefined ? '' : ` (tag ${formatTag(tag)})`;
    super('codec', `TTLV: ${description}${where} at offset ${offset}`, { reason: 'Invalid Message' });
    this.name = 'TtlvError';
    this.offset = offset;
    this.tag = tag;
  }
}

export function isTtlvError(e: unknown): e is TtlvError {
  return e instanceof TtlvError;
}

/** A tag as the spec writes it: 0x420078. */
export function formatTag(tag: number): string {
  return '0x' + tag.toString(16).toUpperCase().padStart(6, '0');
}
