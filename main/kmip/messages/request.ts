import { MessageTag } from './tags.js';
import { ItemType, type StructureItem, type TtlvItem } from '../ttlv/item.js';
import { buildEnvelope, parseEnvelope, type Envelope } from './envelope.js';
import { FieldTable, rulesFor, structure, withTag } from './field-table.js';
import { asBoolean, asBytes, asDate, asEnumeration, asInteger, asStructure, asText, item } from './fields.js';
import {
  asynchronousIndicatorItem,
  authenticationItem,
  parseAsynchronousIndicator,
  parseAuthentication,
  parseProtocolVersion,
  protocolVersionItem,
} from './header.js';
import type { RequestBatchItem, RequestHeader, RequestMessage } from './types.js';

const h = rulesFor<RequestHeader>();

/** Request Header (KMIP 1.4 section 7.2, 2.1 section 8.2), in the spec's order. */
const requestHeader = new FieldTable<RequestHeader>(
  MessageTag.RequestHeader,
  [
    h.one('protocolVersion', MessageTag.ProtocolVersion, parseProtocolVersion, (_, v) => protocolVersionItem(v), {
      required: true,
    }),
    h.one('maximumResponseSize', MessageTag.MaximumResponseSize, asInteger, item.integer),
    h.one('clientCorrelationValue', MessageTag.ClientCorrelationValue, asText, item.text),
    h.one('serverCorrelationValue', MessageTag.ServerCorrelationValue, asText, item.text),
    h.one('asynchronousIndicator', MessageTag.AsynchronousIndicator, parseAsynchronousIndicator, (_, v) =>
      asynchronousIndicatorItem(v),
    ),
    h.one('attestationCapableIndicator', MessageTag.AttestationCapableIndicator, asBoolean, item.boolean),
    h.many('attestationType', MessageTag.AttestationType, asEnumeration, item.enumeration),
    h.one('authentication', MessageTag.Authentication, parseAuthentication, (_, v) => authenticationItem(v)),
    h.enumeration('batchErrorContinuationOption', MessageTag.BatchErrorContinuationOption),
    h.one('batchOrderOption', MessageTag.BatchOrderOption, asBoolean, item.boolean),
    h.one('timeStamp', MessageTag.TimeStamp, asDate, item.dateTime),
    h.one('batchCount', MessageTag.BatchCount, asInteger, item.integer, { required: true, derived: true }),
  ],
  'extra',
);

const b = rulesFor<RequestBatchItem>();

/** Request Batch Item (KMIP 1.4 section 7.2, 2.1 section 8.3). */
const requestBatchItem = new FieldTable<RequestBatchItem>(
  MessageTag.BatchItem,
  [
    b.enumeration('operation', MessageTag.Operation, { required: true }),
    b.one('ephemeral', MessageTag.Ephemeral, asBoolean, item.boolean),
    b.one('uniqueBatchItemId', MessageTag.UniqueBatchItemID, asBytes, item.bytes),
    b.structure('requestPayload', MessageTag.RequestPayload, { required: true }),
    b.many('messageExtension', MessageTag.MessageExtension, asStructure, (tag, v) => withTag(v, tag)),
  ],
  'a Batch Item',
);

const request: Envelope<RequestHeader, RequestBatchItem> = {
  messageTag: MessageTag.RequestMessage,
  names: ['Request Message', 'Request Header'],
  header: requestHeader,
  batchItem: parseRequestBatchItem,
  needsBatchItem: true,
};

/**
 * Reads a Request Message (KMIP 1.4 section 7.1 and 7.2; 2.1 section 8.1-8.3). Throws a
 * MessageError for a missing header or Protocol Version, no batch item, a Batch Count that does
 * not match, or a field of the wrong type. One pass over each structure: this runs for every
 * message the server reads.
 */
export function parseRequestMessage(message: TtlvItem): RequestMessage {
  const { header, batchItems } = parseEnvelope(request, message);
  return { kind: 'request', header, batchItems };
}

export function parseRequestHeader(f: TtlvItem): RequestHeader {
  return requestHeader.read(f);
}

export function parseRequestBatchItem(f: TtlvItem): RequestBatchItem {
  return requestBatchItem.read(f);
}

/**
 * Best effort, never throws: the Protocol Version in the header of a Request Message that may be
 * malformed elsewhere, so the server can answer its Invalid Message in the sender's version.
 */
export function peekProtocolVersion(message: TtlvItem): RequestHeader['protocolVersion'] | undefined {
  try {
    if (message.type !== ItemType.Structure) return undefined;
    for (const f of message.value) {
      if (f.tag !== MessageTag.RequestHeader || f.type !== ItemType.Structure) continue;
      for (const c of f.value) if (c.tag === MessageTag.ProtocolVersion) return parseProtocolVersion(c);
      return undefined;
    }
  } catch {
    // A Protocol Version too broken to read: the caller answers in its default version.
  }
  return undefined;
}

/** Builds a Request Message; Batch Count is the number of batch items, whatever the header says. */
export function buildRequestMessage(message: Omit<RequestMessage, 'kind'> | RequestMessage): StructureItem {
  return buildEnvelope(
    MessageTag.RequestMessage,
    requestHeader,
    message.header,
    message.batchItems.map((i) => structure(MessageTag.BatchItem, requestBatchItem.write(i))),
  );
}
