/**
 * Shapes of the generated KMIP registry (scripts/gen-registry.mjs). Names are kept twice: as the
 * specification writes them ("Cryptographic Usage Mask") and normalized per Additional Message
 * Encodings 1.0 section 6.1.3 ("CryptographicUsageMask"), the form the XML and JSON encodings use.
 *
 * Versions: the registry is built from the 1.4 and 2.1 specifications. `since: '1.x'` means the
 * entry is in the 1.4 table (the 1.4 tables do not say which 1.x minor version added it);
 * `since: '2.x'` means it is only in the 2.1 table (2.0 and 2.1 are not told apart);
 * `removed: '2.x'` means it is in the 1.4 table but absent or Reserved in 2.1.
 */
export type KmipSince = '1.x' | '2.x';

export type ItemTypeName =
  | 'Structure'
  | 'Integer'
  | 'LongInteger'
  | 'BigInteger'
  | 'Enumeration'
  | 'Boolean'
  | 'TextString'
  | 'ByteString'
  | 'DateTime'
  | 'Interval'
  | 'DateTimeExtended';

export interface TagDefinition {
  tag: number;
  /** The 2.1 spec name where the tag is in 2.1, else the 1.4 name. */
  name: string;
  normalized: string;
  /** The 1.4 name, only where it normalizes differently from `name`. */
  name1x?: string;
  normalized1x?: string;
  /** Item types the spec's object tables give the tag ("Encoding" column); absent when none does. */
  types?: ItemTypeName[];
  since: KmipSince;
  removed?: '2.x';
  /** The spec's parenthesised remark, e.g. "deprecated as of version 1.1". */
  note?: string;
  /** Normalized name of the enumeration an Enumeration item with this tag takes its values from. */
  enumeration?: string;
  /** Normalized name of the bit mask an Integer item with this tag holds. */
  mask?: string;
}

export interface ValueDefinition {
  value: number;
  name: string;
  normalized: string;
  /** The 1.4 name, only where it normalizes differently from `name`. */
  name1x?: string;
  normalized1x?: string;
  /** Other accepted normalized spellings (e.g. a spec misprint). */
  aliases?: string[];
  since: KmipSince;
  removed?: '2.x';
  note?: string;
}

/** An enumeration or a bit mask. */
export interface ValueSetDefinition {
  name: string;
  normalized: string;
  since: KmipSince;
  removed?: '2.x';
  values: ValueDefinition[];
}
