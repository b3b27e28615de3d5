import { canonical } from './codec.js';
import type { AttributeValue, Attributes, ManagedObject } from './model.js';

/**
 * What the store derives from an object for its indexes. The attributes JSON stays the source
 * of truth; these columns and rows are rebuilt on every write of the object.
 */

/** Attributes promoted to columns or tables of their own; all others go to attr_index. */
export const DATE_COLUMNS: Readonly<Record<string, string>> = {
  InitialDate: 'initial_date',
  ActivationDate: 'activation_date',
  DeactivationDate: 'deactivation_date',
  DestroyDate: 'destroy_date',
  CompromiseDate: 'compromise_date',
};

export const PROMOTED = new Set([
  'Name',
  'ObjectGroup',
  'State',
  'CryptographicAlgorithm',
  'CryptographicLength',
  'CryptographicUsageMask',
  ...Object.keys(DATE_COLUMNS),
]);

/** Index values longer than this are not indexed (certificates in attributes, long blobs). */
const MAX_INDEXED = 512;

export interface ObjectColumns {
  objectType: string;
  state: string;
  owner: string;
  algorithm: string | null;
  length: number | null;
  usageMask: number | null;
  dates: Record<string, number | null>;
}

export interface IndexRow {
  name: string;
  value: string;
  idx: number;
}

function first(attributes: Attributes, name: string): AttributeValue | undefined {
  return attributes[name]?.[0];
}

export function columnsOf(object: ManagedObject): ObjectColumns {
  const a = object.attributes;
  const alg = first(a, 'CryptographicAlgorithm') ?? object.keyBlock?.cryptographicAlgorithm;
  const len = first(a, 'CryptographicLength') ?? object.keyBlock?.cryptographicLength;
  const mask = first(a, 'CryptographicUsageMask');
  const dates: Record<string, number | null> = {};
  for (const [attr, col] of Object.entries(DATE_COLUMNS)) {
    const d = first(a, attr);
    dates[col] = d instanceof Date ? d.getTime() : null;
  }
  const state = first(a, 'State');
  return {
    objectType: object.objectType,
    state: typeof state === 'string' ? state : 'PreActive',
    owner: object.owner,
    algorithm: typeof alg === 'string' ? alg : null,
    length: typeof len === 'number' ? len : null,
    usageMask: typeof mask === 'number' ? mask : null,
    dates,
  };
}

/** The Name Value of each Name instance (a bare string is accepted as a Name Value). */
export function namesOf(attributes: Attributes): string[] {
  return (attributes['Name'] ?? []).map(nameValue).filter((n): n is string => n !== undefined);
}

export function nameValue(v: AttributeValue): string | undefined {
  if (typeof v === 'string') return v;
  if (isStructure(v)) {
    const n = v['NameValue'];
    return typeof n === 'string' ? n : undefined;
  }
  return undefined;
}

export function groupsOf(attributes: Attributes): string[] {
  return (attributes['ObjectGroup'] ?? []).filter((g): g is string => typeof g === 'string');
}

/**
 * The index text of a value: dates as "d:" and 15 zero-padded digits of milliseconds (so text
 * order is time order and ranges work), everything else its canonical JSON.
 */
export function indexText(v: AttributeValue): string {
  if (v instanceof Date) return `d:${String(v.getTime()).padStart(15, '0')}`;
  return canonical(v);
}

/** A KMIP structure in the model: an object of fields (not a Date, bytes or an array). */
export function isStructure(v: AttributeValue): v is { [field: string]: AttributeValue } {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date) && !(v instanceof Uint8Array);
}

/**
 * Attributes kept only in the object's attributes JSON, never in attr_index; Locate matches them
 * against the stored JSON (locate.ts). Either Locate reads them from a column (UniqueIdentifier,
 * ObjectType), or the server sets them on every object itself: most from a handful of values, so
 * an index entry could not narrow a search; Digest and Short Unique Identifier are derived from
 * the object and rarely searched for. Every index row costs a B-tree page in each commit that
 * writes the object (measured against keyhold serve: a Create wrote 37 pages to the WAL before
 * schema 2, 10 after).
 */
export const UNINDEXED: ReadonlySet<string> = new Set([
  'UniqueIdentifier',
  'ObjectType',
  'Sensitive',
  'AlwaysSensitive',
  'Extractable',
  'NeverExtractable',
  'Fresh',
  'KeyFormatType',
  'LeaseTime',
  'ProtectionStorageMask',
  'RandomNumberGenerator',
  'LastChangeDate',
  'OriginalCreationDate',
  'Digest',
  'ShortUniqueIdentifier',
]);

/**
 * attr_index rows: each instance of each attribute neither promoted nor UNINDEXED, by its value;
 * a structure by each of its fields ("Link.LinkedObjectIdentifier"), so Locate can match a
 * structure given only some of its fields (KMIP 2.1 section 6.1.28), and by its whole value only
 * when no field could be indexed (Locate's "has this attribute" filter finds it either way).
 */
export function indexRowsOf(attributes: Attributes): IndexRow[] {
  const rows: IndexRow[] = [];
  for (const [name, values] of Object.entries(attributes)) {
    if (PROMOTED.has(name) || UNINDEXED.has(name)) continue;
    values.forEach((v, idx) => {
      const before = rows.length;
      if (isStructure(v)) {
        for (const [field, fv] of Object.entries(v)) {
          const t = indexText(fv);
          if (t.length <= MAX_INDEXED) rows.push({ name: `${name}.${field}`, value: t, idx });
        }
        if (rows.length > before) return;
      }
      const whole = indexText(v);
      if (whole.length <= MAX_INDEXED) rows.push({ name, value: whole, idx });
    });
  }
  return rows;
}
