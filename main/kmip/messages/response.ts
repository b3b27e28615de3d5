import { Tag } from '../registry/index.js';
import type { StructureItem, TtlvItem } from '../ttlv/item.js';
import { MessageError } from './errors.js';
import { asBytes, asDate, asEnumeration, asInteger, asStructure, asText, Fields, item } from './fields.js';
import { parseAttestationTypes, parseProtocolVersion, protocolVersionItem } from './header.js';
import { withTag } from './request.js';
import type { ResponseBatchItem, ResponseHeader, ResponseMessage } from './types.js';

/**
 * Reads a Response Message (KMIP 1.4 sections 7.1 and 7.2; 2.1 sections 8.4-8.6). A failed batch
 * item must carry a Result Reason, a pending one an Asynchronous Correlation Value.
 */
export function parseResponseMessage(message: TtlvItem): ResponseMessage {
  if (message.tag !== Tag.ResponseMessage) throw new MessageError('not a Response Message', message.tag);
  const fields = new Fields(asStructure(message));
  const headerItem = fields.one(Tag.ResponseHeader);
  if (headerItem === undefined) throw new MessageError('the Response Header is missing', Tag.ResponseMessage);
  const header = parseResponseHeader(headerItem);
  const batchItems = fields.all(Tag.BatchItem).map((b) => parseResponseBatchItem(b));
  const rest = fields.rest();
  if (rest.length > 0) throw new MessageError('unexpected field in the Response Message', rest[0]!.tag);
  if (header.batchCount !== batchItems.length) {
    throw new MessageError(
      `Batch Count is ${header.batchCount} but the message has ${batchItems.length} Batch Items`,
      Tag.BatchCount,
    );
  }
  return { kind: 'response', header, batchItems };
}

export function parseResponseHeader(f: TtlvItem): ResponseHeader {
  const fields = new Fields(asStructure(f));
  const header: ResponseHeader = {
    protocolVersion: parseProtocolVersion(fields.required(Tag.ProtocolVersion)),
    timeStamp: asDate(fields.required(Tag.TimeStamp)),
    batchCount: 0,
  };
  const nonce = fields.one(Tag.Nonce);
  if (nonce) header.nonce = asStructure(nonce);
  const attestationType = parseAttestationTypes(fields);
  if (attestationType) header.attestationType = attestationType;
  const client = fields.one(Tag.ClientCorrelationValue);
  if (client) header.clientCorrelationValue = asText(client);
  const server = fields.one(Tag.ServerCorrelationValue);
  if (server) header.serverCorrelationValue = asText(server);
  const hashed = fields.one(Tag.ServerHashedPassword);
  if (hashed) header.serverHashedPassword = asBytes(hashed);
  header.batchCount = asInteger(fields.required(Tag.BatchCount));
  const extra = fields.rest();
  if (extra.length > 0) header.extra = extra;
  return header;
}

export function parseResponseBatchItem(f: TtlvItem): ResponseBatchItem {
  const fields = new Fields(asStructure(f));
  const common: {
    operation?: string;
    uniqueBatchItemId?: Uint8Array;
    resultMessage?: string;
    responsePayload?: StructureItem;
    messageExtension?: StructureItem;
  } = {};
  const operation = fields.one(Tag.Operation);
  if (operation) common.operation = asEnumeration(operation);
  const id = fields.one(Tag.UniqueBatchItemID);
  if (id) common.uniqueBatchItemId = asBytes(id);
  const status = asEnumeration(fields.required(Tag.ResultStatus));
  const reasonItem = fields.one(Tag.ResultReason);
  const reason = reasonItem && asEnumeration(reasonItem);
  const messageItem = fields.one(Tag.ResultMessage);
  if (messageItem) common.resultMessage = asText(messageItem);
  const correlationItem = fields.one(Tag.AsynchronousCorrelationValue);
  const payload = fields.one(Tag.ResponsePayload);
  if (payload) common.responsePayload = asStructure(payload);
  const extension = fields.one(Tag.MessageExtension);
  if (extension) common.messageExtension = asStructure(extension);
  const rest = fields.rest();
  if (rest.length > 0) throw new MessageError('unexpected field in a Batch Item', rest[0]!.tag);
  switch (status) {
    case 'Success':
      return { ...common, resultStatus: status };
    case 'OperationFailed':
      if (reason === undefined) throw new MessageError('a failed Batch Item has no Result Reason', Tag.ResultReason);
      return { ...common, resultStatus: status, resultReason: reason };
    case 'OperationPending':
      if (correlationItem === undefined) {
        throw new MessageError('a pending Batch Item has no Asynchronous Correlation Value', Tag.ResultStatus);
      }
      return { ...common, resultStatus: status, asynchronousCorrelationValue: asBytes(correlationItem) };
    case 'OperationUndone':
      return { ...common, resultStatus: status, ...(reason === undefined ? {} : { resultReason: reason }) };
    default:
      throw new MessageError(`unknown Result Status ${status}`, Tag.ResultStatus, 'Invalid Field');
  }
}

/** Builds a Response Message; Batch Count is the number of batch items. */
export function buildResponseMessage(message: Omit<ResponseMessage, 'kind'> | ResponseMessage): StructureItem {
  const h = message.header;
  const opt = <T>(v: T | undefined, f: (v: T) => TtlvItem): TtlvItem | undefined =>
    v === undefined ? undefined : f(v);
  const header = item.structure(Tag.ResponseHeader, [
    protocolVersionItem(h.protocolVersion),
    item.dateTime(Tag.TimeStamp, h.timeStamp),
    opt(h.nonce, (v) => withTag(v, Tag.Nonce)),
    ...(h.attestationType ?? []).map((v) => item.enumeration(Tag.AttestationType, v)),
    opt(h.clientCorrelationValue, (v) => item.text(Tag.ClientCorrelationValue, v)),
    opt(h.serverCorrelationValue, (v) => item.text(Tag.ServerCorrelationValue, v)),
    opt(h.serverHashedPassword, (v) => item.bytes(Tag.ServerHashedPassword, v)),
    item.integer(Tag.BatchCount, message.batchItems.length),
    ...(h.extra ?? []),
  ]);
  return item.structure(Tag.ResponseMessage, [
    header,
    ...message.batchItems.map((b) =>
      item.structure(Tag.BatchItem, [
        opt(b.operation, (v) => item.enumeration(Tag.Operation, v)),
        opt(b.uniqueBatchItemId, (v) => item.bytes(Tag.UniqueBatchItemID, v)),
        item.enumeration(Tag.ResultStatus, b.resultStatus),
        'resultReason' in b && b.resultReason !== undefined
          ? item.enumeration(Tag.ResultReason, b.resultReason)
          : undefined,
        opt(b.resultMessage, (v) => item.text(Tag.ResultMessage, v)),
        b.resultStatus === 'OperationPending'
          ? item.bytes(Tag.AsynchronousCorrelationValue, b.asynchronousCorrelationValue)
          : undefined,
        opt(b.responsePayload, (v) => withTag(v, Tag.ResponsePayload)),
        opt(b.messageExtension, (v) => withTag(v, Tag.MessageExtension)),
      ]),
    ),
  ]);
}
