/**
 * The engine's one model of a KMIP managed object, shared by the vault, crypto, ops and the
 * protocol mapping. Names are KMIP's, in the normalized form of the KMIP XML encoding
 * (Additional Message Encodings 1.0 section 6): tags without spaces ("CryptographicAlgorithm"),
 * enumeration values by name ("SymmetricKey", "AES", "PreActive"). The protocol layer maps the
 * 1.x Attribute Name/Index/Value form and the 2.x Attributes form onto this model.
 */

/** KMIP Object Type enumeration values, by name. */
export type ObjectType =
  | 'Certificate'
  | 'SymmetricKey'
  | 'PublicKey'
  | 'PrivateKey'
  | 'SplitKey'
  | 'Template'
  | 'SecretData'
  | 'OpaqueObject'
  | 'PGPKey'
  | 'CertificateRequest';

/** KMIP State enumeration values, by name. */
export type State = 'PreActive' | 'Active' | 'Deactivated' | 'Compromised' | 'Destroyed' | 'DestroyedCompromised';

/**
 * An attribute value. Enumerations are their normalized names (an extension value with no name
 * is its hex form, "0x80000001"); structures are objects keyed by field tag name; Date-Time is a
 * Date; Byte String a Uint8Array; Long and Big Integer a bigint; Integer, Interval and masks a
 * number. A field that repeats inside a structure is an array.
 */
export type AttributeValue =
  string | number | bigint | boolean | Date | Uint8Array | AttributeValue[] | { [field: string]: AttributeValue };

/**
 * Attributes by name: standard attributes by tag name ("CryptographicLength", "Name", "Link"),
 * custom attributes by their text name as given ("x-NETAPP-Product", "y-..."). Every attribute
 * is a list of instances; the position is the KMIP Attribute Index.
 */
export type Attributes = Record<string, AttributeValue[]>;

/** Key material: raw bytes, or a transparent structure's fields by tag name. */
export type KeyMaterial = Uint8Array | { [field: string]: Uint8Array | bigint | number | string };

/** KMIP Key Block (spec 1.4 section 2.1.3). */
export interface KeyBlock {
  keyFormatType: string;
  keyCompressionType?: string;
  keyMaterial: KeyMaterial;
  cryptographicAlgorithm?: string;
  cryptographicLength?: number;
  /** Key Wrapping Data, fields by tag name, when the key material is wrapped. */
  keyWrappingData?: { [field: string]: AttributeValue };
}

/**
 * A managed object. Keys, Secret Data, Split Key, PGP Key carry a Key Block; Certificate,
 * Certificate Request and Opaque Object carry their bytes in `value` with their own type fields
 * in `attributes`-independent `valueType` (Certificate Type, Certificate Request Type, Opaque
 * Data Type). A Destroyed object keeps its metadata and has neither.
 */
export interface ManagedObject {
  uniqueIdentifier: string;
  objectType: ObjectType;
  keyBlock?: KeyBlock;
  value?: Uint8Array;
  valueType?: string;
  /** Split Key fields (Split Key Parts, Key Part Identifier, Split Key Threshold, Method, Prime). */
  splitKey?: { [field: string]: AttributeValue };
  attributes: Attributes;
  /** The identity that created or registered it: a KMIP client's certificate subject, or "desktop:<user>". */
  owner: string;
}
