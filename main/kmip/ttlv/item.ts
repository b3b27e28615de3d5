/**
 * A decoded TTLV item (KMIP 1.4 section 9.1.1). The in-memory form every encoding (TTLV bytes,
 * XML, JSON) converts to and from. Tags are numbers (0x42xxxx standard, 0x54xxxx extension).
 */
export const ItemType = {
  Structure: 0x01,
  Integer: 0x02,
  LongInteger: 0x03,
  BigInteger: 0x04,
  Enumeration: 0x05,
  Boolean: 0x06,
  TextString: 0x07,
  ByteString: 0x08,
  DateTime: 0x09,
  Interval: 0x0a,
  DateTimeExtended: 0x0b,
} as const;
export type ItemType = (typeof ItemType)[keyof typeof ItemType];

export type StructureItem = { tag: number; type: typeof ItemType.Structure; value: TtlvItem[] };
/** Signed 32-bit. */
export type IntegerItem = { tag: number; type: typeof ItemType.Integer; value: number };
/** Signed 64-bit. */
export type LongIntegerItem = { tag: number; type: typeof ItemType.LongInteger; value: bigint };
/** Two's complement, any length (encoded sign-extended to a multiple of 8 bytes). */
export type BigIntegerItem = { tag: number; type: typeof ItemType.BigInteger; value: bigint };
/** Unsigned 32-bit; extension values have 0x8 in the top nibble. */
export type EnumerationItem = { tag: number; type: typeof ItemType.Enumeration; value: number };
export type BooleanItem = { tag: number; type: typeof ItemType.Boolean; value: boolean };
export type TextStringItem = { tag: number; type: typeof ItemType.TextString; value: string };
export type ByteStringItem = { tag: number; type: typeof ItemType.ByteString; value: Uint8Array };
/** Signed 64-bit POSIX seconds. */
export type DateTimeItem = { tag: number; type: typeof ItemType.DateTime; value: bigint };
/** Unsigned 32-bit seconds. */
export type IntervalItem = { tag: number; type: typeof ItemType.Interval; value: number };
/** Signed 64-bit POSIX microseconds (KMIP 2.0+). */
export type DateTimeExtendedItem = { tag: number; type: typeof ItemType.DateTimeExtended; value: bigint };

export type TtlvItem =
  | StructureItem
  | IntegerItem
  | LongIntegerItem
  | BigIntegerItem
  | EnumerationItem
  | BooleanItem
  | TextStringItem
  | ByteStringItem
  | DateTimeItem
  | IntervalItem
  | DateTimeExtendedItem;
