import { tagName } from '../registry/index.js';
import { MessageTag } from './tags.js';
import { ItemType, type StructureItem, type TtlvItem } from '../ttlv/item.js';
import { MessageError } from './errors.js';
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

/**
 * Reads a Request Message (KMIP 1.4 section 7.1 and 7.2; 2.1 section 8.1-8.3). Throws a
 * MessageError for a missing header or Protocol Version, no batch item, a Batch Count that does
 * not match, or a field of the wrong type. One pass over each structure: this runs for every
 * message the server reads.
 */
export function parseRequestMessage(message: TtlvItem): RequestMessage {
  if (message.tag !== MessageTag.RequestMessage) throw new MessageError('not a Request Message', message.tag);
  let header: RequestHeader | undefined;
  const batchItems: RequestBatchItem[] = [];
  for (const f of asStructure(message).value) {
    if (f.tag === MessageTag.BatchItem) batchItems.push(parseRequestBatchItem(f));
    else if (f.tag === MessageTag.RequestHeader && header === undefined) header = parseRequestHeader(f);
    else throw new MessageError('unexpected field in the Request Message', f.tag);
  }
  if (header === undefined) throw new MessageError('the Request Header is missing', MessageTag.RequestMessage);
  if (batchItems.length === 0)
    throw new MessageError('the Request Message has no Batch Item', MessageTag.RequestMessage);
  checkBatchCount(header.batchCount, batchItems.length);
  return { kind: 'request', header, batchItems };
}

/**
 * Best effort, never throws: the Protocol Version in the header of a Request Message that may be
 * malformed elsewhere, so the server can answer its Invalid Message in the sender's version.
 */
export function peekProtocolVersion(message: TtlvItem): RequestHeader['protocolVersion'] | undefined {
  try {
    if (message.type !== ItemType.Structure) return undefined;
    for (const h of message.value) {
      if (h.tag !== MessageTag.RequestHeader || h.type !== ItemType.Structure) continue;
      for (const c of h.value) if (c.tag === MessageTag.ProtocolVersion) return parseProtocolVersion(c);
      return undefined;
    }
  } catch {
    // A Protocol Version too broken to read: the caller answers in its default version.
  }
  return undefined;
}

export function checkBatchCount(batchCount: number, items: number): void {
  if (batchCount !== items) {
    throw new MessageError(
      `Batch Count is ${batchCount} but the message has ${items} Batch Items`,
      MessageTag.BatchCount,
    );
  }
}

export function parseRequestHeader(f: TtlvItem): RequestHeader {
  const s = asStructure(f);
  let protocolVersion: RequestHeader['protocolVersion'] | undefined;
  let batchCount: number | undefined;
  const h: Omit<RequestHeader, 'protocolVersion' | 'batchCount'> = {};
  let extra: TtlvItem[] | undefined;
  for (const c of s.value) {
    switch (c.tag) {
      case MessageTag.ProtocolVersion:
        if (protocolVersion !== undefined) break;
        protocolVersion = parseProtocolVersion(c);
        continue;
      case MessageTag.MaximumResponseSize:
        if (h.maximumResponseSize !== undefined) break;
        h.maximumResponseSize = asInteger(c);
        continue;
      case MessageTag.ClientCorrelationValue:
        if (h.clientCorrelationValue !== undefined) break;
        h.clientCorrelationValue = asText(c);
        continue;
      case MessageTag.ServerCorrelationValue:
        if (h.serverCorrelationValue !== undefined) break;
        h.serverCorrelationValue = asText(c);
        continue;
      case MessageTag.AsynchronousIndicator:
        if (h.asynchronousIndicator !== undefined) break;
        h.asynchronousIndicator = parseAsynchronousIndicator(c);
        continue;
      case MessageTag.AttestationCapableIndicator:
        if (h.attestationCapableIndicator !== undefined) break;
        h.attestationCapableIndicator = asBoolean(c);
        continue;
      case MessageTag.AttestationType:
        (h.attestationType ??= []).push(asEnumeration(c));
        continue;
      case MessageTag.Authentication:
        if (h.authentication !== undefined) break;
        h.authentication = parseAuthentication(c);
        continue;
      case MessageTag.BatchErrorContinuationOption:
        if (h.batchErrorContinuationOption !== undefined) break;
        h.batchErrorContinuationOption = asEnumeration(c);
        continue;
      case MessageTag.BatchOrderOption:
        if (h.batchOrderOption !== undefined) break;
        h.batchOrderOption = asBoolean(c);
        continue;
      case MessageTag.TimeStamp:
        if (h.timeStamp !== undefined) break;
        h.timeStamp = asDate(c);
        continue;
      case MessageTag.BatchCount:
        if (batchCount !== undefined) break;
        batchCount = asInteger(c);
        continue;
    }
    (extra ??= []).push(c);
  }
  if (protocolVersion === undefined) throw missing(MessageTag.ProtocolVersion, MessageTag.RequestHeader);
  if (batchCount === undefined) throw missing(MessageTag.BatchCount, MessageTag.RequestHeader);
  // Completing `h` in place: a spread copy costs more than the rest of the parse.
  const header = h as RequestHeader;
  header.protocolVersion = protocolVersion;
  header.batchCount = batchCount;
  if (extra !== undefined) header.extra = extra;
  return header;
}

export function missing(tag: number, in_: number): MessageError {
  return new MessageError(`${tagName(tag)} is missing from ${tagName(in_)}`, in_);
}

export function parseRequestBatchItem(f: TtlvItem): RequestBatchItem {
  let operation: string | undefined;
  let requestPayload: StructureItem | undefined;
  let ephemeral: boolean | undefined;
  let uniqueBatchItemId: Uint8Array | undefined;
  let messageExtension: StructureItem | undefined;
  for (const c of asStructure(f).value) {
    if (c.tag === MessageTag.Operation && operation === undefined) operation = asEnumeration(c);
    else if (c.tag === MessageTag.RequestPayload && requestPayload === undefined) requestPayload = asStructure(c);
    else if (c.tag === MessageTag.UniqueBatchItemID && uniqueBatchItemId === undefined) uniqueBatchItemId = asBytes(c);
    else if (c.tag === MessageTag.Ephemeral && ephemeral === undefined) ephemeral = asBoolean(c);
    else if (c.tag === MessageTag.MessageExtension && messageExtension === undefined) messageExtension = asStructure(c);
    else throw new MessageError('unexpected field in a Batch Item', c.tag);
  }
  if (operation === undefined) throw missing(MessageTag.Operation, MessageTag.BatchItem);
  if (requestPayload === undefined) throw missing(MessageTag.RequestPayload, MessageTag.BatchItem);
  const batchItem: RequestBatchItem = { operation, requestPayload };
  if (ephemeral !== undefined) batchItem.ephemeral = ephemeral;
  if (uniqueBatchItemId !== undefined) batchItem.uniqueBatchItemId = uniqueBatchItemId;
  if (messageExtension !== undefined) batchItem.messageExtension = messageExtension;
  return batchItem;
}

/** Builds a Request Message; Batch Count is the number of batch items, whatever the header says. */
export function buildRequestMessage(message: Omit<RequestMessage, 'kind'> | RequestMessage): StructureItem {
  const h = message.header;
  const opt = <T>(v: T | undefined, f: (v: T) => TtlvItem): TtlvItem | undefined =>
    v === undefined ? undefined : f(v);
  const header = item.structure(MessageTag.RequestHeader, [
    protocolVersionItem(h.protocolVersion),
    opt(h.maximumResponseSize, (v) => item.integer(MessageTag.MaximumResponseSize, v)),
    opt(h.clientCorrelationValue, (v) => item.text(MessageTag.ClientCorrelationValue, v)),
    opt(h.serverCorrelationValue, (v) => item.text(MessageTag.ServerCorrelationValue, v)),
    opt(h.asynchronousIndicator, asynchronousIndicatorItem),
    opt(h.attestationCapableIndicator, (v) => item.boolean(MessageTag.AttestationCapableIndicator, v)),
    ...(h.attestationType ?? []).map((v) => item.enumeration(MessageTag.AttestationType, v)),
    opt(h.authentication, authenticationItem),
    opt(h.batchErrorContinuationOption, (v) => item.enumeration(MessageTag.BatchErrorContinuationOption, v)),
    opt(h.batchOrderOption, (v) => item.boolean(MessageTag.BatchOrderOption, v)),
    opt(h.timeStamp, (v) => item.dateTime(MessageTag.TimeStamp, v)),
    item.integer(MessageTag.BatchCount, message.batchItems.length),
    ...(h.extra ?? []),
  ]);
  return item.structure(MessageTag.RequestMessage, [
    header,
    ...message.batchItems.map((b) =>
      item.structure(MessageTag.BatchItem, [
        item.enumeration(MessageTag.Operation, b.operation),
        opt(b.ephemeral, (v) => item.boolean(MessageTag.Ephemeral, v)),
        opt(b.uniqueBatchItemId, (v) => item.bytes(MessageTag.UniqueBatchItemID, v)),
        withTag(b.requestPayload, MessageTag.RequestPayload),
        b.messageExtension === undefined ? undefined : withTag(b.messageExtension, MessageTag.MessageExtension),
      ]),
    ),
  ]);
}

export function withTag(s: StructureItem, tag: number): StructureItem {
  return s.tag === tag ? s : { tag, type: ItemType.Structure, value: s.value };
}
