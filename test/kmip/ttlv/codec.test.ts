import { describe, expect, it } from 'vitest';
import {
  bigIntHex,
  decodeTtlv,
  encodeTtlv,
  ItemType,
  TtlvError,
  type TtlvDecodeOptions,
  type TtlvItem,
} from '../../../main/kmip/index.js';
import { hex, naive } from './support/naive-ttlv.js';

const T = 0x420020;

function decodeError(bytes: Buffer | string, options?: TtlvDecodeOptions): TtlvError {
  try {
    decodeTtlv(typeof bytes === 'string' ? hex(bytes) : bytes, options);
  } catch (e) {
    expect(e).toBeInstanceOf(TtlvError);
    return e as TtlvError;
  }
  throw new Error('expected a TtlvError');
}

function encodeError(item: TtlvItem): TtlvError {
  try {
    encodeTtlv(item);
  } catch (e) {
    expect(e).toBeInstanceOf(TtlvError);
    return e as TtlvError;
  }
  throw new Error('expected a TtlvError');
}

describe('TTLV round trip against the naive builder', () => {
  const cases: [string, TtlvItem][] = [
    [naive.integer(T, -1), { tag: T, type: ItemType.Integer, value: -1 }],
    [naive.integer(T, -0x80000000), { tag: T, type: ItemType.Integer, value: -0x80000000 }],
    [naive.integer(T, 0x7fffffff), { tag: T, type: ItemType.Integer, value: 0x7fffffff }],
    [naive.longInteger(T, -(1n << 63n)), { tag: T, type: ItemType.LongInteger, value: -(1n << 63n) }],
    [naive.enumeration(T, 0x80000001), { tag: T, type: ItemType.Enumeration, value: 0x80000001 }],
    [naive.interval(T, 0xffffffff), { tag: T, type: ItemType.Interval, value: 0xffffffff }],
    [naive.boolean(T, false), { tag: T, type: ItemType.Boolean, value: false }],
    [naive.textString(T, ''), { tag: T, type: ItemType.TextString, value: '' }],
    [naive.textString(T, '12345678'), { tag: T, type: ItemType.TextString, value: '12345678' }],
    [naive.textString(T, 'Grüße, 鍵 🔑'), { tag: T, type: ItemType.TextString, value: 'Grüße, 鍵 🔑' }],
    [naive.textString(T, '\uFEFFbom kept'), { tag: T, type: ItemType.TextString, value: '\uFEFFbom kept' }],
    [naive.textString(T, 'x'.repeat(100)), { tag: T, type: ItemType.TextString, value: 'x'.repeat(100) }],
    [naive.byteString(T, ''), { tag: T, type: ItemType.ByteString, value: new Uint8Array() }],
    [naive.byteString(T, 'ff'.repeat(9)), { tag: T, type: ItemType.ByteString, value: new Uint8Array(9).fill(255) }],
    [
      naive.byteString(T, 'ab'.repeat(300)),
      { tag: T, type: ItemType.ByteString, value: new Uint8Array(300).fill(0xab) },
    ],
    [naive.dateTime(T, -1n), { tag: T, type: ItemType.DateTime, value: -1n }],
    [
      naive.dateTimeExtended(T, 1700000000123456n),
      { tag: T, type: ItemType.DateTimeExtended, value: 1700000000123456n },
    ],
    [naive.structure(T), { tag: T, type: ItemType.Structure, value: [] }],
    [
      naive.structure(0x540001, naive.structure(0x420079, naive.integer(0x42006a, 1)), naive.textString(0x540002, 'x')),
      {
        tag: 0x540001,
        type: ItemType.Structure,
        value: [
          { tag: 0x420079, type: ItemType.Structure, value: [{ tag: 0x42006a, type: ItemType.Integer, value: 1 }] },
          { tag: 0x540002, type: ItemType.TextString, value: 'x' },
        ],
      },
    ],
  ];
  for (const [bytes, item] of cases) {
    it(`${bytes.slice(6, 8)} ${bytes.slice(16, 48)}`, () => {
      expect(decodeTtlv(hex(bytes))).toEqual(item);
      expect(encodeTtlv(item).toString('hex')).toBe(bytes);
    });
  }

  it('decodes Structures of 0 to 9 items in order, each into its own exact-size array', () => {
    // The decoder holds a Structure's first four items in locals and grows an array past them.
    for (let count = 0; count <= 9; count++) {
      const children = Array.from({ length: count }, (_, k) =>
        k % 2 === 0 ? naive.integer(0x420001 + k, k) : naive.structure(0x420001 + k, naive.textString(T, `t${k}`)),
      );
      const item = decodeTtlv(hex(naive.structure(T, naive.structure(T, ...children), naive.boolean(T, true))));
      if (item.type !== ItemType.Structure) throw new Error('expected a Structure');
      const [inner, last] = item.value;
      if (inner?.type !== ItemType.Structure || last === undefined) throw new Error('expected a Structure');
      expect(last).toEqual({ tag: T, type: ItemType.Boolean, value: true });
      expect(inner.value).toHaveLength(count);
      inner.value.forEach((child, k) => {
        expect(child.tag).toBe(0x420001 + k);
        expect(child.value).toEqual(k % 2 === 0 ? k : [{ tag: T, type: ItemType.TextString, value: `t${k}` }]);
      });
      // Each Structure has its own ordinary array: adding to one changes no other.
      inner.value.push(last);
      expect(inner.value).toHaveLength(count + 1);
      expect(decodeTtlv(hex(naive.structure(T, ...children))).value).toHaveLength(count);
    }
  });

  it('an item overrunning its Structure at any position gives the same error and offset', () => {
    for (let position = 0; position < 7; position++) {
      const good = Array.from({ length: position }, (_, k) => naive.integer(T, k));
      // The Structure claims its good items plus 8 bytes; the last item is a 16-byte Integer.
      const body = good.join('') + naive.integer(T, 99);
      const e = decodeError(naive.raw(T, 1, position * 16 + 8, body));
      expect(e.message).toMatch(/short read: the value needs 8 bytes, only 0 left/);
      expect(e.offset).toBe(8 + position * 16 + 4);
    }
  });

  it('decodes a Uint8Array that is not a Buffer, at a non-zero offset', () => {
    const bytes = hex(naive.integer(T, 7));
    const backing = new Uint8Array(bytes.length + 5);
    backing.set(bytes, 5);
    expect(decodeTtlv(backing.subarray(5))).toEqual({ tag: T, type: ItemType.Integer, value: 7 });
  });

  it('returns Byte Strings as copies, not views into the message', () => {
    const bytes = hex(naive.byteString(T, '0102'));
    const item = decodeTtlv(bytes);
    bytes.fill(0);
    expect(item.value).toEqual(new Uint8Array([1, 2]));
  });

  it('returns each Byte String as its own copy, short and long alike', () => {
    const long = 'ab'.repeat(100);
    const bytes = hex(naive.structure(T, naive.byteString(T, '0102'), naive.byteString(T, long)));
    const item = decodeTtlv(bytes);
    if (item.type !== ItemType.Structure) throw new Error('expected a Structure');
    const [a, b] = item.value.map((v) => v.value as Uint8Array);
    bytes.fill(0);
    a!.fill(9);
    expect(b).toEqual(new Uint8Array(100).fill(0xab));
    expect(b!.byteLength).toBe(b!.buffer.byteLength);
  });

  it('decodes a Password like any text (it bypasses the text cache)', () => {
    for (const text of ['secret-pass-1', 'secret-pass-1', 'secret-pass-2']) {
      expect(decodeTtlv(hex(naive.textString(0x4200a1, text)))).toEqual({
        tag: 0x4200a1,
        type: ItemType.TextString,
        value: text,
      });
    }
  });

  it('decodes texts that share length, head and tail (the text cache) to their own values', () => {
    const texts = ['Name-AAAA-001', 'Name-BBBB-001', 'Name-AAAA-001', 'Name-CCCC-001', 'Name-BBBB-001', 'Nämé-x-1'];
    for (let round = 0; round < 2; round++) {
      for (const text of texts) {
        expect(decodeTtlv(hex(naive.textString(T, text)))).toEqual({ tag: T, type: ItemType.TextString, value: text });
      }
    }
  });

  it('decodes texts of every cached length that differ in one byte only to their own values', () => {
    for (let length = 1; length <= 41; length++) {
      const base = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG'.slice(0, length);
      const variants = [base];
      for (const at of [0, length >> 1, length - 1]) variants.push(base.slice(0, at) + '~' + base.slice(at + 1));
      for (let round = 0; round < 2; round++) {
        for (const text of variants) expect(decodeTtlv(hex(naive.textString(T, text))).value).toBe(text);
      }
    }
  });

  it('texts of one length that share a text cache set replace each other and decode to their own values', () => {
    // With the cache's hash at this writing, each triple falls in one set of two slots (sets 1406
    // and 1999 of 2048): the length check passes and only the word comparison tells them apart,
    // and the third text of a set evicts the older one. Other triples would still have to decode
    // to their own values.
    const triples = [
      ['Key-124', 'Key-168', 'Key-246'],
      ['Key-136', 'Key-143', 'Key-251'],
    ];
    for (const [a, b, c] of triples) {
      for (const text of [a!, b!, a!, b!, c!, a!, b!, c!, c!, b!, a!, a!]) {
        expect(decodeTtlv(hex(naive.textString(T, text))).value).toBe(text);
      }
    }
  });

  it('a cached text is matched by its own bytes, not by the padding after it', () => {
    // 'abc' with non-zero padding (accepted when asked), then with zero padding, then 'abd'.
    const loose = naive.raw(T, 7, 3, '616263ffffffffff');
    expect(decodeTtlv(hex(loose), { strictPadding: false }).value).toBe('abc');
    expect(decodeTtlv(hex(naive.textString(T, 'abc'))).value).toBe('abc');
    expect(decodeTtlv(hex(loose), { strictPadding: false }).value).toBe('abc');
    expect(decodeTtlv(hex(naive.textString(T, 'abd'))).value).toBe('abd');
    expect(decodeError(loose).offset).toBe(11);
  });

  it('decodes Long Integers and Date-Times around every 32-bit and 53-bit boundary', () => {
    const values = [0n, 1n, 0x7fffffffn, 0x80000000n, 0xffffffffn, 1n << 32n, (1n << 53n) - 1n, 1n << 53n];
    values.push((1n << 63n) - 1n, ...values.map((v) => -v), -(1n << 31n) - 1n, -(1n << 63n));
    for (const value of values) {
      expect(decodeTtlv(hex(naive.longInteger(T, value))).value).toBe(value);
      expect(decodeTtlv(hex(naive.dateTime(T, value))).value).toBe(value);
      expect(decodeTtlv(hex(naive.dateTimeExtended(T, value))).value).toBe(value);
    }
  });
});

describe('Big Integer sign extension (KMIP 1.4 section 9.1.1.4; INTEROP-NOTES 10)', () => {
  const vectors: [bigint, string][] = [
    [0n, '0000000000000000'],
    [1n, '0000000000000001'],
    [-1n, 'ffffffffffffffff'],
    [127n, '000000000000007f'],
    [128n, '0000000000000080'],
    [(1n << 63n) - 1n, '7fffffffffffffff'],
    [1n << 63n, '00000000000000008000000000000000'],
    [-(1n << 63n), '8000000000000000'],
    [-(1n << 63n) - 1n, 'ffffffffffffffff7fffffffffffffff'],
    [(1n << 64n) - 1n, '0000000000000000ffffffffffffffff'],
  ];
  for (const [value, bytes] of vectors) {
    it(`${value}`, () => {
      expect(bigIntHex(value)).toBe(bytes);
      const item: TtlvItem = { tag: T, type: ItemType.BigInteger, value };
      expect(encodeTtlv(item).toString('hex')).toBe(naive.bigInteger(T, bytes));
      expect(decodeTtlv(hex(naive.bigInteger(T, bytes)))).toEqual(item);
    });
  }
  it('accepts more sign-extension bytes than the minimum', () => {
    expect(decodeTtlv(hex(naive.bigInteger(T, 'ff'.repeat(15) + 'fe'))).value).toBe(-2n);
    expect(decodeTtlv(hex(naive.bigInteger(T, '00'.repeat(15) + '05'))).value).toBe(5n);
  });
});

describe('malformed input gives a TtlvError with the offset', () => {
  it('is a KeyholdError with code codec and reason Invalid Message', () => {
    const e = decodeError('42002002');
    expect(e.code).toBe('codec');
    expect(e.reason).toBe('Invalid Message');
    expect(e.offset).toBe(0);
    expect(e.message).toMatch(/short read/);
  });
  it('short read: empty input', () => expect(decodeError('').offset).toBe(0));
  it('short read: value cut off', () => {
    const e = decodeError(naive.integer(T, 8).slice(0, -2));
    expect(e.message).toMatch(/short read/);
    expect(e.tag).toBe(T);
  });
  it('short read: Text String padding missing', () => {
    expect(decodeError(naive.raw(T, 7, 3, '616263')).message).toMatch(/short read/);
  });
  it('tag prefix neither 0x42 nor 0x54', () => {
    const e = decodeError(naive.integer(0x430020, 8));
    expect(e.message).toMatch(/tag prefix 0x43/);
    expect(e.offset).toBe(0);
  });
  it('unknown item type', () => {
    const e = decodeError(naive.raw(T, 0x0c, 8, '0000000000000000'));
    expect(e.message).toMatch(/unknown item type 0x0c/);
    expect(e.offset).toBe(3);
  });
  it('wrong length for a fixed-size type', () => {
    expect(decodeError(naive.raw(T, 2, 8, '0000000000000008')).message).toMatch(/Integer length is 8, must be 4/);
    expect(decodeError(naive.raw(T, 6, 4, '0000000100000000')).message).toMatch(/Boolean length is 4/);
    expect(decodeError(naive.raw(T, 9, 4, '0000000100000000')).message).toMatch(/Date-Time length is 4/);
  });
  it('Boolean not 0 or 1 (ovh/kmip-go PR 89)', () => {
    expect(decodeError(naive.raw(T, 6, 8, '0000000000000002')).offset).toBe(8);
    expect(decodeError(naive.raw(T, 6, 8, '0100000000000001')).message).toMatch(/Boolean/);
  });
  it('non-zero padding after an Integer, and tolerance when asked', () => {
    const bytes = naive.raw(T, 2, 4, '0000000800000001');
    expect(decodeError(bytes).offset).toBe(12);
    expect(decodeTtlv(hex(bytes), { strictPadding: false }).value).toBe(8);
  });
  it('non-zero padding after a Byte String', () => {
    expect(decodeError(naive.raw(T, 8, 3, '0102030000000100')).offset).toBe(11);
  });
  it('Structure length not a multiple of 8, or overrunning', () => {
    expect(decodeError(naive.raw(T, 1, 12, naive.integer(T, 1))).message).toMatch(/multiple of 8/);
    expect(decodeError(naive.raw(T, 1, 24, naive.integer(T, 1))).message).toMatch(/short read/);
  });
  it('an item overrunning its structure', () => {
    // The structure claims 16 bytes; its item is a 16-byte Text String header+value of 24 bytes.
    const inner = naive.textString(T, 'abcdefghi');
    const e = decodeError(naive.raw(T, 1, 16, inner));
    expect(e.offset).toBe(12);
  });
  it('bytes after the message', () => {
    expect(decodeError(naive.integer(T, 1) + '00'.repeat(8)).offset).toBe(16);
  });
  it('Big Integer length zero or not a multiple of 8', () => {
    expect(decodeError(naive.raw(T, 4, 0, '')).message).toMatch(/Big Integer length 0/);
    expect(decodeError(naive.raw(T, 4, 4, '0000000100000000')).message).toMatch(/Big Integer length 4/);
  });
  it('Text String not valid UTF-8 (overlong, surrogate, truncated)', () => {
    expect(decodeError(naive.raw(T, 7, 2, 'c0af000000000000')).message).toMatch(/UTF-8/);
    expect(decodeError(naive.raw(T, 7, 3, 'eda080' + '0000000000')).message).toMatch(/UTF-8/);
    expect(decodeError(naive.raw(T, 7, 2, '41e2000000000000')).message).toMatch(/UTF-8/);
  });
  it('Text String with a NUL terminator (KMIP 1.4 section 9.1.1.4)', () => {
    expect(decodeError(naive.raw(T, 7, 3, '6162000000000000')).offset).toBe(10);
  });
  it('nesting too deep', () => {
    let s = naive.integer(T, 1);
    for (let i = 0; i < 4; i++) s = naive.structure(T, s);
    expect(decodeTtlv(hex(s), { maxDepth: 5 }).type).toBe(ItemType.Structure);
    expect(decodeError(s, { maxDepth: 4 }).message).toMatch(/nesting deeper than 4/);
  });
  it('deep nesting under the default limit never overflows the stack', () => {
    let s = '';
    for (let i = 0; i < 10_000; i++) s = naive.structure(T, s);
    expect(decodeError(s).message).toMatch(/nesting deeper than 32/);
  });
  it('too many items', () => {
    const s = naive.structure(T, ...Array.from({ length: 10 }, () => naive.boolean(T, true)));
    expect(decodeTtlv(hex(s), { maxItems: 11 }).type).toBe(ItemType.Structure);
    expect(decodeError(s, { maxItems: 10 }).message).toMatch(/more than 10 items/);
  });
  it('too many items of the smallest size (8 bytes each), at the exact item', () => {
    // A Structure of 9 empty Structures: 10 items in 80 bytes, the k-th child at offset 8k.
    const s = naive.structure(T, ...Array.from({ length: 9 }, () => naive.structure(T)));
    expect(hex(s).length).toBe(80);
    expect(decodeTtlv(hex(s), { maxItems: 10 }).value).toHaveLength(9);
    const e = decodeError(s, { maxItems: 9 });
    expect(e.message).toMatch(/more than 9 items/);
    expect(e.offset).toBe(72);
  });
  it('oversized message', () => {
    const s = naive.byteString(T, '00'.repeat(100));
    expect(decodeError(s, { maxMessageBytes: 64 }).message).toMatch(/exceeds the limit of 64/);
  });
  it('each call starts from its own options, after a call that failed part-way too', () => {
    // The decoder keeps the decode in progress in one module object: nothing of one call may
    // reach the next one (item count, limits, padding rule, position).
    const ten = naive.structure(T, ...Array.from({ length: 9 }, (_, i) => naive.integer(T, i)));
    expect(decodeError(ten, { maxItems: 9 }).offset).toBe(8 + 8 * 16);
    expect(decodeTtlv(hex(ten), { maxItems: 10 }).value).toHaveLength(9);
    expect(decodeTtlv(hex(ten), { maxItems: 10 }).value).toHaveLength(9);
    let deep = naive.integer(T, 1);
    for (let i = 0; i < 4; i++) deep = naive.structure(T, deep);
    expect(decodeError(deep, { maxDepth: 4 }).message).toMatch(/nesting deeper than 4/);
    expect(decodeTtlv(hex(deep)).type).toBe(ItemType.Structure);
    const loose = naive.raw(T, 2, 4, '0000000800000001');
    expect(decodeTtlv(hex(loose), { strictPadding: false }).value).toBe(8);
    expect(decodeError(loose).offset).toBe(12);
    expect(decodeError(naive.structure(T, naive.integer(T, 1)) + '00'.repeat(8)).offset).toBe(24);
    expect(decodeTtlv(hex(naive.structure(T, naive.integer(T, 2))))).toEqual({
      tag: T,
      type: ItemType.Structure,
      value: [{ tag: T, type: ItemType.Integer, value: 2 }],
    });
  });
});

describe('encodeTtlv refuses what TTLV cannot carry', () => {
  it('a tag without the 0x42 or 0x54 prefix', () => {
    expect(encodeError({ tag: 0x20, type: ItemType.Integer, value: 1 }).message).toMatch(/prefix/);
  });
  it('out-of-range numbers', () => {
    expect(encodeError({ tag: T, type: ItemType.Integer, value: 2 ** 31 }).message).toMatch(/32-bit/);
    expect(encodeError({ tag: T, type: ItemType.Integer, value: 1.5 }).message).toMatch(/32-bit/);
    expect(encodeError({ tag: T, type: ItemType.Enumeration, value: -1 }).message).toMatch(/unsigned/);
    expect(encodeError({ tag: T, type: ItemType.LongInteger, value: 1n << 63n }).message).toMatch(/64-bit/);
  });
  it('text with a lone surrogate or a NUL terminator', () => {
    expect(encodeError({ tag: T, type: ItemType.TextString, value: 'a\uD800b' }).message).toMatch(/surrogate/);
    expect(encodeError({ tag: T, type: ItemType.TextString, value: 'ab\0' }).message).toMatch(/NUL/);
  });
  it('reports the output offset of the bad item and stays usable after an error', () => {
    const bad: TtlvItem = {
      tag: T,
      type: ItemType.Structure,
      value: [
        { tag: T, type: ItemType.Integer, value: 1 },
        { tag: T, type: ItemType.Interval, value: -5 },
      ],
    };
    expect(encodeError(bad).offset).toBe(24);
    expect(encodeTtlv({ tag: T, type: ItemType.Integer, value: 8 }).toString('hex')).toBe(naive.integer(T, 8));
  });
  it('grows past its scratch buffer', () => {
    const value = new Uint8Array(100_000).fill(7);
    const item: TtlvItem = { tag: T, type: ItemType.Structure, value: [{ tag: T, type: ItemType.ByteString, value }] };
    expect(decodeTtlv(encodeTtlv(item))).toEqual(item);
  });
});
