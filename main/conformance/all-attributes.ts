import { ItemType, type StructureItem, type TtlvItem } from '../kmip/ttlv/index.js';
import { Tag } from '../ops/vocabulary.js';

/**
 * A Get Attributes request that names no attribute asks for every attribute of the object ("all
 * attributes SHALL be deemed to match", KMIP 1.4 section 4.12). The reference server's answer in
 * a test case may hold fewer than the object has: TL-M-3-14 leaves out Sensitive, Always
 * Sensitive, Extractable and Never Extractable (1.4 attributes, sections 3.48-3.51, which every
 * object has) although the same file's Get Attribute List answer, one request earlier, names
 * them for the same object, and SKLC-O-1-14's no-name Get Attributes returns them.
 *
 * The rule: in the answer to a no-name Get Attributes, an attribute the expected answer lacks is
 * accepted when an expected Get Attribute List answer earlier in the same file named it for the
 * same Unique Identifier; i.e. only attributes the reference server itself said the object has.
 * Only the latest listing counts, and none survives a Delete Attribute sent after it: an
 * attribute the object had when it was listed but no longer has is not excused (a server that
 * failed to delete it is caught). Every expected attribute must still be there, with its
 * expected value. This is 1.x only (a 2.x answer's Attributes structure is compared as it is).
 */
export class AttributesListedByReference {
  /** Attribute names by the expected Unique Identifier's text (a placeholder or a literal). */
  private readonly listed = new Map<string, Set<string>>();

  /** `placeholders`: the test case's placeholder of each item ("$UNIQUE_IDENTIFIER_0"). */
  constructor(private readonly placeholders: WeakMap<TtlvItem, string> = new WeakMap()) {}

  private uidOf(payload: StructureItem | undefined): string | undefined {
    const f = children(payload).find((i) => i.tag === Tag.UniqueIdentifier);
    if (f === undefined) return undefined;
    return this.placeholders.get(f) ?? (f.type === ItemType.TextString ? f.value : undefined);
  }

  /** Remembers what each expected Get Attribute List answer names: the latest listing of an object replaces earlier ones. */
  remember(expected: TtlvItem): void {
    const fresh = new Map<string, Set<string>>();
    for (const b of children(expected)) {
      if (b.tag !== Tag.BatchItem || operationOf(b) !== GET_ATTRIBUTE_LIST) continue;
      const payload = payloadOf(b, Tag.ResponsePayload);
      const uid = this.uidOf(payload);
      if (uid === undefined) continue;
      const names = fresh.get(uid) ?? new Set<string>();
      for (const n of children(payload))
        if (n.tag === Tag.AttributeName && n.type === ItemType.TextString) names.add(n.value);
      fresh.set(uid, names);
    }
    for (const [uid, names] of fresh) this.listed.set(uid, names);
  }

  /**
   * Called with every request sent (before its answer is pruned): a Delete Attribute ends every
   * listing, since what was listed may be gone. (The sent request carries the server's
   * identifiers, not the file's placeholders, so its object cannot be told apart: all are dropped.)
   */
  forget(sent: TtlvItem): void {
    if (children(sent).some((b) => b.tag === Tag.BatchItem && operationOf(b) === DELETE_ATTRIBUTE)) this.listed.clear();
  }

  /**
   * The actual response with, in each answer to a no-name Get Attributes, the attributes the
   * expected answer lacks but the reference listed left out (compared without them); the
   * response itself when there are none.
   */
  prune(sent: TtlvItem, expected: TtlvItem, actual: TtlvItem): TtlvItem {
    if (actual.type !== ItemType.Structure) return actual;
    const sentItems = children(sent).filter((b) => b.tag === Tag.BatchItem);
    const expectedItems = children(expected).filter((b) => b.tag === Tag.BatchItem);
    let batchIndex = -1;
    let changed = false;
    const value = actual.value.map((b) => {
      if (b.tag !== Tag.BatchItem || b.type !== ItemType.Structure) return b;
      batchIndex++;
      const request = sentItems[batchIndex];
      const want = expectedItems[batchIndex];
      if (request === undefined || want === undefined || operationOf(request) !== GET_ATTRIBUTES) return b;
      const asked = children(payloadOf(request, Tag.RequestPayload));
      if (asked.some((i) => i.tag === Tag.AttributeName || i.tag === Tag.AttributeReference)) return b;
      const wantPayload = payloadOf(want, Tag.ResponsePayload);
      const uid = this.uidOf(wantPayload);
      const listed = uid === undefined ? undefined : this.listed.get(uid);
      if (listed === undefined) return b;
      const expectedNames = new Set(
        children(wantPayload)
          .map(attributeNameOf)
          .filter((n) => n !== undefined),
      );
      const extra = (i: TtlvItem): boolean => {
        const n = attributeNameOf(i);
        return n !== undefined && !expectedNames.has(n) && listed.has(n);
      };
      const gotPayload = payloadOf(b, Tag.ResponsePayload);
      if (gotPayload === undefined || !gotPayload.value.some(extra)) return b;
      changed = true;
      return {
        ...b,
        value: b.value.map((f) =>
          f === gotPayload ? { ...gotPayload, value: gotPayload.value.filter((i) => !extra(i)) } : f,
        ),
      } as StructureItem;
    });
    return changed ? { ...actual, value } : actual;
  }
}

const GET_ATTRIBUTES = 0x0b;
const GET_ATTRIBUTE_LIST = 0x0c;
const DELETE_ATTRIBUTE = 0x0f;

function children(item: TtlvItem | undefined): TtlvItem[] {
  return item?.type === ItemType.Structure ? item.value : [];
}

function operationOf(batchItem: TtlvItem): number | undefined {
  const op = children(batchItem).find((i) => i.tag === Tag.Operation);
  return op?.type === ItemType.Enumeration ? op.value : undefined;
}

function payloadOf(batchItem: TtlvItem, tag: number): StructureItem | undefined {
  const p = children(batchItem).find((i) => i.tag === tag);
  return p?.type === ItemType.Structure ? p : undefined;
}

function textOf(parent: TtlvItem | undefined, tag: number): string | undefined {
  const f = children(parent).find((i) => i.tag === tag);
  return f?.type === ItemType.TextString ? f.value : undefined;
}

/** The Attribute Name of a 1.x Attribute structure. */
function attributeNameOf(item: TtlvItem): string | undefined {
  return item.tag === Tag.Attribute ? textOf(item, Tag.AttributeName) : undefined;
}
