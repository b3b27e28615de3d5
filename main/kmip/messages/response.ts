import { MessageTag } from './tags.js';
import type { StructureItem, TtlvItem } from '../ttlv/item.js';
import { buildEnvelope, parseEnvelope, type Envelope } from './envelope.js';
import { MessageError } from './errors.js';
import { FieldTable, rulesFor, structure } from './field-table.js';
import { asBytes, asDate, asEnumeration, asInteger, asText, item } from './fields.js';
import { parseProtocolVersion, protocolVersionItem } from './header.js';
import type { ResponseBatchItem, ResponseHeader, ResponseMessage } from './types.js';

const h = rulesFor<ResponseHeader>();

/** Response Header (KMIP 1.4 section 7.2, 2.1 section 8.5), in the spec's order. */
const responseHeader = new FieldTable<ResponseHeader>(
  MessageTag.ResponseHeader,
  [
    h.one('protocolVersion', MessageTag.ProtocolVersion, parseProtocolVersion, (_, v) => protocolVersionItem(v), {
      required: true,
    }),
    h.one('timeStamp', MessageTag.TimeStamp, asDate, item.dateTime, { required: true }),
    h.structure('nonce', MessageTag.Nonce),
    h.many('attestationType', MessageTag.AttestationType, asEnumeration, item.enumeration),
    h.one('clientCorrelationValue', MessageTag.ClientCorrelationValue, asText, item.text),
    h.one('serverCorrelationValue', MessageTag.ServerCorrelationValue, asText, item.text),
    h.one('serverHashedPassword', MessageTag.ServerHashedPassword, asBytes, item.bytes),
    h.one('batchCount', MessageTag.BatchCount, asInteger, item.integer, { required: true, derived: true }),
  ],
  'extra',
);

/** Every field a response batch item may have; which ones it must have depends on its Result Status. */
interface ResponseBatchItemFields {
  operation?: string;
  uniqueBatchItemId?: Uint8Array;
  resultStatus: string;
  resultReason?: string;
  resultMessage?: string;
  asynchronousCorrelationValue?: Uint8Array;
  responsePayload?: StructureItem;
  messageExtension?: StructureItem;
}

const b = rulesFor<ResponseBatchItemFields>();

/** Response Batch Item (KMIP 1.4 section 7.2, 2.1 section 8.6). */
const responseBatchItem = new FieldTable<ResponseBatchItemFields>(
  MessageTag.BatchItem,
  [
    b.enumeration('operation', MessageTag.Operation),
    b.one('uniqueBatchItemId', MessageTag.UniqueBatchItemID, asBytes, item.bytes),
    b.enumeration('resultStatus', MessageTag.ResultStatus, { required: true }),
    b.enumeration('resultReason', MessageTag.ResultReason),
    b.one('resultMessage', MessageTag.ResultMessage, asText, item.text),
    b.one('asynchronousCorrelationValue', MessageTag.AsynchronousCorrelationValue, asBytes, item.bytes),
    b.structure('responsePayload', MessageTag.ResponsePayload),
    b.structure('messageExtension', MessageTag.MessageExtension),
  ],
  'a Batch Item',
);

const response: Envelope<ResponseHeader, ResponseBatchItem> = {
  messageTag: MessageTag.ResponseMessage,
  names: ['Response Message', 'Response Header'],
  header: responseHeader,
  batchItem: parseResponseBatchItem,
  needsBatchItem: false,
};

/**
 * Reads a Response Message (KMIP 1.4 sections 7.1 and 7.2; 2.1 sections 8.4-8.6). A failed batch
 * item must carry a Result Reason, a pending one an Asynchronous Correlation Value.
 */
export function parseResponseMessage(message: TtlvItem): ResponseMessage {
  const { header, batchItems } = parseEnvelope(response, message);
  return { kind: 'response', header, batchItems };
}

export function parseResponseHeader(f: TtlvItem): ResponseHeader {
  return responseHeader.read(f);
}

export function parseResponseBatchItem(f: TtlvItem): ResponseBatchItem {
  const fields = responseBatchItem.read(f);
  switch (fields.resultStatus) {
    case 'Success':
    case 'OperationUndone':
      return fields as ResponseBatchItem;
    case 'OperationFailed':
      if (fields.resultReason === undefined) {
        throw new MessageError('a failed Batch Item has no Result Reason', MessageTag.ResultReason);
      }
      return fields as ResponseBatchItem;
    case 'OperationPending':
      if (fields.asynchronousCorrelationValue === undefined) {
        throw new MessageError('a pending Batch Item has no Asynchronous Correlation Value', MessageTag.ResultStatus);
      }
      return fields as ResponseBatchItem;
    default:
      throw new MessageError(`unknown Result Status ${fields.resultStatus}`, MessageTag.ResultStatus, 'Invalid Field');
  }
}

/** Builds a Response Message; Batch Count is the number of batch items. */
export function buildResponseMessage(message: Omit<ResponseMessage, 'kind'> | ResponseMessage): StructureItem {
  return buildEnvelope(
    MessageTag.ResponseMessage,
    responseHeader,
    message.header,
    message.batchItems.map((i) => structure(MessageTag.BatchItem, responseBatchItem.write(i))),
  );
}
