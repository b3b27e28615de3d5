/** Object-list filtering: plain functions over summaries, fast enough for 100k objects per keystroke. */
import type { ObjectSummary } from '../../../shared/api/index.js';

export interface ObjectFilter {
  text: string;
  objectType: string;
  state: string;
  algorithm: string;
  /** ISO dates (yyyy-mm-dd) bounding the Initial Date, inclusive. */
  createdFrom: string;
  createdTo: string;
}

export const emptyFilter: ObjectFilter = {
  text: '',
  objectType: '',
  state: '',
  algorithm: '',
  createdFrom: '',
  createdTo: '',
};

/** A lower-case text per object, built once per list, so each keystroke is a substring scan. */
export function searchIndex(objects: readonly ObjectSummary[]): string[] {
  return objects.map((o) =>
    `${o.name ?? ''}\u0000${o.uniqueIdentifier}\u0000${o.cryptographicAlgorithm ?? ''}\u0000${o.objectType}\u0000${o.curve ?? ''}`.toLowerCase(),
  );
}

export function filterObjects(
  objects: readonly ObjectSummary[],
  index: readonly string[],
  f: ObjectFilter,
): ObjectSummary[] {
  const text = f.text.trim().toLowerCase();
  const from = f.createdFrom ? Date.parse(f.createdFrom) : undefined;
  const to = f.createdTo ? Date.parse(f.createdTo) + 86_400_000 - 1 : undefined;
  const out: ObjectSummary[] = [];
  for (let i = 0; i < objects.length; i++) {
    const o = objects[i]!;
    if (f.objectType && o.objectType !== f.objectType) continue;
    if (f.state && o.state !== f.state) continue;
    if (f.algorithm && o.cryptographicAlgorithm !== f.algorithm) continue;
    if (text && !index[i]!.includes(text)) continue;
    if (from !== undefined || to !== undefined) {
      const t = o.initialDate ? Date.parse(o.initialDate) : NaN;
      if (Number.isNaN(t) || (from !== undefined && t < from) || (to !== undefined && t > to)) continue;
    }
    out.push(o);
  }
  return out;
}

/** The distinct values of a field, for the filter menus. */
export function distinct(
  objects: readonly ObjectSummary[],
  field: 'objectType' | 'state' | 'cryptographicAlgorithm',
): string[] {
  const seen = new Set<string>();
  for (const o of objects) {
    const v = o[field];
    if (v) seen.add(v);
  }
  return [...seen].sort();
}
