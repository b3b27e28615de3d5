import { TtlvError } from './errors.js';

/**
 * The decoders' error messages, made out of line so the hot paths stay small. The eager decoder
 * (decoder.ts) and the validating pass of the lazy one (lazy-decoder.ts) both use them, so the
 * same malformed input gives the same error, word for word and offset for offset.
 */
const typeNames = [
  '',
  'Structure',
  'Integer',
  'Long Integer',
  'Big Integer',
  'Enumeration',
  'Boolean',
  'Text String',
  'Byte String',
  'Date-Time',
  'Interval',
  'Date-Time Extended',
];

export function shortHeader(start: number, end: number): TtlvError {
  return new TtlvError(`short read: an item header needs 8 bytes, ${end - start} left`, start);
}

export function badPrefix(prefix: number, start: number): TtlvError {
  return new TtlvError(`tag prefix 0x${prefix.toString(16).padStart(2, '0')} is neither 0x42 nor 0x54`, start);
}

/** Fixed-length types: exact length, and 8 value+padding bytes present. */
export function badFixed(
  start: number,
  tag: number,
  type: number,
  length: number,
  expected: number,
  left: number,
): TtlvError {
  if (length !== expected) {
    return new TtlvError(`${typeNames[type]} length is ${length}, must be ${expected}`, start + 4, tag);
  }
  return overrun(start, tag, 8, left);
}

export function overrun(start: number, tag: number, needed: number, left: number): TtlvError {
  return new TtlvError(
    `short read: the value needs ${needed} bytes, only ${left} left in the enclosing item`,
    start + 4,
    tag,
  );
}

export function unknownType(type: number, start: number, tag: number): TtlvError {
  return new TtlvError(`unknown item type 0x${type.toString(16).padStart(2, '0')}`, start + 3, tag);
}

export function tooMany(maxItems: number, start: number, tag: number): TtlvError {
  return new TtlvError(`more than ${maxItems} items`, start, tag);
}

export function tooDeep(maxDepth: number, start: number, tag: number): TtlvError {
  return new TtlvError(`nesting deeper than ${maxDepth}`, start, tag);
}

export function tooBig(length: number, maxMessageBytes: number): TtlvError {
  return new TtlvError(`message of ${length} bytes exceeds the limit of ${maxMessageBytes}`, 0);
}

export function trailing(count: number, at: number): TtlvError {
  return new TtlvError(`${count} bytes follow the message`, at);
}

export function structureLength(length: number, start: number, tag: number): TtlvError {
  return new TtlvError(`Structure length ${length} is not a multiple of 8`, start, tag);
}

export function bigIntegerLength(length: number, start: number, tag: number): TtlvError {
  return new TtlvError(`Big Integer length ${length} is not a positive multiple of 8`, start, tag);
}

export function badPadding(at: number, tag: number): TtlvError {
  return new TtlvError('non-zero padding', at, tag);
}

export function badBoolean(at: number, tag: number): TtlvError {
  return new TtlvError('Boolean value is neither 0 nor 1', at, tag);
}

export function nulTerminator(at: number, tag: number): TtlvError {
  return new TtlvError('Text String ends with a NUL terminator', at, tag);
}

export function badUtf8(at: number, tag: number): TtlvError {
  return new TtlvError('Text String is not valid UTF-8', at, tag);
}
