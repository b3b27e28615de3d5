import type { KmipSince, ValueDefinition, ValueSetDefinition } from './types.js';

/** Extension enumeration values have 0x8 in the top nibble (KMIP 1.4 section 9.1.3.2). */
export function isExtensionValue(value: number): boolean {
  return value >>> 28 === 0x8;
}

/** A 32-bit value as the encodings write it in hex: 0x0000000A. */
export function hex32(value: number): string {
  return '0x' + (value >>> 0).toString(16).toUpperCase().padStart(8, '0');
}

/**
 * An enumeration or bit mask with its lookups built once. Names are the normalized forms; lookups
 * also accept the spec's own spelling, the 1.x name and known aliases.
 */
export class ValueSet {
  readonly name: string;
  readonly normalized: string;
  readonly since: KmipSince;
  readonly removed: '2.x' | undefined;
  readonly values: readonly ValueDefinition[];
  private readonly byValue = new Map<number, ValueDefinition>();
  private readonly byName = new Map<string, ValueDefinition>();

  constructor(def: ValueSetDefinition) {
    this.name = def.name;
    this.normalized = def.normalized;
    this.since = def.since;
    this.removed = def.removed;
    this.values = def.values;
    for (const v of def.values) {
      this.byValue.set(v.value, v);
      for (const n of [v.normalized, v.name, v.normalized1x, v.name1x, ...(v.aliases ?? [])]) {
        if (n !== undefined && !this.byName.has(n)) this.byName.set(n, v);
      }
    }
  }

  definition(value: number): ValueDefinition | undefined {
    return this.byValue.get(value >>> 0);
  }

  /** The value for a name (normalized, spec spelling, 1.x name or alias); undefined if unknown. */
  valueOf(name: string): number | undefined {
    return this.byName.get(name)?.value;
  }

  /**
   * The normalized name for a value, as written for protocol major version `major` (the 1.x name
   * where it differs; default the 2.x name); undefined for values the spec does not define.
   */
  nameOf(value: number, major = 2): string | undefined {
    const v = this.byValue.get(value >>> 0);
    if (v === undefined) return undefined;
    return major < 2 && v.normalized1x !== undefined ? v.normalized1x : v.normalized;
  }
}
