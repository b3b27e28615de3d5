/** The server panel's request log: one line per batch item of a KMIP response. */
import type { ServerStatus } from '../../shared/api/index.js';
import { ItemType, decodeTtlvLazy } from '../kmip/ttlv/index.js';
import { findAll, findEnum } from '../ops/ttlv.js';
import { Operation, ResultReason, ResultStatus, Tag } from '../ops/vocabulary.js';

type LogLine = ServerStatus['requestLog'][number];

const operationNames = new Map<number, string>(Object.entries(Operation).map(([k, v]) => [v, k]));
const statusNames = new Map<number, string>(Object.entries(ResultStatus).map(([k, v]) => [v, k]));
const reasonNames = new Map<number, string>(Object.entries(ResultReason).map(([k, v]) => [v, k]));

/** One log line per batch item of a response: its operation, result status and (on failure) reason. */
export function logLines(response: Uint8Array, peer: string, time: Date): LogLine[] {
  try {
    // Lazy: only the Batch Items' Operation, Result Status and Reason are read, never the payloads; the
    // tree does not outlive this call, so the response bytes are adopted, not copied.
    const message = decodeTtlvLazy(response, { adopt: true });
    if (message.type !== ItemType.Structure) throw new Error('not a structure');
    return findAll(message, Tag.BatchItem).map((item) => {
      if (item.type !== ItemType.Structure) return { time: time.toISOString(), peer, operation: '?', resultStatus: '' };
      const op = findEnum(item, Tag.Operation);
      const status = findEnum(item, Tag.ResultStatus);
      const reason = findEnum(item, Tag.ResultReason);
      return {
        time: time.toISOString(),
        peer,
        operation: op === undefined ? '(unreadable request)' : (operationNames.get(op) ?? `0x${op.toString(16)}`),
        resultStatus: status === undefined ? '' : (statusNames.get(status) ?? String(status)),
        ...(reason === undefined ? {} : { resultReason: reasonNames.get(reason) ?? String(reason) }),
      };
    });
  } catch {
    return [{ time: time.toISOString(), peer, operation: '(unreadable response)', resultStatus: '' }];
  }
}
