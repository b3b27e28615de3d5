import { describe, expect, it } from 'vitest';
import { decodeTtlv, encodeTtlv, ItemType, type StructureItem, type TtlvItem } from '../../main/kmip/ttlv/index.js';
import type { OperationHandler, OpsContext } from '../../main/ops/context.js';
import { kmipError } from '../../main/ops/errors.js';
import { MemoryObjectStore } from '../../main/ops/index.js';
import { find, findAll, findText, t } from '../../main/ops/ttlv.js';
import { BatchErrorContinuationOption, Operation, ResultReason, ResultStatus, Tag } from '../../main/ops/vocabulary.js';
import { GrantTable } from '../../main/server/access.js';
import { KmipProcessor, parseRequest, reasonFor, type Credential } from '../../main/server/protocol.js';

/**
 * The request path of the server (main/server/protocol.ts over main/kmip/messages): what it reads
 * of a Request Message and what it answers, with stub operations so each rule stands alone.
 */

interface Item {
  op: number;
  payload?: TtlvItem[];
  id?: Uint8Array;
}

function header(major: number, minor: number, extra: (TtlvItem | undefined)[], count: number): StructureItem {
  return t.struct(Tag.RequestHeader, [
    t.struct(Tag.ProtocolVersion, [t.int(Tag.ProtocolVersionMajor, major), t.int(Tag.ProtocolVersionMinor, minor)]),
    ...extra,
    t.int(Tag.BatchCount, count),
  ]);
}

function request(version: [number, number], items: Item[], extra: (TtlvItem | undefined)[] = []): StructureItem {
  return t.struct(Tag.RequestMessage, [
    header(version[0], version[1], extra, items.length),
    ...items.map((i) =>
      t.struct(Tag.BatchItem, [
        t.enm(Tag.Operation, i.op),
        i.id ? t.bytes(Tag.UniqueBatchItemID, i.id) : undefined,
        t.struct(Tag.RequestPayload, i.payload ?? []),
      ]),
    ),
  ]);
}

const uid = (s: string) => t.text(Tag.UniqueIdentifier, s);

/** Stub operations: Get echoes (or takes from the ID placeholder) a Unique Identifier, Create makes one. */
function stubOperations(seen: OpsContext[] = []): Partial<Record<number, OperationHandler>> {
  return {
    [Operation.Create]: async (_p, ctx) => {
      seen.push({ ...ctx });
      ctx.idPlaceholder = 'made-1';
      return t.struct(Tag.ResponsePayload, [uid('made-1')]);
    },
    [Operation.Get]: async (p, ctx) => {
      seen.push({ ...ctx });
      const id = findText(p, Tag.UniqueIdentifier) ?? ctx.idPlaceholder;
      if (id === undefined || id === 'missing') throw kmipError('ObjectNotFound', `no object ${id}`);
      // Fresh is a 1.1 attribute tag, Server Correlation Value a 1.4 header tag: newer than 1.0.
      return t.struct(Tag.ResponsePayload, [uid(id), t.bool(Tag.Fresh, true), t.text(Tag.ServerCorrelationValue, 'x')]);
    },
  };
}

function processor(
  options: { authenticator?: { check(identity: string, c: Credential | undefined): void } } = {},
  seen: OpsContext[] = [],
) {
  return new KmipProcessor({
    store: new MemoryObjectStore(),
    access: new GrantTable(),
    operations: stubOperations(seen),
    now: () => new Date(1_700_000_000_000),
    ...options,
  });
}

async function send(p: KmipProcessor, message: StructureItem | Uint8Array): Promise<StructureItem> {
  const bytes = message instanceof Uint8Array ? message : encodeTtlv(message);
  return decodeTtlv(await p.process(bytes, 'alice')) as StructureItem;
}

const value = (s: StructureItem | undefined, tag: number): unknown =>
  (find(s, tag) as { value: unknown } | undefined)?.value;
const batchItems = (m: StructureItem) => findAll(m, Tag.BatchItem) as StructureItem[];
function versionOf(m: StructureItem): [unknown, unknown] {
  const pv = find(find(m, Tag.ResponseHeader) as StructureItem, Tag.ProtocolVersion) as StructureItem;
  return [value(pv, Tag.ProtocolVersionMajor), value(pv, Tag.ProtocolVersionMinor)];
}

describe('parseRequest (the message model, as the server reads it)', () => {
  it('reads version, options, credential and batch items', () => {
    const parsed = parseRequest(
      request(
        [1, 4],
        [
          { op: Operation.Create, id: new Uint8Array([1]) },
          { op: 0x8000_0001, payload: [uid('u')] },
        ],
        [
          t.int(Tag.MaximumResponseSize, 4096),
          t.struct(Tag.Authentication, [
            t.struct(Tag.Credential, [
              t.enm(Tag.CredentialType, 1),
              t.struct(Tag.CredentialValue, [t.text(Tag.Username, 'bob'), t.text(Tag.Password, 'pw')]),
            ]),
          ]),
          t.enm(Tag.BatchErrorContinuationOption, BatchErrorContinuationOption.Continue),
        ],
      ),
    );
    expect(parsed.version).toEqual({ major: 1, minor: 4 });
    expect(parsed.maximumResponseSize).toBe(4096);
    expect(parsed.batchErrorContinuationOption).toBe('Continue');
    expect(parsed.credential).toEqual({ username: 'bob', password: 'pw' });
    expect(parsed.items.map((i) => [i.operation, i.name, i.uniqueBatchItemId])).toEqual([
      [Operation.Create, 'Create', new Uint8Array([1])],
      [0x8000_0001, '0x80000001', undefined],
    ]);
    expect(parsed.items[1]?.payload.value).toEqual([uid('u')]);
  });

  it('takes no credential from a non-password Credential, and Stop is the default', () => {
    const parsed = parseRequest(
      request(
        [2, 1],
        [{ op: Operation.Get }],
        [
          t.struct(Tag.Authentication, [
            t.struct(Tag.Credential, [
              t.enm(Tag.CredentialType, 2),
              t.struct(Tag.CredentialValue, [t.text(Tag.DeviceSerialNumber, 'dev')]),
            ]),
          ]),
        ],
      ),
    );
    expect(parsed.credential).toBeUndefined();
    expect(parsed.batchErrorContinuationOption).toBe('Stop');
  });
});

describe('KmipProcessor', () => {
  it('answers a malformed message with Invalid Message, the reason, in the sender’s version', async () => {
    const [, item0] = request([1, 4], [{ op: Operation.Get }]).value;
    const wrongCount = t.struct(Tag.RequestMessage, [header(1, 4, [], 2), item0]);
    const m = await send(processor(), wrongCount);
    expect(versionOf(m)).toEqual([1, 4]);
    const [item] = batchItems(m);
    expect(value(item, Tag.ResultStatus)).toBe(ResultStatus.OperationFailed);
    expect(value(item, Tag.ResultReason)).toBe(ResultReason.InvalidMessage);
    expect(value(item, Tag.ResultMessage)).toMatch(/Batch Count is 2 but the message has 1 Batch Item/);
    expect(find(item, Tag.Operation)).toBeUndefined();
  });

  it('answers bytes that do not decode, or an unsupported Protocol Version in the header, in 1.0', async () => {
    const undecodable = await send(processor(), new Uint8Array([0x42, 0x00, 0x78, 0x01, 0, 0, 0, 9]));
    expect(versionOf(undecodable)).toEqual([1, 0]);
    expect(value(batchItems(undecodable)[0], Tag.ResultReason)).toBe(ResultReason.InvalidMessage);
    const noItems = t.struct(Tag.RequestMessage, [header(9, 9, [], 0)]);
    expect(versionOf(await send(processor(), noItems))).toEqual([1, 0]);
  });

  it('answers a version it does not speak in its newest, each item Invalid Message', async () => {
    const m = await send(processor(), request([3, 0], [{ op: Operation.Get }, { op: Operation.Create }]));
    expect(versionOf(m)).toEqual([2, 1]);
    expect(batchItems(m).map((i) => [value(i, Tag.Operation), value(i, Tag.ResultReason)])).toEqual([
      [Operation.Get, ResultReason.InvalidMessage],
      [Operation.Create, ResultReason.InvalidMessage],
    ]);
  });

  it('gives the authenticator the Username and Password credential, and fails every item when it refuses', async () => {
    const checked: (Credential | undefined)[] = [];
    const authenticator = {
      check(_identity: string, c: Credential | undefined) {
        checked.push(c);
        if (c?.password !== 'right') throw kmipError('AuthenticationNotSuccessful', 'wrong credential');
      },
    };
    const credential = (password: string) =>
      t.struct(Tag.Authentication, [
        t.struct(Tag.Credential, [
          t.enm(Tag.CredentialType, 1),
          t.struct(Tag.CredentialValue, [t.text(Tag.Username, 'alice'), t.text(Tag.Password, password)]),
        ]),
      ]);
    const p = processor({ authenticator });
    const refused = await send(
      p,
      request([1, 4], [{ op: Operation.Create }, { op: Operation.Get }], [credential('x')]),
    );
    expect(batchItems(refused).map((i) => value(i, Tag.ResultReason))).toEqual([
      ResultReason.AuthenticationNotSuccessful,
      ResultReason.AuthenticationNotSuccessful,
    ]);
    const ok = await send(p, request([1, 4], [{ op: Operation.Create }], [credential('right')]));
    expect(value(batchItems(ok)[0], Tag.ResultStatus)).toBe(ResultStatus.Success);
    expect(checked).toEqual([
      { username: 'alice', password: 'x' },
      { username: 'alice', password: 'right' },
    ]);
  });

  it('echoes Operation and Unique Batch Item ID, and fills the ID placeholder from the previous item', async () => {
    const seen: OpsContext[] = [];
    const m = await send(
      processor({}, seen),
      request(
        [2, 1],
        [
          { op: Operation.Create, id: new Uint8Array([0xaa]) },
          { op: Operation.Get, id: new Uint8Array([0xbb]) },
        ],
      ),
    );
    const [create, get] = batchItems(m);
    expect(value(create, Tag.Operation)).toBe(Operation.Create);
    expect(value(create, Tag.UniqueBatchItemID)).toEqual(new Uint8Array([0xaa]));
    expect(value(get, Tag.UniqueBatchItemID)).toEqual(new Uint8Array([0xbb]));
    expect(value(find(get, Tag.ResponsePayload) as StructureItem, Tag.UniqueIdentifier)).toBe('made-1');
    expect(seen.map((c) => c.operation)).toEqual(['Create', 'Get']);
  });

  it('stops at the first failure by default, goes on with Continue', async () => {
    const items = [{ op: Operation.Get, payload: [uid('missing')] }, { op: Operation.Create }];
    const stopped = await send(processor(), request([2, 1], items));
    expect(batchItems(stopped).map((i) => value(i, Tag.ResultStatus))).toEqual([ResultStatus.OperationFailed]);
    const cont = t.enm(Tag.BatchErrorContinuationOption, BatchErrorContinuationOption.Continue);
    const continued = await send(processor(), request([2, 1], items, [cont]));
    expect(batchItems(continued).map((i) => value(i, Tag.ResultStatus))).toEqual([
      ResultStatus.OperationFailed,
      ResultStatus.Success,
    ]);
  });

  it('maps Result Reasons 1.x does not have, keeps them for 2.x', async () => {
    const get = [{ op: Operation.Get, payload: [uid('missing')] }];
    const v1 = batchItems(await send(processor(), request([1, 2], get)))[0];
    expect(value(v1, Tag.ResultReason)).toBe(ResultReason.ItemNotFound);
    const v2 = batchItems(await send(processor(), request([2, 0], get)))[0];
    expect(value(v2, Tag.ResultReason)).toBe(ResultReason.ObjectNotFound);
  });

  it('answers Operation Not Supported for an operation it does not serve, echoing it', async () => {
    const [item] = batchItems(await send(processor(), request([2, 1], [{ op: 0x8000_0001 }])));
    expect(value(item, Tag.Operation)).toBe(0x8000_0001);
    expect(value(item, Tag.ResultReason)).toBe(ResultReason.OperationNotSupported);
    expect(value(item, Tag.ResultMessage)).toBe('0x80000001 is not supported');
  });

  it('never sends a field newer than the request’s version (forVersion on every payload)', async () => {
    const tags = async (major: number, minor: number) => {
      const m = await send(processor(), request([major, minor], [{ op: Operation.Get, payload: [uid('k')] }]));
      return (find(batchItems(m)[0], Tag.ResponsePayload) as StructureItem).value.map((c) => c.tag);
    };
    expect(await tags(1, 0)).toEqual([Tag.UniqueIdentifier]);
    expect(await tags(1, 1)).toEqual([Tag.UniqueIdentifier, Tag.Fresh]);
    expect(await tags(1, 4)).toEqual([Tag.UniqueIdentifier, Tag.Fresh, Tag.ServerCorrelationValue]);
  });

  it('answers Response Too Large for every item when the response passes Maximum Response Size', async () => {
    const items = [{ op: Operation.Create }, { op: Operation.Get }];
    const small = await send(processor(), request([1, 4], items, [t.int(Tag.MaximumResponseSize, 100)]));
    expect(batchItems(small).map((i) => [value(i, Tag.Operation), value(i, Tag.ResultReason)])).toEqual([
      [Operation.Create, ResultReason.ResponseTooLarge],
      [Operation.Get, ResultReason.ResponseTooLarge],
    ]);
    const large = await send(processor(), request([1, 4], items, [t.int(Tag.MaximumResponseSize, 10_000)]));
    expect(batchItems(large).map((i) => value(i, Tag.ResultStatus))).toEqual([
      ResultStatus.Success,
      ResultStatus.Success,
    ]);
  });

  it('rejects the whole message for a critical Message Extension it does not understand, ignores a non-critical one', async () => {
    const extension = (critical: boolean) =>
      t.struct(Tag.MessageExtension, [
        t.text(Tag.VendorIdentification, 'acme'),
        t.bool(Tag.CriticalityIndicator, critical),
        t.struct(Tag.VendorExtension, []),
      ]);
    const withExtension = (version: [number, number], critical: boolean) => {
      const m = request(version, [{ op: Operation.Create }, { op: Operation.Get, payload: [uid('k')] }]);
      const [h, first, second] = m.value as StructureItem[];
      return t.struct(Tag.RequestMessage, [
        h,
        first,
        { ...(second as StructureItem), value: [...(second as StructureItem).value, extension(critical)] },
      ]);
    };
    const seen: OpsContext[] = [];
    const rejected = await send(processor({}, seen), withExtension([2, 1], true));
    expect(batchItems(rejected).map((i) => [value(i, Tag.ResultStatus), value(i, Tag.ResultReason)])).toEqual([
      [ResultStatus.OperationFailed, ResultReason.UnknownMessageExtension],
      [ResultStatus.OperationFailed, ResultReason.UnknownMessageExtension],
    ]);
    expect(value(batchItems(rejected)[1], Tag.ResultMessage)).toMatch(/critical Message Extension of "acme"/);
    expect(seen).toEqual([]); // nothing ran
    const v1 = await send(processor(), withExtension([1, 4], true));
    expect(batchItems(v1).map((i) => value(i, Tag.ResultReason))).toEqual([
      ResultReason.FeatureNotSupported,
      ResultReason.FeatureNotSupported,
    ]);
    const ignored = await send(processor(), withExtension([2, 1], false));
    expect(batchItems(ignored).map((i) => value(i, Tag.ResultStatus))).toEqual([
      ResultStatus.Success,
      ResultStatus.Success,
    ]);
  });

  it('answers Invalid Message for a batch item without Request Payload or with an unknown field, and a header without Batch Count (required in 1.0-2.1); an unknown header field is tolerated', async () => {
    const good = request([1, 1], [{ op: Operation.Get, payload: [uid('k')] }]);
    const [h, item] = good.value as StructureItem[];
    const answer = async (m: StructureItem) => {
      const [i] = batchItems(await send(processor(), m));
      return [value(i, Tag.ResultReason), value(i, Tag.ResultMessage)];
    };
    const noPayload = { ...(item as StructureItem), value: (item as StructureItem).value.slice(0, 1) };
    expect(await answer(t.struct(Tag.RequestMessage, [h, noPayload]))).toEqual([
      ResultReason.InvalidMessage,
      expect.stringMatching(/RequestPayload is missing from BatchItem/),
    ]);
    const unknownField = { ...(item as StructureItem), value: [...(item as StructureItem).value, uid('stray')] };
    expect(await answer(t.struct(Tag.RequestMessage, [h, unknownField]))).toEqual([
      ResultReason.InvalidMessage,
      expect.stringMatching(/unexpected field in a Batch Item/),
    ]);
    const noCount = { ...(h as StructureItem), value: (h as StructureItem).value.slice(0, 1) };
    expect(await answer(t.struct(Tag.RequestMessage, [noCount, item as StructureItem]))).toEqual([
      ResultReason.InvalidMessage,
      expect.stringMatching(/BatchCount is missing from RequestHeader/),
    ]);
    const extraHeader = {
      ...(h as StructureItem),
      value: [...(h as StructureItem).value, t.text(Tag.ClientCorrelationValue, 'c'), uid('stray')],
    };
    expect(await answer(t.struct(Tag.RequestMessage, [extraHeader, item as StructureItem]))).toEqual([
      undefined,
      undefined,
    ]);
  });

  it('malformed() answers a framing error in 1.0 with Invalid Message', () => {
    const m = decodeTtlv(processor().malformed(new Error('too big'))) as StructureItem;
    expect(versionOf(m)).toEqual([1, 0]);
    const [item] = batchItems(m);
    expect(item?.type).toBe(ItemType.Structure);
    expect(value(item, Tag.ResultReason)).toBe(ResultReason.InvalidMessage);
  });
});

describe('Result Reasons by version', () => {
  const v = (major: number, minor: number) => ({ major, minor });
  it('gives a 1.x client only reasons its version defines', () => {
    // 1.1 added Encoding Option Error, 1.2 Key Value Not Present and Attestation, 1.4 Sensitive,
    // Not Extractable and Object Already Exists.
    expect(reasonFor(v(1, 0), ResultReason.EncodingOptionError)).toBe(ResultReason.InvalidField);
    expect(reasonFor(v(1, 1), ResultReason.EncodingOptionError)).toBe(ResultReason.EncodingOptionError);
    expect(reasonFor(v(1, 1), ResultReason.KeyValueNotPresent)).toBe(ResultReason.IllegalOperation);
    expect(reasonFor(v(1, 2), ResultReason.AttestationRequired)).toBe(ResultReason.AttestationRequired);
    expect(reasonFor(v(1, 3), ResultReason.Sensitive)).toBe(ResultReason.PermissionDenied);
    expect(reasonFor(v(1, 3), ResultReason.ObjectAlreadyExists)).toBe(ResultReason.IllegalOperation);
    expect(reasonFor(v(1, 4), ResultReason.NotExtractable)).toBe(ResultReason.NotExtractable);
    expect(reasonFor(v(1, 0), ResultReason.ItemNotFound)).toBe(ResultReason.ItemNotFound);
    expect(reasonFor(v(1, 0), ResultReason.GeneralFailure)).toBe(ResultReason.GeneralFailure);
  });
  it('maps 2.x reasons to 1.0 ones for every 1.x client and leaves 2.x clients alone', () => {
    for (const minor of [0, 2, 4]) {
      expect(reasonFor(v(1, minor), ResultReason.ObjectNotFound)).toBe(ResultReason.ItemNotFound);
      expect(reasonFor(v(1, minor), ResultReason.WrongKeyLifecycleState)).toBe(ResultReason.PermissionDenied);
    }
    expect(reasonFor(v(2, 0), ResultReason.Sensitive)).toBe(ResultReason.Sensitive);
    expect(reasonFor(v(2, 1), ResultReason.ObjectNotFound)).toBe(ResultReason.ObjectNotFound);
  });
});
