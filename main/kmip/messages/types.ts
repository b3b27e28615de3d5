import type { StructureItem, TtlvItem } from '../ttlv/item.js';

/**
 * The KMIP message model (KMIP 1.4 section 7, 2.1 section 8): typed headers and batch items around
 * operation payloads, which stay TtlvItem structures for main/ops to read. Enumerations are their
 * normalized names ("Create", "OperationFailed", "ItemNotFound"); a value the registry does not
 * name (an extension, 0x8xxxxxxx) is its hex form, "0x80000001".
 */
export interface ProtocolVersion {
  major: number;
  minor: number;
}

/** Credential (1.4 section 2.1.2): the common Username and Password form typed, others kept whole. */
export type Credential =
  | { credentialType: 'UsernameAndPassword'; username: string; password?: string }
  | {
      credentialType: 'Device' | 'Attestation' | 'OneTimePassword' | 'HashedPassword' | 'Ticket' | `0x${string}`;
      credentialValue: TtlvItem;
    };

export interface Authentication {
  /** One or more (2.x allows several; 1.x exactly one). */
  credentials: Credential[];
}

export interface RequestHeader {
  protocolVersion: ProtocolVersion;
  maximumResponseSize?: number;
  clientCorrelationValue?: string;
  serverCorrelationValue?: string;
  /** A Boolean in 1.x, an enumeration name in 2.x ("Optional", "Mandatory", "Prohibited"). */
  asynchronousIndicator?: boolean | string;
  attestationCapableIndicator?: boolean;
  attestationType?: string[];
  authentication?: Authentication;
  /** "Continue", "Stop" (the default) or "Undo". */
  batchErrorContinuationOption?: string;
  batchOrderOption?: boolean;
  timeStamp?: Date;
  /** Written from the number of batch items; checked against it when parsing. */
  batchCount: number;
  /** Header fields this model does not name (extensions), kept in order after the known ones. */
  extra?: TtlvItem[];
}

export interface ResponseHeader {
  protocolVersion: ProtocolVersion;
  timeStamp: Date;
  nonce?: StructureItem;
  attestationType?: string[];
  clientCorrelationValue?: string;
  serverCorrelationValue?: string;
  /** 2.1: the server's hashed password. */
  serverHashedPassword?: Uint8Array;
  batchCount: number;
  extra?: TtlvItem[];
}

export interface RequestBatchItem {
  operation: string;
  /** 2.1: the server keeps nothing this operation creates. */
  ephemeral?: boolean;
  uniqueBatchItemId?: Uint8Array;
  requestPayload: StructureItem;
  /** 2.1 allows several (section 8.3); 1.x one. */
  messageExtension?: StructureItem[];
}

interface ResponseBatchItemCommon {
  /** Absent only when the server could not read the request's Operation. */
  operation?: string;
  uniqueBatchItemId?: Uint8Array;
  resultMessage?: string;
  /** Usually only with Success; the 2.1 test cases also return one with Operation Undone. */
  responsePayload?: StructureItem;
  messageExtension?: StructureItem;
}

/** A response batch item, discriminated by its Result Status. */
export type ResponseBatchItem =
  | (ResponseBatchItemCommon & {
      resultStatus: 'Success';
      /** Not expected, kept if a server sends one. */ resultReason?: string;
    })
  | (ResponseBatchItemCommon & { resultStatus: 'OperationFailed'; resultReason: string })
  | (ResponseBatchItemCommon & { resultStatus: 'OperationPending'; asynchronousCorrelationValue: Uint8Array })
  | (ResponseBatchItemCommon & { resultStatus: 'OperationUndone'; resultReason?: string });

export type ResultStatus = ResponseBatchItem['resultStatus'];

export interface RequestMessage {
  kind: 'request';
  header: RequestHeader;
  batchItems: RequestBatchItem[];
}

export interface ResponseMessage {
  kind: 'response';
  header: ResponseHeader;
  batchItems: ResponseBatchItem[];
}

export type KmipMessage = RequestMessage | ResponseMessage;
