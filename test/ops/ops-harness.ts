import { decodeTtlv, encodeTtlv, type StructureItem, type TtlvItem } from '../../main/kmip/ttlv/index.js';
import { MemoryObjectStore, operations } from '../../main/ops/index.js';
import { find, findAll, t } from '../../main/ops/ttlv.js';
import { Tag } from '../../main/ops/vocabulary.js';
import { GrantTable } from '../../main/server/access.js';
import { KmipProcessor } from '../../main/server/protocol.js';
import type { ManagedObject } from '../../main/vault/model.js';

/** Sends one-item requests through the real processor over an in-memory store (tests of main/ops). */
export function opsHarness(store = new MemoryObjectStore()) {
  const processor = new KmipProcessor({ store, access: new GrantTable(), operations });
  const send = async (
    op: number,
    payload: (TtlvItem | undefined)[],
    o: { identity?: string; version?: [number, number] } = {},
  ): Promise<StructureItem> => {
    const [major, minor] = o.version ?? [2, 1];
    const bytes = encodeTtlv(
      t.struct(Tag.RequestMessage, [
        t.struct(Tag.RequestHeader, [
          t.struct(Tag.ProtocolVersion, [
            t.int(Tag.ProtocolVersionMajor, major),
            t.int(Tag.ProtocolVersionMinor, minor),
          ]),
          t.int(Tag.BatchCount, 1),
        ]),
        t.struct(Tag.BatchItem, [t.enm(Tag.Operation, op), t.struct(Tag.RequestPayload, payload)]),
      ]),
    );
    const m = decodeTtlv(await processor.process(bytes, o.identity ?? 'alice')) as StructureItem;
    return findAll(m, Tag.BatchItem)[0] as StructureItem;
  };
  const object = async (uid: string) => (await store.get(uid, 'alice')) as ManagedObject;
  return { store, send, object };
}

export const valueOf = (s: StructureItem | undefined, tag: number): unknown =>
  (find(s, tag) as { value: unknown } | undefined)?.value;

export const payloadOf = (item: StructureItem): StructureItem => find(item, Tag.ResponsePayload) as StructureItem;

/** The Result Status (0 = Success) and Result Reason of a batch item. */
export function resultOf(item: StructureItem): { status: number; reason?: number; message?: string } {
  return {
    status: valueOf(item, Tag.ResultStatus) as number,
    reason: valueOf(item, Tag.ResultReason) as number | undefined,
    message: valueOf(item, Tag.ResultMessage) as string | undefined,
  };
}

/** Asserts success and returns the response payload. */
export function ok(item: StructureItem): StructureItem {
  const r = resultOf(item);
  if (r.status !== 0) throw new Error(`operation failed: reason ${r.reason} ${r.message ?? ''}`);
  return payloadOf(item);
}

export const uidOf = (item: StructureItem): string => valueOf(ok(item), Tag.UniqueIdentifier) as string;
