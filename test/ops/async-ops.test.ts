import { describe, expect, it } from 'vitest';
import { decodeTtlv, encodeTtlv, type StructureItem } from '../../main/kmip/ttlv/index.js';
import { MemoryObjectStore, operations } from '../../main/ops/index.js';
import { find, findAll, t } from '../../main/ops/ttlv.js';
import { Operation, ResultReason, Tag } from '../../main/ops/vocabulary.js';
import { GrantTable } from '../../main/server/access.js';
import { KmipProcessor } from '../../main/server/protocol.js';

function request(major: number, minor: number, op: number, payload: StructureItem['value']): Uint8Array {
  return encodeTtlv(
    t.struct(Tag.RequestMessage, [
      t.struct(Tag.RequestHeader, [
        t.struct(Tag.ProtocolVersion, [t.int(Tag.ProtocolVersionMajor, major), t.int(Tag.ProtocolVersionMinor, minor)]),
        t.int(Tag.BatchCount, 1),
      ]),
      t.struct(Tag.BatchItem, [t.enm(Tag.Operation, op), t.struct(Tag.RequestPayload, payload)]),
    ]),
  );
}

async function send(bytes: Uint8Array): Promise<StructureItem> {
  const p = new KmipProcessor({ store: new MemoryObjectStore(), access: new GrantTable(), operations });
  const m = decodeTtlv(await p.process(bytes, 'alice')) as StructureItem;
  return findAll(m, Tag.BatchItem)[0] as StructureItem;
}

const value = (s: StructureItem | undefined, tag: number) => (find(s, tag) as { value: unknown } | undefined)?.value;
const acv = new Uint8Array([1, 2, 3, 4]);

describe('Poll and Cancel (no operation is ever asynchronous)', () => {
  for (const [major, minor] of [
    [1, 4],
    [2, 1],
  ] as const) {
    it(`${major}.${minor}: Poll of an unknown correlation value fails (1.4 Item Not Found, 2.1 Invalid Asynchronous Correlation Value)`, async () => {
      const item = await send(request(major, minor, Operation.Poll, [t.bytes(Tag.AsynchronousCorrelationValue, acv)]));
      expect(value(item, Tag.ResultStatus)).toBe(1);
      expect(value(item, Tag.ResultReason)).toBe(
        major === 1 ? ResultReason.ItemNotFound : ResultReason.InvalidAsynchronousCorrelationValue,
      );
    });

    it(`${major}.${minor}: Cancel answers Unavailable and echoes the correlation value`, async () => {
      const item = await send(
        request(major, minor, Operation.Cancel, [t.bytes(Tag.AsynchronousCorrelationValue, acv)]),
      );
      expect(value(item, Tag.ResultStatus)).toBe(0);
      const payload = find(item, Tag.ResponsePayload) as StructureItem;
      expect(Buffer.from(value(payload, Tag.AsynchronousCorrelationValue) as Uint8Array)).toEqual(Buffer.from(acv));
      expect(value(payload, Tag.CancellationResult)).toBe(5);
    });
  }

  it('Poll without a correlation value is an Invalid Field', async () => {
    const item = await send(request(2, 1, Operation.Poll, []));
    expect(value(item, Tag.ResultReason)).toBe(ResultReason.InvalidField);
  });
});
