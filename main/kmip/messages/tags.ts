import { Tag } from '../registry/index.js';

/**
 * The tags the message envelope reads, copied out of the registry's large Tag table into a small
 * object V8 keeps in fast mode (with constant fields), for the per-message parse.
 */
export const MessageTag = {
  AsynchronousCorrelationValue: Tag.AsynchronousCorrelationValue,
  AsynchronousIndicator: Tag.AsynchronousIndicator,
  AttestationCapableIndicator: Tag.AttestationCapableIndicator,
  AttestationType: Tag.AttestationType,
  Authentication: Tag.Authentication,
  BatchCount: Tag.BatchCount,
  BatchErrorContinuationOption: Tag.BatchErrorContinuationOption,
  BatchItem: Tag.BatchItem,
  BatchOrderOption: Tag.BatchOrderOption,
  ClientCorrelationValue: Tag.ClientCorrelationValue,
  Credential: Tag.Credential,
  CredentialType: Tag.CredentialType,
  CredentialValue: Tag.CredentialValue,
  Ephemeral: Tag.Ephemeral,
  MaximumResponseSize: Tag.MaximumResponseSize,
  MessageExtension: Tag.MessageExtension,
  Nonce: Tag.Nonce,
  Operation: Tag.Operation,
  Password: Tag.Password,
  ProtocolVersion: Tag.ProtocolVersion,
  ProtocolVersionMajor: Tag.ProtocolVersionMajor,
  ProtocolVersionMinor: Tag.ProtocolVersionMinor,
  RequestHeader: Tag.RequestHeader,
  RequestMessage: Tag.RequestMessage,
  RequestPayload: Tag.RequestPayload,
  ResponseHeader: Tag.ResponseHeader,
  ResponseMessage: Tag.ResponseMessage,
  ResponsePayload: Tag.ResponsePayload,
  ResultMessage: Tag.ResultMessage,
  ResultReason: Tag.ResultReason,
  ResultStatus: Tag.ResultStatus,
  ServerCorrelationValue: Tag.ServerCorrelationValue,
  ServerHashedPassword: Tag.ServerHashedPassword,
  TimeStamp: Tag.TimeStamp,
  UniqueBatchItemID: Tag.UniqueBatchItemID,
  Username: Tag.Username,
} as const;
