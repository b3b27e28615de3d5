import { createHash } from 'node:crypto';
import type { StructureItem } from '../kmip/ttlv/index.js';
import type { AttributeValue, Attributes, ManagedObject, ObjectType, State } from '../vault/model.js';
import { atLeast, type OpsContext } from './context.js';
import { kmipError } from './errors.js';
import { findText } from './ttlv.js';
import { Tag } from './vocabulary.js';

/**
 * The Unique Identifier an operation acts on: the request's, or the ID Placeholder left by an
 * earlier batch item (KMIP 1.4 section 3.44; libmongocrypt sends Register + Activate this way,
 * INTEROP-NOTES 9).
 */
export function targetId(payload: StructureItem, ctx: OpsContext): string {
  const uid = findText(payload, Tag.UniqueIdentifier) ?? ctx.idPlaceholder;
  if (uid === undefined)
    throw kmipError('InvalidField', 'Unique Identifier is missing and no ID Placeholder is set', 'invalid-argument');
  return uid;
}

/** The custom attribute an owner adds (Add Attribute) to open an object to another client identity. */
export const GRANT_ATTRIBUTE = 'x-keyhold-grant';

/** Owner of the server's own objects (its CA, its certificate, enrolled clients): never visible over KMIP. */
export const SERVER_OWNER = 'keyhold:server';

/** True when the identity may see the object: owner, a grant (table or attribute), or an admin. */
export function mayAccess(obj: ManagedObject, ctx: OpsContext): boolean {
  if (obj.owner === SERVER_OWNER) return false;
  return (
    obj.owner === ctx.identity ||
    ctx.access.isAdmin(ctx.identity) ||
    ctx.access.isGranted(obj.uniqueIdentifier, ctx.identity, ctx.operation) ||
    (obj.attributes[GRANT_ATTRIBUTE] ?? []).includes(ctx.identity)
  );
}

/** Loads an object the caller may use; sets the ID Placeholder. Others' objects are Permission Denied. */
export async function loadObject(payload: StructureItem, ctx: OpsContext): Promise<ManagedObject> {
  const uid = targetId(payload, ctx);
  const obj = await ctx.store.get(uid, ctx.identity);
  // KMIP 2.x names the reason for an unknown Unique Identifier Object Not Found (2.1 section 6.1).
  if (!obj)
    throw kmipError(ctx.version.major >= 2 ? 'ObjectNotFound' : 'ItemNotFound', `no object ${uid}`, 'not-found');
  if (!mayAccess(obj, ctx))
    throw kmipError('PermissionDenied', `object ${uid} belongs to another client`, 'permission-denied');
  ctx.idPlaceholder = uid;
  return obj;
}

export function first<T extends AttributeValue>(attrs: Attributes, name: string): T | undefined {
  return attrs[name]?.[0] as T | undefined;
}

export function stateOf(obj: ManagedObject): State {
  return (first<string>(obj.attributes, 'State') ?? 'PreActive') as State;
}

export function setSingle(attrs: Attributes, name: string, value: AttributeValue): void {
  attrs[name] = [value];
}

/** Marks a change (Last Change Date, KMIP 1.4 section 3.38). */
export function touch(obj: ManagedObject, ctx: OpsContext): void {
  setSingle(obj.attributes, 'LastChangeDate', ctx.now());
}

/** The lease, in seconds, the server grants on a key (Lease Time attribute, ObtainLease). */
export const DEFAULT_LEASE_SECONDS = 3600;

/** Protection Storage Mask bit Software (KMIP 2.1 section 11.39). */
const PROTECTION_STORAGE_SOFTWARE = 0x1;

/** Attributes a client may not set on create or register (server-managed). */
export const serverManaged = new Set([
  'UniqueIdentifier',
  'ObjectType',
  'State',
  'InitialDate',
  'LastChangeDate',
  'DestroyDate',
  'CompromiseDate',
  'ArchiveDate',
  'Digest',
  'OriginalCreationDate',
  'Fresh',
  'AlwaysSensitive',
  'NeverExtractable',
  'KeyValuePresent',
  'ShortUniqueIdentifier',
  'LeaseTime',
]);

/** Read-only once set (for Add/Modify/Delete/Set Attribute). */
export const readOnly = new Set([
  ...serverManaged,
  'CryptographicAlgorithm',
  'CryptographicLength',
  'CertificateType',
  'CertificateLength',
  'ActivationDate',
  'DeactivationDate',
  'CompromiseOccurrenceDate',
  'RevocationReason',
  'ProcessStartDate',
  'ProtectStopDate',
  'RandomNumberGenerator',
  'KeyFormatType',
]);

/**
 * Attributes of one object's own identity and lifecycle, which a replacement never takes from the
 * object it replaces (Re-key and Re-key Key Pair: 1.4 Table 173; Re-certify: 2.1 Table 299).
 */
export const NOT_INHERITED_BY_REPLACEMENT: readonly string[] = [
  'UniqueIdentifier',
  'InitialDate',
  'DestroyDate',
  'CompromiseOccurrenceDate',
  'CompromiseDate',
  'RevocationReason',
  'State',
  'Digest',
  'Link',
  'LastChangeDate',
  'ArchiveDate',
  'OriginalCreationDate',
  'ShortUniqueIdentifier',
];

/** A replacement's start: the replaced object's attributes (each value list copied) but those in `except`. */
export function inheritedAttributes(old: ManagedObject, except: ReadonlySet<string>): Attributes {
  const attrs: Attributes = {};
  for (const [name, values] of Object.entries(old.attributes)) if (!except.has(name)) attrs[name] = values.slice();
  return attrs;
}

/** Builds a new managed object with the server's attributes (dates, state, identity). */
export async function newObject(
  ctx: OpsContext,
  objectType: ObjectType,
  clientAttributes: Attributes,
  parts: Pick<ManagedObject, 'keyBlock' | 'value' | 'valueType' | 'splitKey'>,
): Promise<ManagedObject> {
  const attrs: Attributes = {};
  for (const [name, values] of Object.entries(clientAttributes)) {
    if (serverManaged.has(name)) continue;
    attrs[name] = values;
  }
  const uid = await ctx.store.newUniqueIdentifier();
  const now = ctx.now();
  attrs.UniqueIdentifier = [uid];
  attrs.ObjectType = [objectType];
  const kb = parts.keyBlock;
  if (kb?.cryptographicAlgorithm) attrs.CryptographicAlgorithm = [kb.cryptographicAlgorithm];
  if (kb?.cryptographicLength !== undefined) attrs.CryptographicLength = [kb.cryptographicLength];
  // KMIP 2.1 section 4.26: Key Format Type is an attribute of keys (not one in 1.x, never sent there).
  if (kb) attrs.KeyFormatType = [kb.keyFormatType];
  // KMIP 2.1 section 4.56: Short Unique Identifier, the SHA-256 of the Unique Identifier (2.x only).
  attrs.ShortUniqueIdentifier = [createHash('sha256').update(uid).digest()];
  const activation = first<Date>(attrs, 'ActivationDate');
  attrs.State = [activation instanceof Date && activation.getTime() <= now.getTime() ? 'Active' : 'PreActive'];
  attrs.InitialDate = [now];
  attrs.LastChangeDate = [now];
  if (atLeast(ctx.version, 1, 2)) attrs.OriginalCreationDate = [now];
  if (kb) {
    // KMIP 1.4 sections 3.48-3.51 and 3.34: Sensitive defaults to False and Extractable to True;
    // Always Sensitive / Never Extractable record them as they were at creation; Fresh is True
    // until the key material has left the server.
    const sensitive = first<boolean>(attrs, 'Sensitive') === true;
    const extractable = first<boolean>(attrs, 'Extractable') !== false;
    attrs.Sensitive = [sensitive];
    attrs.AlwaysSensitive = [sensitive];
    attrs.Extractable = [extractable];
    attrs.NeverExtractable = [!extractable];
    attrs.Fresh = [true];
    // Lease Time (KMIP 1.4 section 3.20): the server's lease for the key, the one ObtainLease grants.
    attrs.LeaseTime = [DEFAULT_LEASE_SECONDS];
    // Protection Storage Mask (KMIP 2.1 section 4.44): Keyhold keeps key material in software (0x1).
    attrs.ProtectionStorageMask = [PROTECTION_STORAGE_SOFTWARE];
  }
  const material = kb?.keyMaterial instanceof Uint8Array ? kb.keyMaterial : parts.value;
  if (material && material.length > 0) {
    // Digest (KMIP 1.4 section 3.17): SHA-256 over the key material as registered.
    attrs.Digest = [
      {
        HashingAlgorithm: 'SHA_256',
        DigestValue: createHash('sha256').update(material).digest(),
        ...(kb ? { KeyFormatType: kb.keyFormatType } : {}),
      },
    ];
  }
  const { keyBlock, value, valueType, splitKey } = parts;
  return {
    uniqueIdentifier: uid,
    objectType,
    attributes: attrs,
    owner: ctx.identity,
    ...(keyBlock ? { keyBlock } : {}),
    ...(value ? { value } : {}),
    ...(valueType ? { valueType } : {}),
    ...(splitKey ? { splitKey } : {}),
  };
}
