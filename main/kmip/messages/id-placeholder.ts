import { Tag } from '../registry/index.js';
import { ItemType, type StructureItem, type TtlvItem } from '../ttlv/item.js';

/**
 * The ID Placeholder (KMIP 1.4 section 3.1 and 7; 2.1 section 4.58): within one batch, a request
 * that omits Unique Identifier uses the one the previous operation produced. The server keeps it
 * per request message; these are the types and the two steps it needs.
 */
export interface IdPlaceholder {
  /** The Unique Identifier most recently produced in this batch, if any. */
  current: string | undefined;
}

export function newIdPlaceholder(): IdPlaceholder {
  return { current: undefined };
}

/**
 * The request payload with the placeholder filled in: when the payload has no Unique Identifier
 * and the batch has produced one, it is added first (Unique Identifier leads every payload that
 * takes one). Returns the payload unchanged otherwise.
 */
export function withIdPlaceholder(payload: StructureItem, placeholder: IdPlaceholder): StructureItem {
  if (placeholder.current === undefined) return payload;
  if (payload.value.some((c) => c.tag === Tag.UniqueIdentifier)) return payload;
  const id: TtlvItem = { tag: Tag.UniqueIdentifier, type: ItemType.TextString, value: placeholder.current };
  return { tag: payload.tag, type: ItemType.Structure, value: [id, ...payload.value] };
}

/**
 * Records the Unique Identifier a successful response payload carries (Create, Register, Locate's
 * first, ...; for Create Key Pair the private key's, as the spec says).
 */
export function updateIdPlaceholder(placeholder: IdPlaceholder, responsePayload: StructureItem | undefined): void {
  if (responsePayload === undefined) return;
  for (const tag of [Tag.UniqueIdentifier, Tag.PrivateKeyUniqueIdentifier]) {
    const id = responsePayload.value.find((c) => c.tag === tag);
    if (id?.type === ItemType.TextString) {
      placeholder.current = id.value;
      return;
    }
  }
}
