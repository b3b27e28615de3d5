/**
 * What Derive Key, Create Split Key and Join Split Key share: loading the objects a request
 * names (never the ID Placeholder where the spec forbids it), their secret bytes, the length
 * rules of a new symmetric key, and links.
 */
import { KeyholdError } from '../../shared/errors.js';
import { generateSymmetricKey, type SymmetricKeyAlgorithm } from '../crypto/index.js';
import { ItemType, type StructureItem } from '../kmip/ttlv/index.js';
import type { Attributes, ManagedObject } from '../vault/model.js';
import { attributesFromV1, attributesFromV2 } from './attributes.js';
import type { OpsContext } from './context.js';
import { kmipError } from './errors.js';
import { first, loadObject, touch } from './objects.js';
import { findAll, findStruct, t } from './ttlv.js';
import { Tag } from './vocabulary.js';

/** The Unique Identifiers a request lists, in order (Derive Key and Join Split Key repeat it). */
export function listedIdentifiers(payload: StructureItem): string[] {
  return findAll(payload, Tag.UniqueIdentifier).map((item) => {
    if (item.type !== ItemType.TextString)
      throw kmipError('InvalidField', 'Unique Identifier is not a Text String', 'invalid-argument');
    return item.value;
  });
}

/** Loads one named object with the caller's access checked; an archived one is Object Archived. */
export async function loadNamed(uid: string, ctx: OpsContext): Promise<ManagedObject> {
  const obj = await loadObject(t.struct(Tag.RequestPayload, [t.text(Tag.UniqueIdentifier, uid)]), ctx);
  if (first(obj.attributes, 'ArchiveDate') !== undefined)
    throw kmipError('ObjectArchived', `object ${uid} is archived`, 'illegal-state');
  return obj;
}

/**
 * The secret bytes of a Symmetric Key, Secret Data or Split Key held in clear by the server. The
 * array is the stored object's own: callers copy before changing it and never wipe it.
 */
export function secretBytes(obj: ManagedObject, ctx: OpsContext): Uint8Array {
  const kb = obj.keyBlock;
  if (!kb || ctx.tokenCrypto?.handles(obj))
    throw kmipError('KeyValueNotPresent', `object ${obj.uniqueIdentifier} has no key material here`, 'illegal-state');
  if (kb.keyWrappingData)
    throw kmipError('KeyValueNotPresent', `object ${obj.uniqueIdentifier} is stored wrapped`, 'illegal-state');
  const m = kb.keyMaterial;
  const bytes = m instanceof Uint8Array ? m : m.Key instanceof Uint8Array ? m.Key : undefined;
  if (!bytes || bytes.length === 0)
    throw kmipError('KeyValueNotPresent', `object ${obj.uniqueIdentifier} has no key material`, 'illegal-state');
  return bytes;
}

/** Template Attribute (1.x) or Attributes (2.x) of a request. */
export function requestedAttributes(payload: StructureItem): Attributes {
  return {
    ...attributesFromV1(findStruct(payload, Tag.TemplateAttribute)),
    ...attributesFromV2(findStruct(payload, Tag.Attributes)),
  };
}

/**
 * Bytes of key material for a symmetric key of `algorithm` and `bits` (Triple DES said as 168
 * effective bits is 192 with parity), or Invalid Field when Keyhold would not make that key. The
 * rules are Create's: generateSymmetricKey checks them, and the throwaway key is wiped.
 */
export function symmetricKeyBytes(algorithm: string, bits: number): number {
  const realBits = algorithm === 'DES3' && bits === 168 ? 192 : bits;
  try {
    generateSymmetricKey(algorithm as SymmetricKeyAlgorithm, realBits).fill(0);
  } catch (e) {
    throw new KeyholdError('invalid-argument', e instanceof Error ? e.message : `no ${algorithm} key of ${bits} bits`, {
      reason: 'Invalid Field',
    });
  }
  return realBits / 8;
}

/** Adds one Link instance (KMIP 1.4 section 3.35). */
export function addLink(obj: ManagedObject, linkType: string, target: string): void {
  (obj.attributes['Link'] ??= []).push({ LinkType: linkType, LinkedObjectIdentifier: target });
}

/**
 * Stores an object made from others (derived from them, or joined from their parts): links it to
 * each source and each source back, stores them all and makes the new object the ID Placeholder.
 */
export async function storeMadeFrom(
  made: ManagedObject,
  sources: readonly ManagedObject[],
  links: { onMade: string; onSources: string },
  ctx: OpsContext,
): Promise<StructureItem> {
  for (const source of sources) {
    addLink(made, links.onMade, source.uniqueIdentifier);
    addLink(source, links.onSources, made.uniqueIdentifier);
    touch(source, ctx);
  }
  await ctx.store.put(made, ctx.identity);
  for (const source of sources) await ctx.store.put(source, ctx.identity);
  ctx.idPlaceholder = made.uniqueIdentifier;
  return t.struct(Tag.ResponsePayload, [t.text(Tag.UniqueIdentifier, made.uniqueIdentifier)]);
}
