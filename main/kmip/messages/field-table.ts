import { tagName } from '../registry/index.js';
import { ItemType, type StructureItem, type TtlvItem } from '../ttlv/item.js';
import { MessageError } from './errors.js';
import { asStructure, enumerationOf } from './fields.js';

/**
 * One field of a message structure (a header or a batch item): its tag, the model property it
 * fills, and how it is read and written.
 */
export interface FieldRule<T> {
  readonly tag: number;
  readonly key: keyof T & string;
  /** The field may repeat: the property is the array of its values. */
  readonly many: boolean;
  readonly required: boolean;
  /** Read, but written by the builder, not from the property (Batch Count: the number of batch items). */
  readonly derived: boolean;
  read(f: TtlvItem): unknown;
  write(tag: number, v: unknown): TtlvItem;
}

type Defined<T, K extends keyof T> = Exclude<T[K], undefined>;
type Element<V> = V extends readonly (infer E)[] ? E : never;
/** The keys of T whose values are strings (enumeration names), or structures. */
type StringKey<T> = { [P in keyof T]-?: Defined<T, P> extends string ? P : never }[keyof T] & string;
type StructureKey<T> = { [P in keyof T]-?: Defined<T, P> extends StructureItem ? P : never }[keyof T] & string;

interface RuleOptions {
  required?: boolean;
  derived?: boolean;
}

type AnyWrite = (tag: number, v: unknown) => TtlvItem;

function rule<T>(
  key: keyof T & string,
  tag: number,
  many: boolean,
  read: (f: TtlvItem) => unknown,
  write: AnyWrite,
  options: RuleOptions,
): FieldRule<T> {
  return { tag, key, many, required: options.required ?? false, derived: options.derived ?? false, read, write };
}

/** The rule builders for the model type T (so each key's value type is checked against T). */
export function rulesFor<T>() {
  return {
    one<K extends keyof T & string>(
      key: K,
      tag: number,
      read: (f: TtlvItem) => Defined<T, K>,
      write: (tag: number, v: Defined<T, K>) => TtlvItem,
      options: RuleOptions = {},
    ): FieldRule<T> {
      return rule<T>(key, tag, false, read, write as AnyWrite, options);
    },
    /** An Enumeration field, its value set looked up once. */
    enumeration<K extends StringKey<T>>(key: K, tag: number, options: RuleOptions = {}): FieldRule<T> {
      const { read, write } = enumerationOf(tag);
      return rule<T>(key, tag, false, read, write as AnyWrite, options);
    },
    /** A Structure field (a payload, an extension) kept whole, written under its own tag. */
    structure<K extends StructureKey<T>>(key: K, tag: number, options: RuleOptions = {}): FieldRule<T> {
      return rule<T>(
        key,
        tag,
        false,
        asStructure,
        ((t: number, v: StructureItem) => withTag(v, t)) as AnyWrite,
        options,
      );
    },
    many<K extends keyof T & string>(
      key: K,
      tag: number,
      read: (f: TtlvItem) => Element<Defined<T, K>>,
      write: (tag: number, v: Element<Defined<T, K>>) => TtlvItem,
    ): FieldRule<T> {
      return rule<T>(key, tag, true, read, write as AnyWrite, {});
    },
  };
}

/** Every message tag is a standard tag (0x42xxxx): rules are found by tag - STANDARD. */
const STANDARD = 0x420000;

/**
 * The fields of one kind of structure, read in one pass and written in the rules' (the spec's)
 * order. A field no rule takes, or a second one of a single field, is kept in `extra` (headers:
 * extensions are carried through) or refused (batch items). Both directions run for every message
 * the server reads and writes: rules are found by array index (read) or by the properties the
 * value has (write), never by probing every property a model could have.
 */
export class FieldTable<T> {
  /** Rules by tag - STANDARD. */
  private readonly byTag: (IndexedRule<T> | undefined)[];
  private readonly byKey = new Map<string, IndexedRule<T>>();
  private readonly rules: readonly IndexedRule<T>[];
  private readonly requiredMask: number;

  constructor(
    readonly structureTag: number,
    rules: readonly FieldRule<T>[],
    /** 'extra' keeps unknown fields; otherwise the words for the error ("a Batch Item"). */
    private readonly unknown: 'extra' | string,
  ) {
    if (rules.length > 30) throw new Error('a FieldTable takes at most 30 rules');
    this.rules = rules.map((r, index) => ({ ...r, index, bit: 1 << index }));
    this.byTag = new Array<IndexedRule<T> | undefined>(Math.max(...rules.map((r) => r.tag - STANDARD + 1)));
    this.byTag.fill(undefined);
    let mask = 0;
    for (const r of this.rules) {
      this.byTag[r.tag - STANDARD] = r;
      this.byKey.set(r.key, r);
      if (r.required) mask |= r.bit;
    }
    this.requiredMask = mask;
  }

  read(f: TtlvItem): T {
    const out: Record<string, unknown> = {};
    let extra: TtlvItem[] | undefined;
    let seen = 0;
    for (const c of asStructure(f).value) {
      const i = c.tag - STANDARD;
      const rule = i >= 0 && i < this.byTag.length ? this.byTag[i] : undefined;
      if (rule !== undefined) {
        if ((seen & rule.bit) === 0) {
          seen |= rule.bit;
          out[rule.key] = rule.many ? [rule.read(c)] : rule.read(c);
          continue;
        }
        if (rule.many) {
          (out[rule.key] as unknown[]).push(rule.read(c));
          continue;
        }
      }
      if (this.unknown !== 'extra') throw new MessageError(`unexpected field in ${this.unknown}`, c.tag);
      (extra ??= []).push(c);
    }
    if ((seen & this.requiredMask) !== this.requiredMask) {
      const absent = this.rules.find((r) => r.required && (seen & r.bit) === 0) as IndexedRule<T>;
      throw missing(absent.tag, this.structureTag);
    }
    if (extra !== undefined) out['extra'] = extra;
    return out as T;
  }

  /** The fields of `value` in the rules' order, derived ones left out (the caller adds them). */
  write(value: T): TtlvItem[] {
    const v = value as Record<string, unknown>;
    const out: TtlvItem[] = [];
    let last = -1;
    for (const key in v) {
      const x = v[key];
      if (x === undefined) continue;
      const r = this.byKey.get(key);
      if (r === undefined || r.derived) continue;
      // Properties set in another order than the spec's: place each by its rule.
      if (r.index < last) return this.writeInOrder(v);
      last = r.index;
      if (r.many) for (const e of x as unknown[]) out.push(r.write(r.tag, e));
      else out.push(r.write(r.tag, x));
    }
    return out;
  }

  private writeInOrder(v: Record<string, unknown>): TtlvItem[] {
    const out: TtlvItem[] = [];
    for (const r of this.rules) {
      const x = v[r.key];
      if (x === undefined || r.derived) continue;
      if (r.many) for (const e of x as unknown[]) out.push(r.write(r.tag, e));
      else out.push(r.write(r.tag, x));
    }
    return out;
  }
}

interface IndexedRule<T> extends FieldRule<T> {
  readonly index: number;
  readonly bit: number;
}

export function missing(tag: number, in_: number): MessageError {
  return new MessageError(`${tagName(tag)} is missing from ${tagName(in_)}`, in_);
}

export function structure(tag: number, value: TtlvItem[]): StructureItem {
  return { tag, type: ItemType.Structure, value };
}

/** A structure under another tag (a payload built under any tag becomes the Request Payload...). */
export function withTag(s: StructureItem, tag: number): StructureItem {
  return s.tag === tag ? s : { tag, type: ItemType.Structure, value: s.value };
}
