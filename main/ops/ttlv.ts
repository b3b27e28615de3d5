import { KeyholdError } from '../../shared/errors.js';
import { ItemType, type StructureItem, type TtlvItem } from '../kmip/ttlv/index.js';

/** Small builders and readers over TtlvItem payloads, so each operation reads like the spec's tables. */
export const t = {
  struct: (tag: number, value: (TtlvItem | undefined)[]): StructureItem => ({
    tag,
    type: ItemType.Structure,
    value: value.filter((v): v is TtlvItem => v !== undefined),
  }),
  int: (tag: number, value: number): TtlvItem => ({ tag, type: ItemType.Integer, value }),
  long: (tag: number, value: bigint): TtlvItem => ({ tag, type: ItemType.LongInteger, value }),
  big: (tag: number, value: bigint): TtlvItem => ({ tag, type: ItemType.BigInteger, value }),
  enm: (tag: number, value: number): TtlvItem => ({ tag, type: ItemType.Enumeration, value }),
  bool: (tag: number, value: boolean): TtlvItem => ({ tag, type: ItemType.Boolean, value }),
  text: (tag: number, value: string): TtlvItem => ({ tag, type: ItemType.TextString, value }),
  bytes: (tag: number, value: Uint8Array): TtlvItem => ({ tag, type: ItemType.ByteString, value }),
  date: (tag: number, value: Date): TtlvItem => ({
    tag,
    type: ItemType.DateTime,
    value: BigInt(Math.floor(value.getTime() / 1000)),
  }),
  interval: (tag: number, value: number): TtlvItem => ({ tag, type: ItemType.Interval, value }),
};

/** The first child with `tag`, or undefined. */
export function find(parent: StructureItem | undefined, tag: number): TtlvItem | undefined {
  if (!parent) return undefined;
  for (const c of parent.value) if (c.tag === tag) return c;
  return undefined;
}

export function findAll(parent: StructureItem | undefined, tag: number): TtlvItem[] {
  return parent ? parent.value.filter((c) => c.tag === tag) : [];
}

function invalid(message: string): KeyholdError {
  return new KeyholdError('invalid-argument', message, { reason: 'Invalid Field' });
}

function missing(what: string): KeyholdError {
  return new KeyholdError('invalid-argument', `${what} is missing`, { reason: 'Invalid Field' });
}

export function findStruct(parent: StructureItem | undefined, tag: number): StructureItem | undefined {
  const item = find(parent, tag);
  if (item === undefined) return undefined;
  if (item.type !== ItemType.Structure) throw invalid(`field 0x${tag.toString(16)} is not a Structure`);
  return item;
}

export function findText(parent: StructureItem | undefined, tag: number): string | undefined {
  const item = find(parent, tag);
  if (item === undefined) return undefined;
  if (item.type !== ItemType.TextString) throw invalid(`field 0x${tag.toString(16)} is not a Text String`);
  return item.value;
}

export function findEnum(parent: StructureItem | undefined, tag: number): number | undefined {
  const item = find(parent, tag);
  if (item === undefined) return undefined;
  if (item.type !== ItemType.Enumeration) throw invalid(`field 0x${tag.toString(16)} is not an Enumeration`);
  return item.value;
}

export function findInt(parent: StructureItem | undefined, tag: number): number | undefined {
  const item = find(parent, tag);
  if (item === undefined) return undefined;
  if (item.type !== ItemType.Integer && item.type !== ItemType.Interval) {
    throw invalid(`field 0x${tag.toString(16)} is not an Integer`);
  }
  return item.value;
}

export function findLong(parent: StructureItem | undefined, tag: number): bigint | undefined {
  const item = find(parent, tag);
  if (item === undefined) return undefined;
  if (item.type === ItemType.LongInteger) return item.value;
  if (item.type === ItemType.Integer) return BigInt(item.value);
  throw invalid(`field 0x${tag.toString(16)} is not a Long Integer`);
}

export function findBytes(parent: StructureItem | undefined, tag: number): Uint8Array | undefined {
  const item = find(parent, tag);
  if (item === undefined) return undefined;
  if (item.type !== ItemType.ByteString) throw invalid(`field 0x${tag.toString(16)} is not a Byte String`);
  return item.value;
}

export function findBool(parent: StructureItem | undefined, tag: number): boolean | undefined {
  const item = find(parent, tag);
  if (item === undefined) return undefined;
  if (item.type !== ItemType.Boolean) throw invalid(`field 0x${tag.toString(16)} is not a Boolean`);
  return item.value;
}

export function findDate(parent: StructureItem | undefined, tag: number): Date | undefined {
  const item = find(parent, tag);
  if (item === undefined) return undefined;
  if (item.type === ItemType.DateTime) return new Date(Number(item.value) * 1000);
  if (item.type === ItemType.DateTimeExtended) return new Date(Number(item.value / 1000n));
  throw invalid(`field 0x${tag.toString(16)} is not a Date-Time`);
}

export function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw missing(what);
  return value;
}
