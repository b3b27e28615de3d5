import { Tag } from '../registry/index.js';
import { ItemType, type StructureItem, type TtlvItem } from '../ttlv/item.js';
import { MessageError } from './errors.js';
import { asBoolean, asBytes, asDate, asEnumeration, asInteger, asStructure, asText, Fields, item } from './fields.js';
import {
  asynchronousIndicatorItem,
  authenticationItem,
  parseAsynchronousIndicator,
  parseAttestationTypes,
  parseAuthentication,
  parseProtocolVersion,
  protocolVersionItem,
} from './header.js';
import type { RequestBatchItem, RequestHeader, RequestMessage } from './types.js';

/**
 * Reads a Request Message (KMIP 1.4 section 7.1 and 7.2; 2.1 section 8.1-8.3). Throws a
 * MessageError for a missing header or Protocol Version, no batch item, a Batch Count that does
 * not match, or a field of the wrong type.
 */
export function parseRequestMessage(message: TtlvItem): RequestMessage {
  if (message.tag !== Tag.RequestMessage) throw new MessageError('not a Request Message', message.tag);
  const fields = new Fields(asStructure(message));
  const headerItem = fields.one(Tag.RequestHeader);
  if (headerItem === undefined) throw new MessageError('the Request Header is missing', Tag.RequestMessage);
  const header = parseRequestHeader(headerItem);
  const batchItems = fields.all(Tag.BatchItem).map((b) => parseRequestBatchItem(b));
  const rest = fields.rest();
  if (rest.length > 0) throw new MessageError('unexpected field in the Request Message', rest[0]!.tag);
  if (batchItems.length === 0) throw new MessageError('the Request Message has no Batch Item', Tag.RequestMessage);
  if (header.batchCount !== batchItems.length) {
    throw new MessageError(
      `Batch Count is ${header.batchCount} but the message has ${batchItems.length} Batch Items`,
      Tag.BatchCount,
    );
  }
  return { kind: 'request', header, batchItems };
}

export function parseRequestHeader(f: TtlvItem): RequestHeader {
  const fields = new Fields(asStructure(f));
  const protocolVersion = parseProtocolVersion(fields.required(Tag.ProtocolVersion));
  const header: RequestHeader = { protocolVersion, batchCount: 0 };
  const maximumResponseSize = fields.one(Tag.MaximumResponseSize);
  if (maximumResponseSize) header.maximumResponseSize = asInteger(maximumResponseSize);
  const clientCorrelationValue = fields.one(Tag.ClientCorrelationValue);
  if (clientCorrelationValue) header.clientCorrelationValue = asText(clientCorrelationValue);
  const serverCorrelationValue = fields.one(Tag.ServerCorrelationValue);
  if (serverCorrelationValue) header.serverCorrelationValue = asText(serverCorrelationValue);
  const asynchronousIndicator = fields.one(Tag.AsynchronousIndicator);
  if (asynchronousIndicator) header.asynchronousIndicator = parseAsynchronousIndicator(asynchronousIndicator);
  const attestationCapableIndicator = fields.one(Tag.AttestationCapableIndicator);
  if (attestationCapableIndicator) header.attestationCapableIndicator = asBoolean(attestationCapableIndicator);
  const attestationType = parseAttestationTypes(fields);
  if (attestationType) header.attestationType = attestationType;
  const authentication = fields.one(Tag.Authentication);
  if (authentication) header.authentication = parseAuthentication(authentication);
  const batchErrorContinuationOption = fields.one(Tag.BatchErrorContinuationOption);
  if (batchErrorContinuationOption) {
    header.batchErrorContinuationOption = asEnumeration(batchErrorContinuationOption);
  }
  const batchOrderOption = fields.one(Tag.BatchOrderOption);
  if (batchOrderOption) header.batchOrderOption = asBoolean(batchOrderOption);
  const timeStamp = fields.one(Tag.TimeStamp);
  if (timeStamp) header.timeStamp = asDate(timeStamp);
  header.batchCount = asInteger(fields.required(Tag.BatchCount));
  const extra = fields.rest();
  if (extra.length > 0) header.extra = extra;
  return header;
}

export function parseRequestBatchItem(f: TtlvItem): RequestBatchItem {
  const fields = new Fields(asStructure(f));
  const batchItem: RequestBatchItem = {
    operation: asEnumeration(fields.required(Tag.Operation)),
    requestPayload: asStructure(fields.required(Tag.RequestPayload)),
  };
  const ephemeral = fields.one(Tag.Ephemeral);
  if (ephemeral) batchItem.ephemeral = asBoolean(ephemeral);
  const id = fields.one(Tag.UniqueBatchItemID);
  if (id) batchItem.uniqueBatchItemId = asBytes(id);
  const extension = fields.one(Tag.MessageExtension);
  if (extension) batchItem.messageExtension = asStructure(extension);
  const rest = fields.rest();
  if (rest.length > 0) throw new MessageError('unexpected field in a Batch Item', rest[0]!.tag);
  return batchItem;
}

/** Builds a Request Message; Batch Count is the number of batch items, whatever the header says. */
export function buildRequestMessage(message: Omit<RequestMessage, 'kind'> | RequestMessage): StructureItem {
  const h = message.header;
  const opt = <T>(v: T | undefined, f: (v: T) => TtlvItem): TtlvItem | undefined =>
    v === undefined ? undefined : f(v);
  const header = item.structure(Tag.RequestHeader, [
    protocolVersionItem(h.protocolVersion),
    opt(h.maximumResponseSize, (v) => item.integer(Tag.MaximumResponseSize, v)),
    opt(h.clientCorrelationValue, (v) => item.text(Tag.ClientCorrelationValue, v)),
    opt(h.serverCorrelationValue, (v) => item.text(Tag.ServerCorrelationValue, v)),
    opt(h.asynchronousIndicator, asynchronousIndicatorItem),
    opt(h.attestationCapableIndicator, (v) => item.boolean(Tag.AttestationCapableIndicator, v)),
    ...(h.attestationType ?? []).map((v) => item.enumeration(Tag.AttestationType, v)),
    opt(h.authentication, authenticationItem),
    opt(h.batchErrorContinuationOption, (v) => item.enumeration(Tag.BatchErrorContinuationOption, v)),
    opt(h.batchOrderOption, (v) => item.boolean(Tag.BatchOrderOption, v)),
    opt(h.timeStamp, (v) => item.dateTime(Tag.TimeStamp, v)),
    item.integer(Tag.BatchCount, message.batchItems.length),
    ...(h.extra ?? []),
  ]);
  return item.structure(Tag.RequestMessage, [
    header,
    ...message.batchItems.map((b) =>
      item.structure(Tag.BatchItem, [
        item.enumeration(Tag.Operation, b.operation),
        opt(b.ephemeral, (v) => item.boolean(Tag.Ephemeral, v)),
        opt(b.uniqueBatchItemId, (v) => item.bytes(Tag.UniqueBatchItemID, v)),
        withTag(b.requestPayload, Tag.RequestPayload),
        b.messageExtension === undefined ? undefined : withTag(b.messageExtension, Tag.MessageExtension),
      ]),
    ),
  ]);
}

export function withTag(s: StructureItem, tag: number): StructureItem {
  return s.tag === tag ? s : { tag, type: ItemType.Structure, value: s.value };
}
