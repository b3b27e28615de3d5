import { describe, expect, it } from 'vitest';
import {
  buildRequestMessage,
  buildResponseMessage,
  decodeTtlv,
  encodeTtlv,
  ItemType,
  MessageError,
  parseRequestMessage,
  parseResponseMessage,
  peekProtocolVersion,
  Tag,
  type RequestMessage,
  type ResponseMessage,
  type TtlvItem,
} from '../../../main/kmip/index.js';
import { testCaseFile, testCaseMessages } from './support/testcases.js';

function messageError(f: () => unknown): MessageError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(MessageError);
    return e as MessageError;
  }
  throw new Error('expected a MessageError');
}

describe('message model over the OASIS test cases (1.4 and 2.1)', () => {
  it('parses every message and builds it back unchanged, through TTLV bytes', () => {
    let requests = 0;
    let responses = 0;
    for (const { file, index, item } of testCaseMessages()) {
      const bytes = encodeTtlv(item);
      const decoded = decodeTtlv(bytes);
      const rebuilt =
        item.tag === Tag.RequestMessage
          ? (requests++, buildRequestMessage(parseRequestMessage(decoded)))
          : (responses++, buildResponseMessage(parseResponseMessage(decoded)));
      const same = encodeTtlv(rebuilt).equals(bytes);
      if (!same) expect.fail(`${file} message ${index} changed in the round trip`);
    }
    console.log(`message model: ${requests} requests and ${responses} responses round-tripped`);
    expect(requests).toBeGreaterThan(1000);
    expect(responses).toBeGreaterThan(1000);
  });

  it('types a 1.4 Create Key Pair request and its response', () => {
    const [request, response] = testCaseFile('v1.4/mandatory/AKLC-M-1-14.xml');
    const req = parseRequestMessage(request!);
    expect(req.kind).toBe('request');
    expect(req.header.protocolVersion).toEqual({ major: 1, minor: 4 });
    expect(req.header.batchCount).toBe(1);
    expect(req.batchItems[0]!.operation).toBe('CreateKeyPair');
    expect(req.batchItems[0]!.requestPayload.tag).toBe(Tag.RequestPayload);
    const res = parseResponseMessage(response!);
    const item = res.batchItems[0]!;
    expect(item.resultStatus).toBe('Success');
    if (item.resultStatus === 'Success') expect(item.responsePayload?.value).toHaveLength(2);
    expect(res.header.timeStamp).toBeInstanceOf(Date);
  });

  it('types failed batch items with their Result Reason', () => {
    const failed = testCaseMessages()
      .filter((m) => m.item.tag === Tag.ResponseMessage)
      .flatMap((m) => parseResponseMessage(m.item).batchItems)
      .filter((b) => b.resultStatus === 'OperationFailed');
    expect(failed.length).toBeGreaterThan(10);
    const reasons = new Set(failed.map((b) => (b.resultStatus === 'OperationFailed' ? b.resultReason : '')));
    expect(reasons).toContain('ObjectNotFound');
  });
});

describe('building messages', () => {
  const request: RequestMessage = {
    kind: 'request',
    header: {
      protocolVersion: { major: 1, minor: 2 },
      maximumResponseSize: 4096,
      authentication: { credentials: [{ credentialType: 'UsernameAndPassword', username: 'vcenter', password: 'pw' }] },
      batchErrorContinuationOption: 'Continue',
      batchOrderOption: true,
      timeStamp: new Date(Date.UTC(2026, 0, 1)),
      batchCount: 99,
    },
    batchItems: [
      {
        operation: 'Query',
        uniqueBatchItemId: new Uint8Array([1]),
        requestPayload: { tag: Tag.RequestPayload, type: ItemType.Structure, value: [] },
      },
      {
        operation: 'Locate',
        uniqueBatchItemId: new Uint8Array([2]),
        requestPayload: { tag: Tag.RequestPayload, type: ItemType.Structure, value: [] },
      },
    ],
  };

  it('writes Batch Count from the batch items, in spec order, and reads back the same', () => {
    const built = buildRequestMessage(request);
    const header = built.value[0] as { value: TtlvItem[] };
    expect(header.value.map((f) => f.tag)).toEqual([
      Tag.ProtocolVersion,
      Tag.MaximumResponseSize,
      Tag.Authentication,
      Tag.BatchErrorContinuationOption,
      Tag.BatchOrderOption,
      Tag.TimeStamp,
      Tag.BatchCount,
    ]);
    const back = parseRequestMessage(decodeTtlv(encodeTtlv(built)));
    expect(back).toEqual({ ...request, header: { ...request.header, batchCount: 2 } });
  });

  it('builds every kind of response batch item', () => {
    const response: ResponseMessage = {
      kind: 'response',
      header: { protocolVersion: { major: 2, minor: 1 }, timeStamp: new Date(Date.UTC(2026, 0, 1)), batchCount: 4 },
      batchItems: [
        { operation: 'Get', resultStatus: 'Success' },
        {
          operation: 'Get',
          resultStatus: 'OperationFailed',
          resultReason: 'ItemNotFound',
          resultMessage: 'no such key',
        },
        { operation: 'Encrypt', resultStatus: 'OperationPending', asynchronousCorrelationValue: new Uint8Array([9]) },
        { operation: 'Activate', resultStatus: 'OperationUndone', resultReason: 'OperationCanceledByRequester' },
      ],
    };
    expect(parseResponseMessage(decodeTtlv(encodeTtlv(buildResponseMessage(response))))).toEqual(response);
  });

  it('refuses an enumeration name the registry does not know', () => {
    const bad = { ...request, batchItems: [{ ...request.batchItems[0]!, operation: 'Frobnicate' }] };
    expect(messageError(() => buildRequestMessage(bad)).reason).toBe('Invalid Field');
  });
});

describe('malformed messages give a MessageError', () => {
  const [valid] = testCaseFile('v1.4/mandatory/AKLC-M-1-14.xml');
  const message = valid as Extract<TtlvItem, { type: 1 }>;
  const header = message.value[0] as Extract<TtlvItem, { type: 1 }>;
  const batch = message.value[1]!;

  it('not a Request Message', () => {
    expect(messageError(() => parseRequestMessage(header)).message).toMatch(/not a Request Message/);
  });
  it('missing Request Header', () => {
    const e = messageError(() => parseRequestMessage({ ...message, value: [batch] }));
    expect(e.message).toMatch(/Request Header is missing/);
    expect(e.reason).toBe('Invalid Message');
  });
  it('missing Protocol Version', () => {
    const noVersion = { ...header, value: header.value.filter((f) => f.tag !== Tag.ProtocolVersion) };
    expect(messageError(() => parseRequestMessage({ ...message, value: [noVersion, batch] })).message).toMatch(
      /ProtocolVersion is missing/,
    );
  });
  it('Batch Count does not match the batch items', () => {
    const e = messageError(() => parseRequestMessage({ ...message, value: [header, batch, batch] }));
    expect(e.message).toMatch(/Batch Count is 1 but the message has 2 Batch Items/);
  });
  it('no batch item', () => {
    expect(messageError(() => parseRequestMessage({ ...message, value: [header] })).message).toMatch(/no Batch Item/);
  });
  it('a field of the wrong type', () => {
    const badCount = {
      ...header,
      value: header.value.map((f): TtlvItem =>
        f.tag === Tag.BatchCount ? { tag: f.tag, type: ItemType.TextString, value: '1' } : f,
      ),
    };
    const e = messageError(() => parseRequestMessage({ ...message, value: [badCount, batch] }));
    expect(e.message).toMatch(/BatchCount must be an Integer/);
    expect(e.reason).toBe('Invalid Field');
  });
  it('peekProtocolVersion reads the version of a message broken elsewhere, never throws', () => {
    const broken = { ...message, value: [header, batch, batch] };
    expect(() => parseRequestMessage(broken)).toThrow(MessageError);
    expect(peekProtocolVersion(broken)).toEqual({ major: 1, minor: 4 });
    const pv = header.value.find((f) => f.tag === Tag.ProtocolVersion) as Extract<TtlvItem, { type: 1 }>;
    const badVersion = { ...header, value: [{ ...pv, value: pv.value.slice(0, 1) }] };
    expect(peekProtocolVersion({ ...message, value: [badVersion, batch] })).toBeUndefined();
    expect(peekProtocolVersion({ ...message, value: [batch] })).toBeUndefined();
    expect(peekProtocolVersion(batch.type === ItemType.Structure ? pv.value[0]! : batch)).toBeUndefined();
  });
  it('a request batch item may repeat Message Extension (KMIP 2.1 section 8.3), kept in order', () => {
    const extension = (vendor: string): TtlvItem => ({
      tag: Tag.MessageExtension,
      type: ItemType.Structure,
      value: [
        { tag: Tag.VendorIdentification, type: ItemType.TextString, value: vendor },
        { tag: Tag.CriticalityIndicator, type: ItemType.Boolean, value: false },
        { tag: Tag.VendorExtension, type: ItemType.Structure, value: [] },
      ],
    });
    const item = batch as Extract<TtlvItem, { type: 1 }>;
    const twice = { ...item, value: [...item.value, extension('acme'), extension('other')] };
    const parsed = parseRequestMessage({ ...message, value: [header, twice] });
    const kept = parsed.batchItems[0]?.messageExtension;
    expect(kept).toHaveLength(2);
    expect(kept?.map((x) => (x.value[0] as { value: string }).value)).toEqual(['acme', 'other']);
    const rebuilt = buildRequestMessage(parsed);
    const rebuiltItem = rebuilt.value[1] as Extract<TtlvItem, { type: 1 }>;
    expect(rebuiltItem.value.filter((f) => f.tag === Tag.MessageExtension)).toHaveLength(2);
  });
  it('a failed response item without a Result Reason', () => {
    const response: TtlvItem = {
      tag: Tag.ResponseMessage,
      type: ItemType.Structure,
      value: [
        {
          tag: Tag.ResponseHeader,
          type: ItemType.Structure,
          value: [
            ...(header.value.filter((f) => f.tag === Tag.ProtocolVersion) as TtlvItem[]),
            { tag: Tag.TimeStamp, type: ItemType.DateTime, value: 0n },
            { tag: Tag.BatchCount, type: ItemType.Integer, value: 1 },
          ],
        },
        {
          tag: Tag.BatchItem,
          type: ItemType.Structure,
          value: [{ tag: Tag.ResultStatus, type: ItemType.Enumeration, value: 1 }],
        },
      ],
    };
    expect(messageError(() => parseResponseMessage(response)).message).toMatch(/no Result Reason/);
  });
});
