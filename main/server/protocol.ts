import { KeyholdError } from '../../shared/errors.js';
import {
  buildResponseMessage,
  forVersion,
  parseRequestMessage,
  peekProtocolVersion,
  type ResponseBatchItem,
} from '../kmip/messages/index.js';
import { enumerationForTag, enumerationValue, enumerationValueName } from '../kmip/registry/index.js';
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
import { operationRunsIn } from '../ops/operation-versions.js';
import { streamedCiphers } from '../ops/streamed-cipher.js';
import { find, findBytes } from '../ops/ttlv.js';
import { supportedVersions } from '../ops/versions.js';
import { ResultReason, Tag } from '../ops/vocabulary.js';

/** The Username and Password Credential the server checks (other Credential types are not used). */
export interface Credential {
  username: string;
  password: string;
}

export interface RequestBatchItem {
  operation: number;
  /** The Operation's normalized name ("Create"; hex for a value the registry does not name). */
  name: string;
  uniqueBatchItemId: Uint8Array | undefined;
  payload: StructureItem;
  /** The Vendor Identification of a Message Extension marked critical (Keyhold understands none). */
  criticalExtension?: string;
}

/** What the server reads of a Request Message (main/kmip/messages parses it). */
export interface ParsedRequest {
  version: ProtocolVersion;
  maximumResponseSize: number | undefined;
  /** "Continue", "Stop" (the default) or "Undo"; any other value is treated as Stop. */
  batchErrorContinuationOption: string;
  credential: Credential | undefined;
  items: RequestBatchItem[];
}

const operationSet = enumerationForTag(Tag.Operation);
const reasonSet = enumerationForTag(Tag.ResultReason);

/**
 * Reads a Request Message (KMIP 1.4 section 7.1 / 2.1 section 8) with the message model. Throws a
 * MessageError (Result Reason Invalid Message, with what was wrong) for a malformed message.
 */
export function parseRequest(message: TtlvItem): ParsedRequest {
  const { header, batchItems } = parseRequestMessage(message);
  const items = batchItems.map((b): RequestBatchItem => ({
    operation: enumerationValue(operationSet, b.operation) ?? -1,
    name: b.operation,
    uniqueBatchItemId: b.uniqueBatchItemId,
    payload: b.requestPayload,
    ...criticalExtensionOf(b.messageExtension),
  }));
  let credential: Credential | undefined;
  for (const c of header.authentication?.credentials ?? []) {
    if (c.credentialType === 'UsernameAndPassword') {
      credential = { username: c.username, password: c.password ?? '' };
      break;
    }
  }
  return {
    version: header.protocolVersion,
    maximumResponseSize: header.maximumResponseSize,
    batchErrorContinuationOption: header.batchErrorContinuationOption ?? 'Stop',
    credential,
    items,
  };
}

/**
 * A Message Extension with Criticality Indicator True: the receiver that does not understand it
 * SHALL reject the entire message (KMIP 1.4 section 6.16, 2.1 section 9.13). Keyhold defines no
 * vendor extension, so it understands none; non-critical ones are ignored.
 */
function criticalExtensionOf(extensions: StructureItem[] | undefined): { criticalExtension?: string } {
  for (const x of extensions ?? []) {
    const critical = find(x, Tag.CriticalityIndicator);
    if (critical?.type === ItemType.Boolean && critical.value) {
      const vendor = find(x, Tag.VendorIdentification);
      return { criticalExtension: vendor?.type === ItemType.TextString ? vendor.value : '' };
    }
  }
  return {};
}

/**
 * The Response Message for the request's version: the header carries only fields every version has
 * (Protocol Version, Time Stamp, Batch Count), and each payload goes through forVersion, so a client
 * never meets a field newer than its version (INTEROP-NOTES 1).
 */
export function buildResponse(version: ProtocolVersion, items: ResponseBatchItem[], now: Date): StructureItem {
  return buildResponseMessage({
    header: { protocolVersion: version, timeStamp: now, batchCount: items.length },
    batchItems: items,
  });
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

function failed(i: RequestBatchItem | undefined, reason: number, message: string): ResponseBatchItem {
  return {
    operation: i?.name,
    uniqueBatchItemId: i?.uniqueBatchItemId,
    resultStatus: 'OperationFailed',
    resultReason: enumerationValueName(reasonSet, reason),
    resultMessage: message,
  };
}

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
    let message: TtlvItem | undefined;
    try {
      message = decodeTtlv(bytes);
      request = parseRequest(message);
    } catch (e) {
      await this.audit(identity, 'Invalid Message', undefined, e);
      // Best effort: answer in the sender's version when the message decoded that far.
      return this.malformed(e, message === undefined ? undefined : supported(peekProtocolVersion(message)));
    }
    return this.respond(request, identity);
  }

  /** The response to a message that could not be parsed at all. */
  malformed(e: unknown, version: ProtocolVersion = { major: 1, minor: 0 }): Buffer {
    // Whatever was wrong with it, a message that cannot be read is an Invalid Message (KMIP 1.4 section 11).
    return encodeTtlv(
      buildResponse(version, [failed(undefined, ResultReason.InvalidMessage, resultOf(e).message)], this.now()),
    );
  }

  /** The encoded response to a parsed request (encoded once, also for the Maximum Response Size check). */
  private async respond(request: ParsedRequest, identity: string): Promise<Buffer> {
    const now = this.now();
    const known = supported(request.version);
    const version = known ?? responseVersionFor(request.version);
    const items: ResponseBatchItem[] = [];
    if (!known) {
      for (const i of request.items) items.push(failed(i, ResultReason.InvalidMessage, 'unsupported protocol version'));
      return encodeTtlv(buildResponse(version, items, now));
    }
    try {
      await this.options.authenticator?.check(identity, request.credential);
    } catch (e) {
      const r = resultOf(e);
      for (const i of request.items) items.push(failed(i, r.reason, r.message));
      await this.audit(identity, 'Authentication', undefined, e);
      return encodeTtlv(buildResponse(version, items, now));
    }
    const critical = request.items.find((i) => i.criticalExtension !== undefined);
    if (critical) {
      const e = new KeyholdError(
        'unsupported',
        `the request carries a critical Message Extension of "${critical.criticalExtension}", which Keyhold does not understand: the message is rejected`,
        { reason: 'Unknown Message Extension' },
      );
      const reason = reasonFor(version, ResultReason.UnknownMessageExtension);
      for (const i of request.items) items.push(failed(i, reason, e.message));
      await this.audit(identity, 'Unknown Message Extension', undefined, e);
      return encodeTtlv(buildResponse(version, items, now));
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
    if (request.batchErrorContinuationOption === 'Undo' && undoable) {
      // Undo (KMIP 1.4 section 6.7): audits wait for the outcome, so an undone item is recorded as such.
      const records: Array<{ name: string; uid: string | undefined; error: unknown }> = [];
      const anyFailed = await undoable(async () => {
        const f = await this.runItems(request, ctx, items, async (name, uid, error) => {
          records.push({ name, uid, error });
        });
        return { result: f, undo: f };
      });
      for (const [n, i] of items.entries()) {
        if (!anyFailed || i.resultStatus !== 'Success') continue;
        items[n] = { ...i, resultStatus: 'OperationUndone' };
        // A multi-part cipher's state cannot be rewound: a stream an undone item opened or advanced is closed.
        for (const p of [request.items[n]?.payload, i.responsePayload]) {
          const correlation = findBytes(p, Tag.CorrelationValue);
          if (correlation) streamedCiphers.discard(correlation, identity);
        }
      }
      for (const r of records) await this.audit(identity, r.name, r.uid, r.error, anyFailed);
    } else {
      await this.runItems(request, ctx, items, (name, uid, error) => this.audit(identity, name, uid, error));
    }
    const response = encodeTtlv(buildResponse(version, items, now));
    if (request.maximumResponseSize !== undefined && response.length > request.maximumResponseSize) {
      return encodeTtlv(
        buildResponse(
          version,
          request.items.map((i) => failed(i, ResultReason.ResponseTooLarge, 'TOO_LARGE')),
          now,
        ),
      );
    }
    return response;
  }

  /** Runs the batch items in order into `items`; true when one failed (Stop and Undo end there). */
  private async runItems(
    request: ParsedRequest,
    ctx: OpsContext,
    items: ResponseBatchItem[],
    record: (name: string, uid: string | undefined, error: unknown) => Promise<void>,
  ): Promise<boolean> {
    let anyFailed = false;
    for (const item of request.items) {
      const name = item.name;
      const handler = this.options.operations[item.operation];
      ctx.operation = name;
      try {
        if (!handler)
          throw new KeyholdError('unsupported', `${name} is not supported`, { reason: 'Operation Not Supported' });
        if (!operationRunsIn(item.operation, ctx.version))
          throw new KeyholdError(
            'unsupported',
            `${name} is not defined in KMIP ${ctx.version.major}.${ctx.version.minor}`,
            {
              reason: 'Operation Not Supported',
            },
          );
        const payload = await handler(item.payload, ctx);
        items.push({
          operation: name,
          uniqueBatchItemId: item.uniqueBatchItemId,
          resultStatus: 'Success',
          // Never a field newer than the request's version (INTEROP-NOTES 1).
          responsePayload: forVersion(payload, ctx.version),
        });
        await record(name, uidOf(payload), undefined);
      } catch (e) {
        anyFailed = true;
        const r = resultOf(e);
        items.push(failed(item, reasonFor(ctx.version, r.reason), r.message));
        await record(name, uidOf(item.payload) ?? ctx.idPlaceholder, e);
        if (request.batchErrorContinuationOption !== 'Continue') break;
      }
    }
    return anyFailed;
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

/**
 * Result Reasons added after 1.0, by the 1.x minor version that added them (1.0 defines 0x01-0x11
 * and General Failure), each with the older reason a client of an earlier version gets instead.
 */
const V1_ADDED: ReadonlyMap<number, { minor: number; older: number }> = new Map([
  [ResultReason.EncodingOptionError, { minor: 1, older: ResultReason.InvalidField }],
  [ResultReason.KeyValueNotPresent, { minor: 2, older: ResultReason.IllegalOperation }],
  [ResultReason.AttestationRequired, { minor: 2, older: ResultReason.PermissionDenied }],
  [ResultReason.AttestationFailed, { minor: 2, older: ResultReason.PermissionDenied }],
  [ResultReason.Sensitive, { minor: 4, older: ResultReason.PermissionDenied }],
  [ResultReason.NotExtractable, { minor: 4, older: ResultReason.PermissionDenied }],
  [ResultReason.ObjectAlreadyExists, { minor: 4, older: ResultReason.IllegalOperation }],
]);

/** The Result Reason a client of `version` knows for `reason` (2.x reasons mapped for 1.x, 1.x ones for older 1.x). */
export function reasonFor(version: ProtocolVersion, reason: number): number {
  if (version.major >= 2 || reason === ResultReason.GeneralFailure) return reason;
  if (reason <= LAST_V1_REASON) {
    const added = V1_ADDED.get(reason);
    return added !== undefined && version.minor < added.minor ? added.older : reason;
  }
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
    case ResultReason.UnknownMessageExtension:
      return ResultReason.FeatureNotSupported;
    default:
      return ResultReason.InvalidField;
  }
}

function uidOf(payload: StructureItem | undefined): string | undefined {
  const item = find(payload, Tag.UniqueIdentifier);
  return item?.type === ItemType.TextString ? item.value : undefined;
}

/** The supported version equal to `v`, if any. */
function supported(v: ProtocolVersion | undefined): ProtocolVersion | undefined {
  return v === undefined ? undefined : supportedVersions.find((s) => s.major === v.major && s.minor === v.minor);
}

/** A newer major than we know gets our newest; an older one our oldest of that line. */
function responseVersionFor(v: ProtocolVersion): ProtocolVersion {
  const sameMajor = supportedVersions.filter((s) => s.major === v.major);
  if (sameMajor.length > 0) return sameMajor[0] as ProtocolVersion;
  return v.major > 2 ? (supportedVersions[0] as ProtocolVersion) : { major: 1, minor: 0 };
}
