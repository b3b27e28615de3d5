import type { StructureItem, TtlvItem } from '../ttlv/item.js';
import { MessageError } from './errors.js';
import { asStructure, item } from './fields.js';
import { structure, type FieldTable } from './field-table.js';
import { MessageTag } from './tags.js';

/**
 * The envelope both messages share (KMIP 1.4 section 7.1, 2.1 section 8): a header, then batch
 * items, the header's Batch Count equal to their number.
 */
export interface Envelope<H, B> {
  messageTag: number;
  /** "Request Message", "Request Header" (for errors). */
  names: [message: string, header: string];
  header: FieldTable<H>;
  batchItem: (f: TtlvItem) => B;
  /** A Request Message needs at least one batch item. */
  needsBatchItem: boolean;
}

export function parseEnvelope<H extends { batchCount: number }, B>(
  e: Envelope<H, B>,
  message: TtlvItem,
): { header: H; batchItems: B[] } {
  const [messageName, headerName] = e.names;
  if (message.tag !== e.messageTag) throw new MessageError(`not a ${messageName}`, message.tag);
  let header: H | undefined;
  const batchItems: B[] = [];
  for (const f of asStructure(message).value) {
    if (f.tag === MessageTag.BatchItem) batchItems.push(e.batchItem(f));
    else if (f.tag === e.header.structureTag && header === undefined) header = e.header.read(f);
    else throw new MessageError(`unexpected field in the ${messageName}`, f.tag);
  }
  if (header === undefined) {
    throw new MessageError(`the ${headerName} is missing`, e.messageTag);
  }
  if (e.needsBatchItem && batchItems.length === 0) {
    throw new MessageError(`the ${messageName} has no Batch Item`, e.messageTag);
  }
  checkBatchCount(header.batchCount, batchItems.length);
  return { header, batchItems };
}

export function checkBatchCount(batchCount: number, items: number): void {
  if (batchCount !== items) {
    throw new MessageError(
      `Batch Count is ${batchCount} but the message has ${items} Batch Items`,
      MessageTag.BatchCount,
    );
  }
}

/** The message: its header (Batch Count is the number of batch items, whatever the header says), then the items. */
export function buildEnvelope<H extends { extra?: TtlvItem[] }>(
  messageTag: number,
  header: FieldTable<H>,
  h: H,
  batchItems: StructureItem[],
): StructureItem {
  const fields = header.write(h);
  fields.push(item.integer(MessageTag.BatchCount, batchItems.length));
  if (h.extra !== undefined) for (const x of h.extra) fields.push(x);
  const value: TtlvItem[] = [structure(header.structureTag, fields)];
  for (const b of batchItems) value.push(b);
  return structure(messageTag, value);
}
