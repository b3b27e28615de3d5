/**
 * A deliberately naive TTLV builder for tests: concatenates hex strings, nothing shared with the
 * codec under test. Used to state expected bytes independently of the encoder.
 */
export function hex(s: string): Buffer {
  return Buffer.from(s.replace(/[\s|]/g, ''), 'hex');
}

function header(tag: number, type: number, length: number): string {
  return tag.toString(16).padStart(6, '0') + type.toString(16).padStart(2, '0') + length.toString(16).padStart(8, '0');
}

function pad(valueHex: string): string {
  let s = valueHex;
  while ((s.length / 2) % 8 !== 0) s += '00';
  return s;
}

export const naive = {
  structure: (tag: number, ...items: string[]): string => header(tag, 1, items.join('').length / 2) + items.join(''),
  integer: (tag: number, v: number): string => header(tag, 2, 4) + (v >>> 0).toString(16).padStart(8, '0') + '00000000',
  longInteger: (tag: number, v: bigint): string =>
    header(tag, 3, 8) + BigInt.asUintN(64, v).toString(16).padStart(16, '0'),
  bigInteger: (tag: number, bytesHex: string): string => header(tag, 4, bytesHex.length / 2) + bytesHex,
  enumeration: (tag: number, v: number): string => header(tag, 5, 4) + v.toString(16).padStart(8, '0') + '00000000',
  boolean: (tag: number, v: boolean): string => header(tag, 6, 8) + (v ? '0000000000000001' : '0000000000000000'),
  textString: (tag: number, v: string): string => {
    const b = Buffer.from(v, 'utf8').toString('hex');
    return header(tag, 7, b.length / 2) + pad(b);
  },
  byteString: (tag: number, bytesHex: string): string => header(tag, 8, bytesHex.length / 2) + pad(bytesHex),
  dateTime: (tag: number, v: bigint): string =>
    header(tag, 9, 8) + BigInt.asUintN(64, v).toString(16).padStart(16, '0'),
  interval: (tag: number, v: number): string => header(tag, 0x0a, 4) + v.toString(16).padStart(8, '0') + '00000000',
  dateTimeExtended: (tag: number, v: bigint): string =>
    header(tag, 0x0b, 8) + BigInt.asUintN(64, v).toString(16).padStart(16, '0'),
  /** Any header with raw value bytes, for malformed input. */
  raw: (tag: number, type: number, length: number, valueHex: string): string => header(tag, type, length) + valueHex,
};
