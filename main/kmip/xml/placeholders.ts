// Test-case placeholders ("$UNIQUE_IDENTIFIER_0", "$NOW", "$NOW-3600", "$DATA_1"): the OASIS
// test cases put them where the real value is only known at run time.
import { ItemType, type TtlvItem } from '../ttlv/index.js';

export interface PlaceholderRequest {
  /** The placeholder as written, e.g. "$NOW-3600". */
  text: string;
  type: ItemType;
  tag: number;
  /** Where in the document, for messages. */
  path: string;
}

/** Returns the value to use for a placeholder, or undefined to treat the text normally. */
export type PlaceholderResolver = (p: PlaceholderRequest) => TtlvItem['value'] | undefined;

const placeholder = /^\$[A-Z][A-Z0-9_]*([+-]\d+)?$/;

export function isPlaceholder(text: string): boolean {
  return placeholder.test(text);
}

/**
 * Sample values, so a test-case message can become bytes: "$NOW" is `now` (POSIX seconds),
 * "$NOW+n" / "$NOW-n" that plus or minus n seconds; a Byte String placeholder becomes the ASCII
 * bytes of its own text; numbers 0, Booleans false. Text String placeholders stay text.
 */
export function samplePlaceholders(options: { now?: bigint } = {}): PlaceholderResolver {
  const now = options.now ?? 1_767_225_600n; // 2026-01-01T00:00:00Z
  return ({ text, type }) => {
    const m = /^\$NOW([+-]\d+)?$/.exec(text);
    const offset = m?.[1] === undefined ? 0n : BigInt(m[1]);
    switch (type) {
      case ItemType.DateTime:
        return m ? now + offset : undefined;
      case ItemType.DateTimeExtended:
        return m ? (now + offset) * 1_000_000n : undefined;
      case ItemType.ByteString:
        return new TextEncoder().encode(text);
      case ItemType.Integer:
      case ItemType.Interval:
      case ItemType.Enumeration:
        return 0;
      case ItemType.LongInteger:
      case ItemType.BigInteger:
        return 0n;
      case ItemType.Boolean:
        return false;
      default:
        return undefined;
    }
  };
}

/** Items that came from placeholders, by identity, so a writer can put the placeholder back. */
export type PlaceholderMap = WeakMap<TtlvItem, string>;
