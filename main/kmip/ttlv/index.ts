export * from './item.js';
export { decodeTtlv } from './decoder.js';
export { encodeTtlv, bigIntHex } from './encoder.js';
export { TtlvFrameReader } from './frame-reader.js';
export {
  TtlvError,
  isTtlvError,
  formatTag,
  defaultTtlvLimits,
  resolveTtlvLimits,
  type TtlvLimits,
  type TtlvDecodeOptions,
} from './errors.js';
