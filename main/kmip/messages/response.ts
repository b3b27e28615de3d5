import { MessageTag } from './tags.js';
import type { StructureItem, TtlvItem } from '../ttlv/item.js';
import { MessageError } from './errors.js';
import { asBytes, asDate, asEnumeration, asInteger, asStructure, asText, item } from './fields.js';
import { parseProtocolVersion, protocolVersionItem } from './header.js';
import { checkBatchCount, missing, withTag } from './request.js';
import type { ResponseBatchItem, ResponseHeader, ResponseMessage } from './types.js';

/**
 * Reads a Response Message (KMIP 1.4 sections 7.1 and 7.2; 2.1 sections 8.4-8.6). A failed batch
 * item must carry a Result Reason, a pending one an Asynchronous Correlation Value.
 */
export function parseResponseMessage(message: TtlvItem): ResponseMessage {
  if (message.tag !== MessageTag.ResponseMessage) throw new MessageError('not a Response Message', message.tag);
  let header: ResponseHeader | undefined;
  const batchItems: ResponseBatchItem[] = [];
  for (const f of asStructure(message).value) {
    if (f.tag === MessageTag.BatchItem) batchItems.push(parseResponseBatchItem(f));
    else if (f.tag === MessageTag.ResponseHeader && header === undefined) header = parseResponseHeader(f);
    else throw new MessageError('unexpected field in the Response Message', f.tag);
  }
  if (header === undefined) throw new MessageError('the Response Header is missing', MessageTag.ResponseMessage);
  checkBatchCount(header.batchCount, batchItems.length);
  return { kind: 'response', header, batchItems };
}

export function parseResponseHeader(f: TtlvItem): ResponseHeader {
  let protocolVersion: ResponseHeader['protocolVersion'] | undefined;
  let timeStamp: Date | undefined;
  let batchCount: number | undefined;
  const h: Omit<ResponseHeader, 'protocolVersion' | 'timeStamp' | 'batchCount'> = {};
  let extra: TtlvItem[] | undefined;
  for (const c of asStructure(f).value) {
    switch (c.tag) {
      case MessageTag.ProtocolVersion:
        if (protocolVersion !== undefined) break;
        protocolVersion = parseProtocolVersion(c);
        continue;
      case MessageTag.TimeStamp:
        if (timeStamp !== undefined) break;
        timeStamp = asDate(c);
        continue;
      case MessageTag.Nonce:
        if (h.nonce !== undefined) break;
        h.nonce = asStructure(c);
        continue;
      case MessageTag.AttestationType:
        (h.attestationType ??= []).push(asEnumeration(c));
        continue;
      case MessageTag.ClientCorrelationValue:
        if (h.clientCorrelationValue !== undefined) break;
        h.clientCorrelationValue = asText(c);
        continue;
      case MessageTag.ServerCorrelationValue:
        if (h.serverCorrelationValue !== undefined) break;
        h.serverCorrelationValue = asText(c);
        continue;
      case MessageTag.ServerHashedPassword:
        if (h.serverHashedPassword !== undefined) break;
        h.serverHashedPassword = asBytes(c);
        continue;
      case MessageTag.BatchCount:
        if (batchCount !== undefined) break;
        batchCount = asInteger(c);
        continue;
    }
    (extra ??= []).push(c);
  }
  if (protocolVersion === undefined) throw missing(MessageTag.ProtocolVersion, MessageTag.ResponseHeader);
  if (timeStamp === undefined) throw missing(MessageTag.TimeStamp, MessageTag.ResponseHeader);
  if (batchCount === undefined) throw missing(MessageTag.BatchCount, MessageTag.ResponseHeader);
  const header = h as ResponseHeader;
  header.protocolVersion = protocolVersion;
  header.timeStamp = timeStamp;
  header.batchCount = batchCount;
  if (extra !== undefined) header.extra = extra;
  return header;
}

export function parseResponseBatchItem(f: TtlvItem): ResponseBatchItem {
  const common: {
    operation?: string;
    uniqueBatchItemId?: Uint8Array;
    resultMessage?: string;
    responsePayload?: StructureItem;
    messageExtension?: StructureItem;
  } = {};
  let status: string | undefined;
  let reason: string | undefined;
  let correlation: Uint8Array | undefined;
  for (const c of asStructure(f).value) {
    if (c.tag === MessageTag.Operation && common.operation === undefined) common.operation = asEnumeration(c);
    else if (c.tag === MessageTag.ResultStatus && status === undefined) status = asEnumeration(c);
    else if (c.tag === MessageTag.ResponsePayload && common.responsePayload === undefined) {
      common.responsePayload = asStructure(c);
    } else if (c.tag === MessageTag.UniqueBatchItemID && common.uniqueBatchItemId === undefined) {
      common.uniqueBatchItemId = asBytes(c);
    } else if (c.tag === MessageTag.ResultReason && reason === undefined) reason = asEnumeration(c);
    else if (c.tag === MessageTag.ResultMessage && common.resultMessage === undefined) common.resultMessage = asText(c);
    else if (c.tag === MessageTag.AsynchronousCorrelationValue && correlation === undefined) correlation = asBytes(c);
    else if (c.tag === MessageTag.MessageExtension && common.messageExtension === undefined) {
      common.messageExtension = asStructure(c);
    } else throw new MessageError('unexpected field in a Batch Item', c.tag);
  }
  // The item is `common` completed in place (a spread copy would cost more than the parse).
  switch (status) {
    case undefined:
      throw missing(MessageTag.ResultStatus, MessageTag.BatchItem);
    case 'Success':
    case 'OperationUndone': {
      const out = common as ResponseBatchItem & { resultReason?: string };
      out.resultStatus = status;
      if (reason !== undefined) out.resultReason = reason;
      return out;
    }
    case 'OperationFailed': {
      if (reason === undefined) {
        throw new MessageError('a failed Batch Item has no Result Reason', MessageTag.ResultReason);
      }
      const out = common as ResponseBatchItem & { resultStatus: 'OperationFailed' };
      out.resultStatus = status;
      out.resultReason = reason;
      return out;
    }
    case 'OperationPending': {
      if (correlation === undefined) {
        throw new MessageError('a pending Batch Item has no Asynchronous Correlation Value', MessageTag.ResultStatus);
      }
      const out = common as ResponseBatchItem & { resultStatus: 'OperationPending' };
      out.resultStatus = status;
      out.asynchronousCorrelationValue = correlation;
      return out;
    }
    default:
      throw new MessageError(`unknown Result Status ${status}`, MessageTag.ResultStatus, 'Invalid Field');
  }
}

/** Builds a Response Message; Batch Count is the number of batch items. */
export function buildResponseMessage(message: Omit<ResponseMessage, 'kind'> | ResponseMessage): StructureItem {
  const h = message.header;
  const opt = <T>(v: T | undefined, f: (v: T) => TtlvItem): TtlvItem | undefined =>
    v === undefined ? undefined : f(v);
  const header = item.structure(MessageTag.ResponseHeader, [
    protocolVersionItem(h.protocolVersion),
    item.dateTime(MessageTag.TimeStamp, h.timeStamp),
    opt(h.nonce, (v) => withTag(v, MessageTag.Nonce)),
    ...(h.attestationType ?? []).map((v) => item.enumeration(MessageTag.AttestationType, v)),
    opt(h.clientCorrelationValue, (v) => item.text(MessageTag.ClientCorrelationValue, v)),
    opt(h.serverCorrelationValue, (v) => item.text(MessageTag.ServerCorrelationValue, v)),
    opt(h.serverHashedPassword, (v) => item.bytes(MessageTag.ServerHashedPassword, v)),
    item.integer(MessageTag.BatchCount, message.batchItems.length),
    ...(h.extra ?? []),
  ]);
  return item.structure(MessageTag.ResponseMessage, [
    header,
    ...message.batchItems.map((b) =>
      item.structure(MessageTag.BatchItem, [
        opt(b.operation, (v) => item.enumeration(MessageTag.Operation, v)),
        opt(b.uniqueBatchItemId, (v) => item.bytes(MessageTag.UniqueBatchItemID, v)),
        item.enumeration(MessageTag.ResultStatus, b.resultStatus),
        'resultReason' in b && b.resultReason !== undefined
          ? item.enumeration(MessageTag.ResultReason, b.resultReason)
          : undefined,
        opt(b.resultMessage, (v) => item.text(MessageTag.ResultMessage, v)),
        b.resultStatus === 'OperationPending'
          ? item.bytes(MessageTag.AsynchronousCorrelationValue, b.asynchronousCorrelationValue)
          : undefined,
        opt(b.responsePayload, (v) => withTag(v, MessageTag.ResponsePayload)),
        opt(b.messageExtension, (v) => withTag(v, MessageTag.MessageExtension)),
      ]),
    ),
  ]);
}
