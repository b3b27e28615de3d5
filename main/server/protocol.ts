import { KeyholdError } from '../../shared/errors.js';
import { ItemType, decodeTtlv, encodeTtlv, type StructureItem, type TtlvItem } from '../kmip/ttlv/index.js';
import type {
  AccessPolicy,
  ObjectStore,
  OperationHandler,
  OpsContext,
  ProtocolVersion,
  TokenKeyCrypto,
} from '../ops/context.js';
import { resultOf } from '../ops/errors.js';
import { streamedCiphers } from '../ops/streamed-cipher.js';
import { find, findAll, findBytes, findEnum, findInt, findStruct, findText, t } from '../ops/ttlv.js';
import { supportedVersions } from '../ops/versions.js';
import { BatchErrorContinuationOption, Operation, ResultReason, ResultStatus, Tag } from '../ops/vocabulary.js';

export interface Credential {
  username: string;
  password: string;
}

export interface RequestBatchItem {
  operation: number;
  uniqueBatchItemId: Uint8Array | undefined;
  payload: StructureItem;
}

export interface ParsedRequest {
  version: ProtocolVersion;
  maximumResponseSize: number | undefined;
  batchErrorContinuationOption: number;
  credential: Credential | undefined;
  items: RequestBatchItem[];
}

function invalidMessage(message: string): KeyholdError {
  return new KeyholdError('codec', message, { reason: 'Invalid Message' });
}

/** Reads a Request Message (KMIP 1.4 section 7.1 / 2.1 section 8). */
export function parseRequest(message: TtlvItem): ParsedRequest {
  if (message.tag !== Tag.RequestMessage || message.type !== ItemType.Structure) {
    throw invalidMessage('not a Request Message');
  }
  const header = findStruct(message, Tag.RequestHeader);
  if (!header) throw invalidMessage('the Request Header is missing');
  const pv = findStruct(header, Tag.ProtocolVersion);
  const major = findInt(pv, Tag.ProtocolVersionMajor);
  const minor = findInt(pv, Tag.ProtocolVersionMinor);
  if (major === undefined || minor === undefined) throw invalidMessage('the Protocol Version is missing');
  const credentialItem = findStruct(findStruct(header, Tag.Authentication), Tag.Credential);
  let credential: Credential | undefined;
  if (credentialItem) {
    const value = findStruct(credentialItem, Tag.CredentialValue);
    const username = findText(value, Tag.Username);
    if (username !== undefined) credential = { username, password: findText(value, Tag.Password) ?? '' };
  }
  const items = findAll(message, Tag.BatchItem).map((item): RequestBatchItem => {
    if (item.type !== ItemType.Structure) throw invalidMessage('a Batch Item is not a Structure');
    const operation = findEnum(item, Tag.Operation);
    if (operation === undefined) throw invalidMessage('a Batch Item has no Operation');
    return {
      operation,
      uniqueBatchItemId: findBytes(item, Tag.UniqueBatchItemID),
      payload: findStruct(item, Tag.RequestPayload) ?? t.struct(Tag.RequestPayload, []),
    };
  });
  const batchCount = findInt(header, Tag.BatchCount);
  if (items.length === 0) throw invalidMessage('the message has no Batch Item');
  if (batchCount !== undefined && batchCount !== items.length) throw invalidMessage('Batch Count does not match');
  return {
    version: { major, minor },
    maximumResponseSize: findInt(header, Tag.MaximumResponseSize),
    batchErrorContinuationOption:
      findEnum(header, Tag.BatchErrorContinuationOption) ?? BatchErrorContinuationOption.Stop,
    credential,
    items,
  };
}

export interface ResponseBatchItem {
  operation: number | undefined;
  uniqueBatchItemId: Uint8Array | undefined;
  status: number;
  reason?: number;
  message?: string;
  payload?: StructureItem;
}

/**
 * Builds a Response Message for the request's version: the header carries only fields every
 * version has (Protocol Version, Time Stamp, Batch Count), so a 1.0 client never meets a newer
 * field (INTEROP-NOTES 1).
 */
export function buildResponse(version: ProtocolVersion, items: ResponseBatchItem[], now: Date): StructureItem {
  return t.struct(Tag.ResponseMessage, [
    t.struct(Tag.ResponseHeader, [
      t.struct(Tag.ProtocolVersion, [
        t.int(Tag.ProtocolVersionMajor, version.major),
        t.int(Tag.ProtocolVersionMinor, version.minor),
      ]),
      t.date(Tag.TimeStamp, now),
      t.int(Tag.BatchCount, items.length),
    ]),
    ...items.map((i) =>
      t.struct(Tag.BatchItem, [
        i.operation !== undefined ? t.enm(Tag.Operation, i.operation) : undefined,
        i.uniqueBatchItemId ? t.bytes(Tag.UniqueBatchItemID, i.uniqueBatchItemId) : undefined,
        t.enm(Tag.ResultStatus, i.status),
        i.reason !== undefined ? t.enm(Tag.ResultReason, i.reason) : undefined,
        i.message !== undefined ? t.text(Tag.ResultMessage, i.message) : undefined,
        i.payload ? { ...i.payload, tag: Tag.ResponsePayload } : undefined,
      ]),
    ),
  ]);
}

export interface Authenticator {
  /** Throws (Authentication Not Successful) when the credential is required and wrong. */
  check(identity: string, credential: Credential | undefined): void | Promise<void>;
}

export interface ProcessorOptions {
  store: ObjectStore;
  access: AccessPolicy;
  operations: Partial<Record<number, OperationHandler>>;
  authenticator?: Authenticator;
  now?: () => Date;
  tokenCrypto?: TokenKeyCrypto;
}

const operationNames = new Map<number, string>(Object.entries(Operation).map(([k, v]) => [v, k]));

/**
 * Turns request bytes into response bytes for one identity. Never throws: a message that cannot
 * be read gets a response with Result Reason Invalid Message.
 */
export class KmipProcessor {
  private readonly now: () => Date;

  constructor(private readonly options: ProcessorOptions) {
    this.now = options.now ?? (() => new Date());
  }

  async process(bytes: Uint8Array, identity: string): Promise<Buffer> {
    let request: ParsedRequest;
    try {
      request = parseRequest(decodeTtlv(bytes));
    } catch (e) {
      await this.audit(identity, 'Invalid Message', undefined, e);
      return this.malformed(e, peekVersion(bytes));
    }
    const response = await this.processParsed(request, identity);
    return encodeTtlv(response);
  }

  /** The response to a message that could not be parsed at all. */
  malformed(e: unknown, version: ProtocolVersion = { major: 1, minor: 0 }): Buffer {
    // Whatever was wrong with it, a message that cannot be read is an Invalid Message (KMIP 1.4 section 11).
    const r = resultOf(e);
    const reason = ResultReason.InvalidMessage;
    return encodeTtlv(
      buildResponse(
        version,
        [
          {
            operation: undefined,
            uniqueBatchItemId: undefined,
            status: ResultStatus.OperationFailed,
            reason,
            message: r.message,
          },
        ],
        this.now(),
      ),
    );
  }

  async processParsed(request: ParsedRequest, identity: string): Promise<StructureItem> {
    const now = this.now();
    const known = supportedVersions.some((v) => v.major === request.version.major && v.minor === request.version.minor);
    const version = known ? request.version : responseVersionFor(request.version);
    const items: ResponseBatchItem[] = [];
    const fail = (i: RequestBatchItem, reason: number, message: string): ResponseBatchItem => ({
      operation: i.operation,
      uniqueBatchItemId: i.uniqueBatchItemId,
      status: ResultStatus.OperationFailed,
      reason,
      message,
    });
    if (!known) {
      for (const i of request.items) items.push(fail(i, ResultReason.InvalidMessage, 'unsupported protocol version'));
      return buildResponse(version, items, now);
    }
    try {
      await this.options.authenticator?.check(identity, request.credential);
    } catch (e) {
      const r = resultOf(e);
      for (const i of request.items) items.push(fail(i, r.reason, r.message));
      await this.audit(identity, 'Authentication', undefined, e);
      return buildResponse(version, items, now);
    }
    const ctx: OpsContext = {
      store: this.options.store,
      access: this.options.access,
      identity,
      version,
      idPlaceholder: undefined,
      now: () => now,
      ...(this.options.tokenCrypto ? { tokenCrypto: this.options.tokenCrypto } : {}),
    };
    const undoable = this.options.store.undoable?.bind(this.options.store);
    if (request.batchErrorContinuationOption === BatchErrorContinuationOption.Undo && undoable) {
      // Undo (KMIP 1.4 section 6.7): audits wait for the outcome, so an undone item is recorded as such.
      const records: Array<{ name: string; uid: string | undefined; error: unknown }> = [];
      const failed = await undoable(async () => {
        const f = await this.runItems(request, ctx, items, fail, async (name, uid, error) => {
          records.push({ name, uid, error });
        });
        return { result: f, undo: f };
      });
      for (const [n, i] of items.entries()) {
        if (!failed || i.status !== ResultStatus.Success) continue;
        i.status = ResultStatus.OperationUndone;
        // A multi-part cipher's state cannot be rewound: a stream an undone item opened or advanced is closed.
        for (const p of [request.items[n]?.payload, i.payload]) {
          const correlation = findBytes(p, Tag.CorrelationValue);
          if (correlation) streamedCiphers.discard(correlation, identity);
        }
      }
      for (const r of records) await this.audit(identity, r.name, r.uid, r.error, failed);
    } else {
      await this.runItems(request, ctx, items, fail, (name, uid, error) => this.audit(identity, name, uid, error));
    }
    let response = buildResponse(version, items, now);
    if (request.maximumResponseSize !== undefined) {
      const size = encodeTtlv(response).length;
      if (size > request.maximumResponseSize) {
        response = buildResponse(
          version,
          request.items.map((i) => fail(i, ResultReason.ResponseTooLarge, 'TOO_LARGE')),
          now,
        );
      }
    }
    return response;
  }

  /** Runs the batch items in order into `items`; true when one failed (Stop and Undo end there). */
  private async runItems(
    request: ParsedRequest,
    ctx: OpsContext,
    items: ResponseBatchItem[],
    fail: (i: RequestBatchItem, reason: number, message: string) => ResponseBatchItem,
    record: (name: string, uid: string | undefined, error: unknown) => Promise<void>,
  ): Promise<boolean> {
    let failed = false;
    for (const item of request.items) {
      const name = operationNames.get(item.operation) ?? `0x${item.operation.toString(16)}`;
      const handler = this.options.operations[item.operation];
      ctx.operation = name;
      try {
        if (!handler)
          throw new KeyholdError('unsupported', `${name} is not supported`, { reason: 'Operation Not Supported' });
        const payload = await handler(item.payload, ctx);
        items.push({
          operation: item.operation,
          uniqueBatchItemId: item.uniqueBatchItemId,
          status: ResultStatus.Success,
          payload,
        });
        await record(name, uidOf(payload), undefined);
      } catch (e) {
        failed = true;
        const r = resultOf(e);
        items.push(fail(item, reasonFor(ctx.version, r.reason), r.message));
        await record(name, uidOf(item.payload) ?? ctx.idPlaceholder, e);
        if (request.batchErrorContinuationOption !== BatchErrorContinuationOption.Continue) break;
      }
    }
    return failed;
  }

  /** `undone`: a successful item of an undone batch (its effects were rolled back). */
  private async audit(
    identity: string,
    operation: string,
    uid: string | undefined,
    error: unknown,
    undone = false,
  ): Promise<void> {
    try {
      await this.options.store.audit({
        identity,
        operation,
        uniqueIdentifier: uid,
        result: error !== undefined ? 'OperationFailed' : undone ? 'OperationUndone' : 'Success',
        reason: error === undefined ? undefined : resultOf(error).message,
      });
    } catch {
      // An audit failure must not turn into a protocol failure for the client.
    }
  }
}

/** Result Reasons KMIP 1.x defines (1.4 section 9.1.3.2.28); later ones are mapped for 1.x clients (INTEROP-NOTES 1). */
const LAST_V1_REASON = ResultReason.ObjectAlreadyExists;

export function reasonFor(version: ProtocolVersion, reason: number): number {
  if (version.major >= 2 || reason <= LAST_V1_REASON || reason === ResultReason.GeneralFailure) return reason;
  switch (reason) {
    case ResultReason.WrongKeyLifecycleState:
    case ResultReason.AttributeReadOnly:
    case ResultReason.IncompatibleCryptographicUsageMask:
    case ResultReason.NotAuthorised:
      return ResultReason.PermissionDenied;
    case ResultReason.ObjectNotFound:
    case ResultReason.AttributeNotFound:
    case ResultReason.AttributeInstanceNotFound:
      return ResultReason.ItemNotFound;
    case ResultReason.ObjectDestroyed:
      return ResultReason.ItemNotFound;
    default:
      return ResultReason.InvalidField;
  }
}

function uidOf(payload: StructureItem | undefined): string | undefined {
  const item = find(payload, Tag.UniqueIdentifier);
  return item?.type === ItemType.TextString ? item.value : undefined;
}

/** A newer major than we know gets our newest; an older one our oldest of that line. */
function responseVersionFor(v: ProtocolVersion): ProtocolVersion {
  const sameMajor = supportedVersions.filter((s) => s.major === v.major);
  if (sameMajor.length > 0) return sameMajor[0] as ProtocolVersion;
  return v.major > 2 ? (supportedVersions[0] as ProtocolVersion) : { major: 1, minor: 0 };
}

/** Best effort: the version in a message we could not parse, so the error reply is readable to its sender. */
function peekVersion(bytes: Uint8Array): ProtocolVersion | undefined {
  try {
    const m = decodeTtlv(bytes);
    if (m.type !== ItemType.Structure) return undefined;
    const pv = findStruct(findStruct(m, Tag.RequestHeader), Tag.ProtocolVersion);
    const major = findInt(pv, Tag.ProtocolVersionMajor);
    const minor = findInt(pv, Tag.ProtocolVersionMinor);
    if (major === undefined || minor === undefined) return undefined;
    return supportedVersions.find((v) => v.major === major && v.minor === minor);
  } catch {
    return undefined;
  }
}
