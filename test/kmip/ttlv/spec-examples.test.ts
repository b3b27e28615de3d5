import { describe, expect, it } from 'vitest';
import { decodeTtlv, encodeTtlv, ItemType, type TtlvItem } from '../../../main/kmip/index.js';
import { hex } from './support/naive-ttlv.js';

// KMIP Specification 1.4 (OASIS Standard), section 9.1.2 "Examples": every example encodes a
// Protocol Object with tag 420020. The hex below is transcribed from the spec, separators kept.
const examples: { name: string; bytes: string; item: TtlvItem }[] = [
  {
    name: 'An Integer containing the decimal value 8',
    bytes: '42 00 20 | 02 | 00 00 00 04 | 00 00 00 08 00 00 00 00',
    item: { tag: 0x420020, type: ItemType.Integer, value: 8 },
  },
  {
    name: 'A Long Integer containing the decimal value 123456789000000000',
    bytes: '42 00 20 | 03 | 00 00 00 08 | 01 B6 9B 4B A5 74 92 00',
    item: { tag: 0x420020, type: ItemType.LongInteger, value: 123456789000000000n },
  },
  {
    name: 'A Big Integer containing the decimal value 1234567890000000000000000000',
    bytes: '42 00 20 | 04 | 00 00 00 10 | 00 00 00 00 03 FD 35 EB 6B C2 DF 46 18 08 00 00',
    item: { tag: 0x420020, type: ItemType.BigInteger, value: 1234567890000000000000000000n },
  },
  {
    name: 'An Enumeration with value 255',
    bytes: '42 00 20 | 05 | 00 00 00 04 | 00 00 00 FF 00 00 00 00',
    item: { tag: 0x420020, type: ItemType.Enumeration, value: 255 },
  },
  {
    name: 'A Boolean with the value True',
    bytes: '42 00 20 | 06 | 00 00 00 08 | 00 00 00 00 00 00 00 01',
    item: { tag: 0x420020, type: ItemType.Boolean, value: true },
  },
  {
    name: 'A Text String with the value "Hello World"',
    bytes: '42 00 20 | 07 | 00 00 00 0B | 48 65 6C 6C 6F 20 57 6F 72 6C 64 00 00 00 00 00',
    item: { tag: 0x420020, type: ItemType.TextString, value: 'Hello World' },
  },
  {
    name: 'A Byte String with the value { 0x01, 0x02, 0x03 }',
    bytes: '42 00 20 | 08 | 00 00 00 03 | 01 02 03 00 00 00 00 00',
    item: { tag: 0x420020, type: ItemType.ByteString, value: new Uint8Array([1, 2, 3]) },
  },
  {
    name: 'A Date-Time, containing the value for Friday, March 14, 2008, 11:56:40 GMT',
    bytes: '42 00 20 | 09 | 00 00 00 08 | 00 00 00 00 47 DA 67 F8',
    item: { tag: 0x420020, type: ItemType.DateTime, value: BigInt(Date.UTC(2008, 2, 14, 11, 56, 40) / 1000) },
  },
  {
    name: 'An Interval, containing the value for 10 days',
    bytes: '42 00 20 | 0A | 00 00 00 04 | 00 0D 2F 00 00 00 00 00',
    item: { tag: 0x420020, type: ItemType.Interval, value: 10 * 24 * 3600 },
  },
  {
    name: 'A Structure containing an Enumeration, value 254, followed by an Integer, value 255',
    bytes:
      '42 00 20 | 01 | 00 00 00 20 | 42 00 04 | 05 | 00 00 00 04 | 00 00 00 FE 00 00 00 00 | ' +
      '42 00 05 | 02 | 00 00 00 04 | 00 00 00 FF 00 00 00 00',
    item: {
      tag: 0x420020,
      type: ItemType.Structure,
      value: [
        { tag: 0x420004, type: ItemType.Enumeration, value: 254 },
        { tag: 0x420005, type: ItemType.Integer, value: 255 },
      ],
    },
  },
];

describe('KMIP 1.4 section 9.1.2 examples', () => {
  for (const example of examples) {
    it(`decodes: ${example.name}`, () => {
      expect(decodeTtlv(hex(example.bytes))).toEqual(example.item);
    });
    it(`encodes: ${example.name}`, () => {
      expect(encodeTtlv(example.item).toString('hex')).toBe(hex(example.bytes).toString('hex'));
    });
  }
});
