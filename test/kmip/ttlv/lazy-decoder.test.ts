import { describe, expect, it } from 'vitest';
import {
  decodeTtlv,
  decodeTtlvLazy,
  encodeTtlv,
  ItemType,
  LazyStructure,
  TtlvError,
  validateTtlv,
  type TtlvDecodeOptions,
  type TtlvItem,
} from '../../../main/kmip/index.js';
import {
  buildRequestMessage,
  buildResponseMessage,
  parseRequestMessage,
  parseResponseMessage,
} from '../../../main/kmip/messages/index.js';
import { writeKmipJson } from '../../../main/kmip/json/index.js';
import { writeKmipXml } from '../../../main/kmip/xml/index.js';
import { parseRequest } from '../../../main/server/protocol.js';
import { loadCorpus } from '../../bench/support/kmip-corpus.js';
import { hex, naive } from './support/naive-ttlv.js';
import { prng } from './support/prng.js';

const T = 0x420020;
const corpus: Buffer[] = loadCorpus().map((m) => encodeTtlv(m.item));

/** The tree as plain objects, read through the public model only (every Structure's `value`). */
function plain(item: TtlvItem): TtlvItem {
  if (item.type === ItemType.Structure) return { tag: item.tag, type: item.type, value: item.value.map(plain) };
  return { tag: item.tag, type: item.type, value: item.value } as TtlvItem;
}

type Outcome =
  { item: TtlvItem } | { error: { name: string; message: string; offset: number; tag: number | undefined } };

/** What a decoder makes of `bytes`: the whole tree read, or the error it threw (nothing else may be thrown). */
function outcome(decode: () => TtlvItem): Outcome {
  let item: TtlvItem;
  try {
    item = decode();
  } catch (e) {
    if (!(e instanceof TtlvError)) throw e;
    return { error: { name: e.name, message: e.message, offset: e.offset, tag: e.tag } };
  }
  return { item: plain(item) };
}

function sameOutcome(bytes: Uint8Array, options?: TtlvDecodeOptions): Outcome {
  const eager = outcome(() => decodeTtlv(bytes, options));
  expect(outcome(() => decodeTtlvLazy(bytes, options))).toStrictEqual(eager);
  expect(outcome(() => decodeTtlvLazy(bytes, { ...options, adopt: true }))).toStrictEqual(eager);
  if ('error' in eager) {
    expect(() => validateTtlv(bytes, options)).toThrow(eager.error.message);
  } else {
    expect(validateTtlv(bytes, options)).toBeGreaterThan(0);
  }
  return eager;
}

/** Offsets and headers of every item of a valid message, in order. */
function headers(b: Buffer): { at: number; type: number; length: number }[] {
  const out: { at: number; type: number; length: number }[] = [];
  let o = 0;
  while (o + 8 <= b.length) {
    const type = b[o + 3]!;
    const length = b.readUInt32BE(o + 4);
    out.push({ at: o, type, length });
    o += type === ItemType.Structure ? 8 : 8 + ((length + 7) & ~7);
  }
  return out;
}

describe('decodeTtlvLazy reads every corpus message as decodeTtlv does', () => {
  it(`every message of ../shared/kmip/testcases (1.4 and 2.1)`, () => {
    expect(corpus.length).toBeGreaterThan(1000);
    let items = 0;
    for (const bytes of corpus) {
      const eager = decodeTtlv(bytes);
      const lazy = decodeTtlvLazy(bytes);
      expect(lazy).toBeInstanceOf(LazyStructure);
      expect(plain(lazy)).toStrictEqual(eager);
      expect(plain(decodeTtlvLazy(bytes, { adopt: true }))).toStrictEqual(eager);
      expect(encodeTtlv(lazy).equals(bytes)).toBe(true);
      items += validateTtlv(bytes);
    }
    console.log(`lazy = eager on ${corpus.length} corpus messages, ${items} items`);
  });

  it('the XML and JSON writers, the message model and the server parser give the same from both', () => {
    let requests = 0;
    for (const bytes of corpus) {
      const eager = decodeTtlv(bytes);
      expect(writeKmipXml(decodeTtlvLazy(bytes))).toBe(writeKmipXml(eager));
      expect(writeKmipJson(decodeTtlvLazy(bytes))).toBe(writeKmipJson(eager));
      if (eager.tag === 0x420078) {
        requests++;
        const model = buildRequestMessage(parseRequestMessage(decodeTtlvLazy(bytes)));
        expect(encodeTtlv(model).equals(encodeTtlv(buildRequestMessage(parseRequestMessage(eager))))).toBe(true);
        const lazyParsed = parseRequest(decodeTtlvLazy(bytes, { adopt: true }));
        const eagerParsed = parseRequest(eager);
        expect({ ...lazyParsed, items: [] }).toStrictEqual({ ...eagerParsed, items: [] });
        expect(lazyParsed.items.map((i) => [i.operation, i.uniqueBatchItemId, plain(i.payload)])).toStrictEqual(
          eagerParsed.items.map((i) => [i.operation, i.uniqueBatchItemId, i.payload]),
        );
      } else {
        const model = buildResponseMessage(parseResponseMessage(decodeTtlvLazy(bytes)));
        expect(encodeTtlv(model).equals(encodeTtlv(buildResponseMessage(parseResponseMessage(eager))))).toBe(true);
      }
    }
    expect(requests).toBeGreaterThan(500);
  });

  it('reads nothing until asked, one level at a time, and the same array on every read', () => {
    const lazy = decodeTtlvLazy(corpus[0]!) as LazyStructure;
    expect(lazy.materialised).toBe(false);
    const children = lazy.value;
    expect(lazy.materialised).toBe(true);
    expect(lazy.value).toBe(children);
    const header = children.find((c) => c.type === ItemType.Structure) as LazyStructure;
    expect(header).toBeInstanceOf(LazyStructure);
    expect(header.materialised).toBe(false);
  });

  it('keeps its own copy: wiping the input after decoding changes nothing (unless adopted)', () => {
    const bytes = Buffer.from(corpus[1]!);
    const expected = decodeTtlv(bytes);
    const lazy = decodeTtlvLazy(bytes);
    const adopted = decodeTtlvLazy(Buffer.from(bytes), { adopt: true });
    bytes.fill(0);
    expect(plain(lazy)).toStrictEqual(expected);
    expect(plain(adopted)).toStrictEqual(expected);
  });

  it('Byte Strings are copies, and a Structure value can be replaced or changed like the eager one', () => {
    const bytes = hex(naive.structure(T, naive.byteString(T, '010203'), naive.integer(T, 5)));
    const lazy = decodeTtlvLazy(bytes, { adopt: true });
    if (lazy.type !== ItemType.Structure) throw new Error('not a Structure');
    const b = lazy.value[0]!;
    if (b.type !== ItemType.ByteString) throw new Error('not a Byte String');
    b.value[0] = 9;
    expect(bytes[16]).toBe(1);
    lazy.value.push({ tag: T, type: ItemType.Boolean, value: true });
    expect(lazy.value).toHaveLength(3);
    lazy.value = [];
    expect(encodeTtlv(lazy).toString('hex')).toBe('4200200100000000');
  });

  it('a message that is not a Structure decodes to the plain item', () => {
    const bytes = hex(naive.textString(T, 'abc'));
    expect(decodeTtlvLazy(bytes)).toStrictEqual({ tag: T, type: ItemType.TextString, value: 'abc' });
  });

  it('Structures of 0 to 9 items, nested below the lazy levels too, read as decodeTtlv reads them', () => {
    // Items of every padded size (Integer, Long Integer, Big Integer, texts of 1 to 9 bytes).
    const kinds = [
      (k: number) => naive.integer(T, k),
      (k: number) => naive.longInteger(T, BigInt(k)),
      (k: number) => naive.bigInteger(T, '00'.repeat(8 * k) + '0000000000000001'),
      (k: number) => naive.textString(T, 'abcdefghi'.slice(0, k + 1)),
    ];
    for (let count = 0; count <= 9; count++) {
      let s = naive.structure(T, ...Array.from({ length: count }, (_, k) => kinds[k % kinds.length]!(k)));
      for (let level = 0; level < 5; level++) {
        s = naive.structure(T, s, naive.boolean(T, level % 2 === 0));
        expect(sameOutcome(hex(s))).toHaveProperty('item');
      }
    }
  });

  it('a Password is read like any text (it bypasses the text cache)', () => {
    const bytes = hex(naive.structure(T, naive.textString(0x4200a1, 'secret'), naive.textString(T, 'secret')));
    expect(plain(decodeTtlvLazy(bytes))).toStrictEqual(decodeTtlv(bytes));
  });
});

describe('decodeTtlvLazy throws what decodeTtlv throws, at decode time', () => {
  const cases: [string, string, TtlvDecodeOptions?][] = [
    ['empty', ''],
    ['short header', '42002002'],
    ['value cut off', naive.integer(T, 8).slice(0, -2)],
    ['Text String padding missing', naive.raw(T, 7, 3, '616263')],
    ['tag prefix', naive.integer(0x430020, 8)],
    ['unknown type', naive.raw(T, 0x0c, 8, '0000000000000000')],
    ['Integer length', naive.raw(T, 2, 8, '0000000000000008')],
    ['Boolean length', naive.raw(T, 6, 4, '0000000100000000')],
    ['Date-Time length', naive.raw(T, 9, 4, '0000000100000000')],
    ['Boolean 2', naive.raw(T, 6, 8, '0000000000000002')],
    ['Boolean high byte', naive.raw(T, 6, 8, '0100000000000001')],
    ['Integer padding', naive.raw(T, 2, 4, '0000000800000001')],
    ['Integer padding tolerated', naive.raw(T, 2, 4, '0000000800000001'), { strictPadding: false }],
    ['Byte String padding', naive.raw(T, 8, 3, '0102030000000100')],
    ['Byte String padding tolerated', naive.raw(T, 8, 3, '0102030000000100'), { strictPadding: false }],
    ['Text String padding', naive.raw(T, 7, 3, '6162630000000100')],
    ['Structure length', naive.raw(T, 1, 12, naive.integer(T, 1))],
    ['Structure overrun', naive.raw(T, 1, 24, naive.integer(T, 1))],
    ['item overrunning its Structure', naive.raw(T, 1, 16, naive.textString(T, 'abcdefghi'))],
    ['trailing bytes', naive.integer(T, 1) + '00'.repeat(8)],
    ['Big Integer length 0', naive.raw(T, 4, 0, '')],
    ['Big Integer length 4', naive.raw(T, 4, 4, '0000000100000000')],
    ['UTF-8 overlong', naive.raw(T, 7, 2, 'c0af000000000000')],
    ['UTF-8 surrogate', naive.raw(T, 7, 3, 'eda080' + '0000000000')],
    ['UTF-8 truncated', naive.raw(T, 7, 2, '41e2000000000000')],
    ['UTF-8 above U+10FFFF', naive.raw(T, 7, 4, 'f4908080' + '00000000')],
    ['UTF-8 valid 4 bytes', naive.raw(T, 7, 4, 'f09f9491' + '00000000')],
    ['UTF-8 valid after ASCII', naive.textString(T, 'abcdé€')],
    ['NUL terminator', naive.raw(T, 7, 3, '6162000000000000')],
    [
      'deep nesting, limit 4',
      naive.structure(T, naive.structure(T, naive.structure(T, naive.structure(T, naive.integer(T, 1))))),
      { maxDepth: 4 },
    ],
    [
      'deep nesting, limit 5',
      naive.structure(T, naive.structure(T, naive.structure(T, naive.structure(T, naive.integer(T, 1))))),
      { maxDepth: 5 },
    ],
    [
      'too many items',
      naive.structure(T, ...Array.from({ length: 10 }, () => naive.boolean(T, true))),
      { maxItems: 10 },
    ],
    ['oversized', naive.byteString(T, '00'.repeat(100)), { maxMessageBytes: 64 }],
    [
      'empty Structures at the end of Structures',
      naive.structure(T, naive.integer(T, 1), naive.structure(T, naive.structure(T))),
    ],
  ];
  for (const [name, bytes, options] of cases) {
    it(name, () => {
      sameOutcome(hex(bytes), options);
    });
  }

  it('deep nesting under the default limit never overflows the stack', () => {
    let s = '';
    for (let i = 0; i < 10_000; i++) s = naive.structure(T, s);
    const r = sameOutcome(hex(s));
    expect('error' in r && r.error.message).toMatch(/nesting deeper than 32/);
  });

  it('deep nesting within a raised limit is read in full', () => {
    let s = naive.integer(T, 7);
    for (let i = 0; i < 200; i++) s = naive.structure(T, s);
    const r = sameOutcome(hex(s), { maxDepth: 500 });
    expect('item' in r).toBe(true);
  });
});

describe('corrupted corpus messages: the same error as decodeTtlv, or the same tree', () => {
  it('truncated, bad length, bad padding, bad type: every message, a different item of each', () => {
    let errors = 0;
    let trees = 0;
    const count = (r: Outcome): void => void ('error' in r ? errors++ : trees++);
    corpus.forEach((bytes, k) => {
      const all = headers(bytes);
      // One item per message, a different one in turn (k-th item), plus two truncations.
      const pick = [all[(k * 7) % all.length]!];
      count(sameOutcome(bytes.subarray(0, bytes.length - 1)));
      count(sameOutcome(bytes.subarray(0, (bytes.length >>> 1) & ~3)));
      for (const h of pick) {
        const badType = Buffer.from(bytes);
        badType[h.at + 3] = 0x0c;
        count(sameOutcome(badType));
        const longer = Buffer.from(bytes);
        longer.writeUInt32BE(h.length + 1, h.at + 4);
        count(sameOutcome(longer));
        const shorter = Buffer.from(bytes);
        shorter.writeUInt32BE(Math.max(0, h.length - 8), h.at + 4);
        count(sameOutcome(shorter));
        const padded = (h.length + 7) & ~7;
        if (h.type !== ItemType.Structure && h.type !== ItemType.BigInteger) {
          const pad = Buffer.from(bytes);
          const at = h.at + 8 + (h.type === ItemType.TextString || h.type === ItemType.ByteString ? padded - 1 : 7);
          pad[at] = 0x20;
          count(sameOutcome(pad));
          count(sameOutcome(pad, { strictPadding: false }));
        }
      }
    });
    console.log(`corrupted corpus: ${errors} errors and ${trees} trees, each the same from both decoders`);
    expect(errors).toBeGreaterThan(corpus.length * 4);
  });

  it('random mutations (seeded, bounded): the same outcome from both decoders', () => {
    const rand = prng(0x1a2b3c4d);
    const int = (n: number): number => Math.floor(rand() * n);
    let errors = 0;
    for (let k = 0; k < 4000; k++) {
      const b = Buffer.from(corpus[int(corpus.length)]!);
      for (let r = 1 + int(3); r > 0; r--) {
        const at = rand() < 0.5 ? int(b.length) : int(b.length >>> 3) * 8 + int(8);
        if (at < b.length) b[at] = rand() < 0.5 ? b[at]! ^ (1 << int(8)) : int(256);
      }
      if ('error' in sameOutcome(b)) errors++;
    }
    expect(errors).toBeGreaterThan(1000);
  });

  it('random bytes as Text Strings: valid UTF-8 exactly when the fatal TextDecoder says so', () => {
    const rand = prng(7);
    const int = (n: number): number => Math.floor(rand() * n);
    const bytes = [0x41, 0x7f, 0x80, 0xbf, 0xc2, 0xc0, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff, 0xa0, 0x9f];
    let valid = 0;
    for (let k = 0; k < 3000; k++) {
      const n = 1 + int(6);
      const value = Buffer.from(Array.from({ length: n }, () => bytes[int(bytes.length)]!));
      if (value[n - 1] === 0) continue;
      const r = sameOutcome(hex(naive.raw(T, 7, n, value.toString('hex') + '00'.repeat(((n + 7) & ~7) - n))));
      if ('item' in r) valid++;
    }
    expect(valid).toBeGreaterThan(50);
  });
});
