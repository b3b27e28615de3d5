import { enumerationForTag, enumerationValue, enumerationValueName, tagName } from '../registry/index.js';
import { ItemType, type StructureItem, type TtlvItem } from '../ttlv/item.js';
import { MessageError } from './errors.js';

/** Builders and readers over TtlvItem structures, naming the bad field in every error. */
export const item = {
  structure: (tag: number, value: (TtlvItem | undefined)[]): StructureItem => ({
    tag,
    type: ItemType.Structure,
    value: value.filter((v): v is TtlvItem => v !== undefined),
  }),
  integer: (tag: number, value: number): TtlvItem => ({ tag, type: ItemType.Integer, value }),
  boolean: (tag: number, value: boolean): TtlvItem => ({ tag, type: ItemType.Boolean, value }),
  text: (tag: number, value: string): TtlvItem => ({ tag, type: ItemType.TextString, value }),
  bytes: (tag: number, value: Uint8Array): TtlvItem => ({ tag, type: ItemType.ByteString, value }),
  dateTime: (tag: number, value: Date): TtlvItem => ({
    tag,
    type: ItemType.DateTime,
    value: BigInt(Math.floor(value.getTime() / 1000)),
  }),
  /** An enumeration by name (or hex) through the registry's value set for `tag`. */
  enumeration: (tag: number, name: string): TtlvItem => {
    const value = enumerationValue(enumerationForTag(tag), name);
    if (value === undefined) throw new MessageError(`"${name}" is not a ${tagName(tag)} value`, tag, 'Invalid Field');
    return { tag, type: ItemType.Enumeration, value };
  },
};

export function structureOf(parent: TtlvItem, what: string): StructureItem {
  if (parent.type !== ItemType.Structure) throw new MessageError(`${what} is not a Structure`, parent.tag);
  return parent;
}

/** Reads the fields of one structure by tag, in one pass; remembers which were taken. */
export class Fields {
  private readonly taken = new Set<TtlvItem>();

  constructor(readonly structure: StructureItem) {}

  all(tag: number): TtlvItem[] {
    const out: TtlvItem[] = [];
    for (const c of this.structure.value) {
      if (c.tag === tag) {
        out.push(c);
        this.taken.add(c);
      }
    }
    return out;
  }

  one(tag: number): TtlvItem | undefined {
    for (const c of this.structure.value) {
      if (c.tag === tag) {
        this.taken.add(c);
        return c;
      }
    }
    return undefined;
  }

  required(tag: number): TtlvItem {
    const f = this.one(tag);
    if (f === undefined) {
      throw new MessageError(`${tagName(tag)} is missing from ${tagName(this.structure.tag)}`, this.structure.tag);
    }
    return f;
  }

  /** The fields no reader asked for, in order. */
  rest(): TtlvItem[] {
    return this.structure.value.filter((c) => !this.taken.has(c));
  }
}

function wrongType(f: TtlvItem, expected: string): MessageError {
  return new MessageError(`${tagName(f.tag)} must be ${expected}`, f.tag, 'Invalid Field');
}

export function asInteger(f: TtlvItem): number {
  if (f.type !== ItemType.Integer) throw wrongType(f, 'an Integer');
  return f.value;
}
export function asBoolean(f: TtlvItem): boolean {
  if (f.type !== ItemType.Boolean) throw wrongType(f, 'a Boolean');
  return f.value;
}
export function asText(f: TtlvItem): string {
  if (f.type !== ItemType.TextString) throw wrongType(f, 'a Text String');
  return f.value;
}
export function asBytes(f: TtlvItem): Uint8Array {
  if (f.type !== ItemType.ByteString) throw wrongType(f, 'a Byte String');
  return f.value;
}
export function asStructure(f: TtlvItem): StructureItem {
  if (f.type !== ItemType.Structure) throw wrongType(f, 'a Structure');
  return f;
}
export function asDate(f: TtlvItem): Date {
  if (f.type === ItemType.DateTime) return new Date(Number(f.value) * 1000);
  if (f.type === ItemType.DateTimeExtended) return new Date(Number(f.value / 1000n));
  throw wrongType(f, 'a Date-Time');
}
/**
 * asEnumeration and item.enumeration for the enumeration of one tag, its value set looked up once
 * (the envelope's Operation and Result Status are read or written for every message).
 */
export function enumerationOf(tag: number): {
  read(f: TtlvItem): string;
  write(tag: number, name: string): TtlvItem;
} {
  const set = enumerationForTag(tag);
  return {
    read(f) {
      if (f.type !== ItemType.Enumeration) throw wrongType(f, 'an Enumeration');
      return enumerationValueName(set, f.value);
    },
    write(t, name) {
      const value = enumerationValue(set, name);
      if (value === undefined) throw new MessageError(`"${name}" is not a ${tagName(t)} value`, t, 'Invalid Field');
      return { tag: t, type: ItemType.Enumeration, value };
    },
  };
}

/** An enumeration's 2.x normalized name (hex for values the registry does not name). */
export function asEnumeration(f: TtlvItem): string {
  if (f.type !== ItemType.Enumeration) throw wrongType(f, 'an Enumeration');
  return enumerationValueName(enumerationForTag(f.tag), f.value);
}
