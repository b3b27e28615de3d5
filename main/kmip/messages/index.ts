export type {
  Authentication,
  Credential,
  KmipMessage,
  ProtocolVersion,
  RequestBatchItem,
  RequestHeader,
  RequestMessage,
  ResponseBatchItem,
  ResponseHeader,
  ResponseMessage,
  ResultStatus,
} from './types.js';
export { MessageError } from './errors.js';
export {
  parseRequestMessage,
  parseRequestHeader,
  parseRequestBatchItem,
  buildRequestMessage,
  peekProtocolVersion,
} from './request.js';
export { parseResponseMessage, parseResponseHeader, parseResponseBatchItem, buildResponseMessage } from './response.js';
export {
  attributesFromTtlv,
  attributesToTtlv,
  attributeFromTtlv,
  attributeToTtlv,
  attributeItems,
  attributeReferenceFromTtlv,
  attributeReferenceToTtlv,
  isCustomName,
  type AttributeInstance,
  type AttributesToTtlvOptions,
} from './attributes.js';
export { forVersion, tagSince, tagAllowedIn, compareVersions, type ForVersionOptions } from './versions.js';
export { newIdPlaceholder, withIdPlaceholder, updateIdPlaceholder, type IdPlaceholder } from './id-placeholder.js';
