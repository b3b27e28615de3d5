// The KMIP tag, enumeration and bit-mask registry: one source of truth, generated from the 1.4 and
// 2.1 specification tables (scripts/gen-registry.mjs). No Node imports: the renderer may reuse it.
import { enumerationDefinitions, EnumerationValues } from './enumerations.generated.js';
import { maskDefinitions } from './masks.generated.js';
import { normalizeName } from './normalize.js';
import { Tag, tagDefinitions } from './tags.generated.js';
import type { TagDefinition, ValueSetDefinition } from './types.js';
import { hex32, isExtensionValue, ValueSet } from './value-set.js';

export {
  Tag,
  tagDefinitions,
  enumerationDefinitions,
  EnumerationValues,
  maskDefinitions,
  normalizeName,
  ValueSet,
  hex32,
  isExtensionValue,
};
export type { TagDefinition, ValueSetDefinition } from './types.js';
export type { ItemTypeName, KmipSince, ValueDefinition } from './types.js';

const tagByNumber = new Map<number, TagDefinition>();
const tagByAnyName = new Map<string, TagDefinition>();
for (const t of tagDefinitions) {
  tagByNumber.set(t.tag, t);
  for (const n of [t.normalized, t.name, t.normalized1x, t.name1x]) {
    if (n !== undefined && !tagByAnyName.has(n)) tagByAnyName.set(n, t);
  }
}

const enumerations = new Map<string, ValueSet>();
for (const e of enumerationDefinitions) enumerations.set(e.normalized, new ValueSet(e));
const masks = new Map<string, ValueSet>();
for (const m of maskDefinitions) masks.set(m.normalized, new ValueSet(m));

/** The 2.x Tag enumeration (2.1 section 11.56) is the tag table itself: Attribute Reference uses it. */
const tagEnumeration = new ValueSet({
  name: 'Tag',
  normalized: 'Tag',
  since: '2.x',
  values: tagDefinitions.map((t) => ({
    value: t.tag,
    name: t.name,
    normalized: t.normalized,
    ...(t.normalized1x === undefined ? {} : { name1x: t.name1x, normalized1x: t.normalized1x }),
    since: t.since,
    ...(t.removed === undefined ? {} : { removed: t.removed }),
  })),
});
enumerations.set('Tag', tagEnumeration);

const enumerationByTag = new Map<number, ValueSet>();
const maskByTag = new Map<number, ValueSet>();
for (const t of tagDefinitions) {
  const e = t.enumeration === undefined ? undefined : enumerations.get(t.enumeration);
  if (e !== undefined) enumerationByTag.set(t.tag, e);
  const m = t.mask === undefined ? undefined : masks.get(t.mask);
  if (m !== undefined) maskByTag.set(t.tag, m);
}

const hexTag = /^0x(42|54)[0-9A-Fa-f]{4}$/;

/** A tag as hex, the name the encodings use for tags the registry does not know: 0x540001. */
export function formatTagHex(tag: number): string {
  return '0x' + tag.toString(16).toUpperCase().padStart(6, '0');
}

/** True for extension tags (0x54xxxx, KMIP 1.4 section 9.1.3.1). */
export function isExtensionTag(tag: number): boolean {
  return tag >>> 16 === 0x54;
}

/**
 * The tag for a name: normalized ("CryptographicUsageMask"), as the spec writes it
 * ("Cryptographic Usage Mask"), the 1.x name, or hex ("0x540001", any 0x42/0x54 tag).
 */
export function tagByName(name: string): number | undefined {
  const t = tagByAnyName.get(name);
  if (t !== undefined) return t.tag;
  if (hexTag.test(name)) return parseInt(name.slice(2), 16);
  return undefined;
}

export function tagDefinition(tag: number): TagDefinition | undefined {
  return tagByNumber.get(tag);
}

/**
 * The normalized name of a tag as written for protocol major version `major` (the 1.x name where
 * it differs; default 2.x), or its hex form ("0x540001") when the registry does not know it.
 */
export function tagName(tag: number, major = 2): string {
  const t = tagByNumber.get(tag);
  if (t === undefined) return formatTagHex(tag);
  return major < 2 && t.normalized1x !== undefined ? t.normalized1x : t.normalized;
}

/** The enumeration an Enumeration item with this tag takes its values from. */
export function enumerationForTag(tag: number): ValueSet | undefined {
  return enumerationByTag.get(tag);
}

/** The bit mask an Integer item with this tag holds (Cryptographic Usage Mask, ...). */
export function maskForTag(tag: number): ValueSet | undefined {
  return maskByTag.get(tag);
}

/** An enumeration by name, normalized or as the spec writes it ("Tag" included). */
export function enumerationByName(name: string): ValueSet | undefined {
  return enumerations.get(name) ?? enumerations.get(normalizeName(name));
}

/** A bit mask by name, normalized or as the spec writes it. */
export function maskByName(name: string): ValueSet | undefined {
  return masks.get(name) ?? masks.get(normalizeName(name));
}

/** Every enumeration (the Tag enumeration included) and every mask. */
export function allEnumerations(): ValueSet[] {
  return [...enumerations.values()];
}
export function allMasks(): ValueSet[] {
  return [...masks.values()];
}

/**
 * What an attribute's value means when it is only known by the attribute's name: in KMIP 1.x an
 * Attribute is Attribute Name (text, "Cryptographic Algorithm") + Attribute Value, and an
 * Attribute Value that holds an enumeration or mask needs that sibling name to be read.
 * Custom attributes ("x-...", "y-...") and unknown names give undefined.
 */
export function attributeValueSets(attributeName: string): { enumeration?: ValueSet; mask?: ValueSet } | undefined {
  const t = tagByAnyName.get(attributeName);
  if (t === undefined) return undefined;
  const enumeration = enumerationByTag.get(t.tag);
  const mask = maskByTag.get(t.tag);
  if (enumeration === undefined && mask === undefined) return undefined;
  return { ...(enumeration === undefined ? {} : { enumeration }), ...(mask === undefined ? {} : { mask }) };
}

/**
 * Enumeration value -> name, as written for `major`; the hex form for values the spec does not
 * define (extension values 0x8xxxxxxx pass through this way).
 */
export function enumerationValueName(set: ValueSet | undefined, value: number, major = 2): string {
  return set?.nameOf(value, major) ?? hex32(value);
}

/** Enumeration name (or 32-bit hex) -> value; undefined if neither. */
export function enumerationValue(set: ValueSet | undefined, text: string): number | undefined {
  const v = set?.valueOf(text);
  if (v !== undefined) return v;
  return /^0x[0-9A-Fa-f]{1,8}$/.test(text) ? parseInt(text.slice(2), 16) >>> 0 : undefined;
}

/**
 * A mask value as its names, lowest bit first, with any bits the mask does not name as one
 * trailing hex component (Additional Message Encodings 1.0 section 6.1.6.4). Zero is "0x00000000".
 */
export function maskComponents(set: ValueSet, value: number, major = 2): string[] {
  const out: string[] = [];
  let rest = value >>> 0;
  for (let bit = 0; bit < 32; bit++) {
    const b = (1 << bit) >>> 0;
    if ((rest & b) === 0) continue;
    const name = set.nameOf(b, major);
    if (name !== undefined) {
      out.push(name);
      rest = (rest & ~b) >>> 0;
    }
  }
  if (rest !== 0 || out.length === 0) out.push(hex32(rest));
  return out;
}

/** Mask components (names or 32-bit hex) -> value; undefined if a component is neither. */
export function maskValue(set: ValueSet, components: readonly string[]): number | undefined {
  let value = 0;
  for (const c of components) {
    const v = enumerationValue(set, c);
    if (v === undefined) return undefined;
    value = (value | v) >>> 0;
  }
  return value;
}

/** The registry as plain JSON-able data, for a UI or another process: names by number. */
export function kmipNames(): {
  tags: Array<{ tag: number; name: string; normalized: string }>;
  enumerations: Array<{
    name: string;
    normalized: string;
    values: Array<{ value: number; name: string; normalized: string }>;
  }>;
  masks: Array<{
    name: string;
    normalized: string;
    values: Array<{ value: number; name: string; normalized: string }>;
  }>;
} {
  const sets = (list: readonly ValueSetDefinition[]) =>
    list.map((s) => ({
      name: s.name,
      normalized: s.normalized,
      values: s.values.map((v) => ({ value: v.value, name: v.name, normalized: v.normalized })),
    }));
  return {
    tags: tagDefinitions.map((t) => ({ tag: t.tag, name: t.name, normalized: t.normalized })),
    enumerations: sets(enumerationDefinitions),
    masks: sets(maskDefinitions),
  };
}
