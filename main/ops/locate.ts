import type { StructureItem } from '../kmip/ttlv/index.js';
import type { AttributeValue, Attributes, ManagedObject } from '../vault/model.js';
import { attributesFromV1, attributesFromV2 } from './attributes.js';
import { atLeast, type OpsContext } from './context.js';
import { mayAccess } from './objects.js';
import { findInt, findStruct, t } from './ttlv.js';
import { Tag } from './vocabulary.js';

/** Storage Status Mask bits (KMIP 1.4 section 9.1.3.3.2). */
const OnLineStorage = 1;
const ArchivalStorage = 2;
/** KMIP 2.0: Destroyed Storage. */
const DestroyedStorage = 4;

function equalValue(a: AttributeValue, b: AttributeValue): boolean {
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  if (a instanceof Uint8Array && b instanceof Uint8Array) return Buffer.from(a).equals(Buffer.from(b));
  if (Array.isArray(a) || Array.isArray(b)) return false;
  if (typeof a === 'object' && typeof b === 'object' && a !== null && b !== null) {
    // A filter structure matches when every field it gives matches (e.g. Link by type only).
    return Object.entries(b).every(([k, v]) => {
      const av = (a as Record<string, AttributeValue>)[k];
      return av !== undefined && equalValue(av, v);
    });
  }
  return a === b;
}

/**
 * Locate (KMIP 1.4 section 4.9). Every filter must match (AND, INTEROP-NOTES 8); two values of
 * a date attribute are a range (PyKMIP PR #564); an attribute the server does not know can never
 * match everything — it matches only objects that carry it (Cosmian #935).
 */
export function matches(obj: ManagedObject, filters: Attributes): boolean {
  for (const [name, wanted] of Object.entries(filters)) {
    const have = obj.attributes[name] ?? (name === 'ObjectType' ? [obj.objectType] : undefined);
    if (!have || have.length === 0) return false;
    const dates = wanted.filter((w): w is Date => w instanceof Date);
    if (dates.length === 2 && wanted.length === 2) {
      const [lo, hi] = [
        Math.min(dates[0]!.getTime(), dates[1]!.getTime()),
        Math.max(dates[0]!.getTime(), dates[1]!.getTime()),
      ];
      if (!have.some((h) => h instanceof Date && h.getTime() >= lo && h.getTime() <= hi)) return false;
      continue;
    }
    if (name === 'CryptographicUsageMask') {
      const mask = wanted[0];
      if (typeof mask === 'number' && !have.some((h) => typeof h === 'number' && (h & mask) === mask)) return false;
      continue;
    }
    for (const w of wanted) if (!have.some((h) => equalValue(h, w))) return false;
  }
  return true;
}

export async function locate(payload: StructureItem, ctx: OpsContext): Promise<StructureItem> {
  // FortiOS wraps its 1.x filter in a Template Attribute; a server that dropped it matched
  // everything and leaked keys (INTEROP-NOTES 8, Cosmian #935). Filters from both places AND.
  const filters: Attributes = {};
  for (const part of [
    attributesFromV1(payload),
    attributesFromV1(findStruct(payload, Tag.TemplateAttribute)),
    attributesFromV2(findStruct(payload, Tag.Attributes)),
  ]) {
    for (const [name, values] of Object.entries(part)) filters[name] = [...(filters[name] ?? []), ...(values ?? [])];
  }
  const maximumItems = findInt(payload, Tag.MaximumItems);
  const offsetItems = findInt(payload, Tag.OffsetItems) ?? 0;
  const storage = findInt(payload, Tag.StorageStatusMask) ?? OnLineStorage;
  if (ctx.store.locate) {
    const admin = ctx.access.isAdmin(ctx.identity);
    const granted = admin ? [] : (ctx.access.grantedTo?.(ctx.identity, 'Locate') ?? []);
    const r = await ctx.store.locate({
      attributes: filters,
      ...(admin ? {} : { owner: ctx.identity }),
      ...(granted.length > 0 ? { alsoUniqueIdentifiers: granted } : {}),
      maximumItems,
      offsetItems,
      storageStatusMask: storage,
    });
    if (r.uniqueIdentifiers[0]) ctx.idPlaceholder = r.uniqueIdentifiers[0];
    return t.struct(Tag.ResponsePayload, [
      atLeast(ctx.version, 1, 3) && (maximumItems !== undefined || offsetItems > 0)
        ? t.int(Tag.LocatedItems, r.locatedItems)
        : undefined,
      ...r.uniqueIdentifiers.map((u) => t.text(Tag.UniqueIdentifier, u)),
    ]);
  }
  const all = (await ctx.store.all()).reverse();
  const found = all
    .filter((o) => mayAccess(o, ctx))
    .filter((o) => {
      const state = o.attributes.State?.[0];
      if (state === 'Destroyed' || state === 'DestroyedCompromised') return (storage & DestroyedStorage) !== 0;
      const archived = o.attributes.ArchiveDate !== undefined;
      return archived ? (storage & ArchivalStorage) !== 0 : (storage & OnLineStorage) !== 0;
    })
    .filter((o) => matches(o, filters))
    .sort((a, b) => dateOf(b) - dateOf(a));
  const page = found.slice(offsetItems, maximumItems !== undefined ? offsetItems + maximumItems : undefined);
  if (page[0]) ctx.idPlaceholder = page[0].uniqueIdentifier;
  return t.struct(Tag.ResponsePayload, [
    atLeast(ctx.version, 1, 3) && (maximumItems !== undefined || offsetItems > 0)
      ? t.int(Tag.LocatedItems, found.length)
      : undefined,
    ...page.map((o) => t.text(Tag.UniqueIdentifier, o.uniqueIdentifier)),
  ]);
}

function dateOf(o: ManagedObject): number {
  const d = o.attributes.InitialDate?.[0];
  return d instanceof Date ? d.getTime() : 0;
}
