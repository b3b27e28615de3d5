/**
 * The KMIP names ops, the server and the client use, derived from the registry (main/kmip/registry,
 * generated from the 1.4 and 2.1 specification tables). What is written here is only where Keyhold
 * departs from the registry: attribute names stored in vaults, and item types the spec's Encoding
 * columns do not state.
 */
import { EnumerationValues, Tag as RegistryTag, tagDefinitions, enumerationByName } from '../kmip/registry/index.js';
import { ItemType } from '../kmip/ttlv/item.js';

/**
 * Attribute names Keyhold stores in vaults and uses across ops, crypto and the CLI, spelled before
 * the registry normalized them ("X.509" -> "X_509", "PKCS#12" -> "PKCS_12"); both spellings work.
 */
const keyholdTagNames = {
  X509CertificateIdentifier: RegistryTag.X_509CertificateIdentifier,
  X509CertificateSubject: RegistryTag.X_509CertificateSubject,
  X509CertificateIssuer: RegistryTag.X_509CertificateIssuer,
  PKCS12FriendlyName: RegistryTag.PKCS_12FriendlyName,
} as const;

/** Every tag by name: the registry's normalized (and 1.x) names plus Keyhold's spellings above. */
export const Tag = { ...RegistryTag, ...keyholdTagNames } as const;

const keyholdNameOfTag = new Map<number, string>(Object.entries(keyholdTagNames).map(([k, v]) => [v, k]));

/** Tag number to name (the 2.x normalized name, or Keyhold's spelling above). */
export const TagName: ReadonlyMap<number, string> = new Map(
  tagDefinitions.map((t) => [t.tag, keyholdNameOfTag.get(t.tag) ?? t.normalized]),
);

/**
 * Item types the spec's Encoding columns leave unstated (payload fields, Query answers) or state
 * twice (AsynchronousIndicator is Boolean in 1.x, Enumeration in 2.x; Keyhold writes the 1.x type).
 */
const unstatedTypes: Readonly<Record<string, ItemType>> = {
  AlwaysSensitive: ItemType.Boolean,
  AsynchronousIndicator: ItemType.Boolean,
  AttributeValue: ItemType.Structure,
  BuildDate: ItemType.TextString,
  BuildLevel: ItemType.TextString,
  CertificateRequest: ItemType.ByteString,
  CertificateRequestUniqueIdentifier: ItemType.TextString,
  ClusterInfo: ItemType.TextString,
  Comment: ItemType.TextString,
  CommonProtectionStorageMasks: ItemType.Integer,
  CommonTemplateAttribute: ItemType.Structure,
  CustomAttribute: ItemType.Structure,
  DigestedData: ItemType.ByteString,
  Ephemeral: ItemType.Boolean,
  InteropIdentifier: ItemType.TextString,
  LocatedItems: ItemType.Integer,
  MaximumItems: ItemType.Integer,
  Offset: ItemType.Interval,
  OffsetItems: ItemType.Integer,
  PKCS_11Function: ItemType.Enumeration,
  PKCS_11ReturnCode: ItemType.Enumeration,
  PrivateKeyTemplateAttribute: ItemType.Structure,
  PrivateKeyUniqueIdentifier: ItemType.TextString,
  PrivateProtectionStorageMasks: ItemType.Integer,
  ProductName: ItemType.TextString,
  PublicKeyTemplateAttribute: ItemType.Structure,
  PublicKeyUniqueIdentifier: ItemType.TextString,
  PublicProtectionStorageMasks: ItemType.Integer,
  ReplaceExisting: ItemType.Boolean,
  ReplacedUniqueIdentifier: ItemType.TextString,
  RequestCount: ItemType.Integer,
  RequestPayload: ItemType.Structure,
  ResponsePayload: ItemType.Structure,
  ServerLoad: ItemType.TextString,
  ServerName: ItemType.TextString,
  ServerSerialNumber: ItemType.TextString,
  ServerVersion: ItemType.TextString,
  Tag: ItemType.Enumeration,
  TemplateAttribute: ItemType.Structure,
  ValidationProfile: ItemType.TextString,
  ValidityDate: ItemType.DateTime,
};

function typeOfTag(t: (typeof tagDefinitions)[number], name: string): ItemType | undefined {
  const unstated = unstatedTypes[name];
  if (unstated !== undefined) return unstated;
  if (t.types?.length === 1) return ItemType[t.types[0]!];
  if (t.types === undefined && t.enumeration !== undefined) return ItemType.Enumeration;
  if (t.types === undefined && t.mask !== undefined) return ItemType.Integer;
  return undefined;
}

/** The item type of each tag, by the name TagName gives it. */
export const TagType: Readonly<Record<string, number>> = Object.fromEntries(
  tagDefinitions.flatMap((t) => {
    const name = TagName.get(t.tag)!;
    const type = typeOfTag(t, name);
    return type === undefined ? [] : [[name, type]];
  }),
);

/** Operation enumeration (KMIP 2.1 section 11.33). */
export const Operation = EnumerationValues.Operation;
export type OperationName = keyof typeof Operation;

export const ResultStatus = EnumerationValues.ResultStatus;

/** Result Reason enumeration (KMIP 2.1 section 11.46; 1.x values are the same numbers). */
export const ResultReason = EnumerationValues.ResultReason;
export type ResultReasonName = keyof typeof ResultReason;

export const BatchErrorContinuationOption = EnumerationValues.BatchErrorContinuationOption;

/**
 * Value names Keyhold writes where the registry's differ: the spec tables lost the superscript of
 * "GF (2^16)" and "GF (2^8)", and the CLI, the client and stored Split Keys use these names.
 */
const keyholdValueNames: Readonly<Record<string, Readonly<Record<string, number>>>> = {
  SplitKeyMethod: { PolynomialSharingGF_2_16: 2, PolynomialSharingGF_2_8: 4 },
};

/** Names earlier Keyhold versions stored in vaults; still read, never written. */
const legacyValueNames: Readonly<Record<string, Readonly<Record<string, number>>>> = {
  PaddingMethod: { PKCS1v1_5: 8 },
};

function withKeyholdNames(enumeration: string, values: Readonly<Record<string, number>>): Record<string, number> {
  const own = keyholdValueNames[enumeration];
  if (own === undefined) return values;
  const taken = new Set(Object.values(own));
  return { ...Object.fromEntries(Object.entries(values).filter(([, v]) => !taken.has(v))), ...own };
}

/** Every enumeration's values by name (KMIP 2.1 section 11), from the registry. */
export const EnumNames: Readonly<Record<string, Readonly<Record<string, number>>>> = Object.fromEntries(
  Object.entries(EnumerationValues).map(([e, values]) => [e, withKeyholdNames(e, values)]),
);

/** Fields that take another enumeration's values. */
const enumAlias: Readonly<Record<string, string>> = {
  MaskGeneratorHashingAlgorithm: 'HashingAlgorithm',
  DigestAlgorithm: 'HashingAlgorithm',
};

const namesByValue = new Map<string, ReadonlyMap<number, string>>(
  Object.entries(EnumNames).map(([e, values]) => [e, new Map(Object.entries(values).map(([k, v]) => [v, k]))]),
);

/** Enumeration value -> name for a field; a value the spec does not define is its hex form. */
export function enumName(tagName: string, value: number): string {
  return namesByValue.get(enumAlias[tagName] ?? tagName)?.get(value) ?? `0x${value.toString(16).padStart(8, '0')}`;
}

/** Enumeration name (any spelling the registry knows, or hex form) -> value; undefined when unknown. */
export function enumValue(tagName: string, name: string): number | undefined {
  if (/^0x[0-9a-f]+$/i.test(name)) return Number.parseInt(name.slice(2), 16);
  const enumeration = enumAlias[tagName] ?? tagName;
  return (
    EnumNames[enumeration]?.[name] ??
    legacyValueNames[enumeration]?.[name] ??
    enumerationByName(enumeration)?.valueOf(name)
  );
}
