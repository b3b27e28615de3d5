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
export { decodeTtlvLazy, validateTtlv, type TtlvLazyDecodeOptions } from './lazy-decoder.js';
export { LazyStructure } from './lazy-structure.js';
