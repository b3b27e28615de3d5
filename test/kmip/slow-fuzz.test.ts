import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { decodeTtlv, encodeTtlv, TtlvError, TtlvFrameReader, type TtlvItem } from '../../main/kmip/index.js';
import { loadCorpus } from '../bench/support/kmip-corpus.js';
import { prng } from './ttlv/support/prng.js';

// Fuzzing the TTLV decoder and frame reader with random and mutated messages. Deterministic: a
// seeded PRNG (FUZZ_SEED), a fixed count (FUZZ_CASES) and a time budget as a backstop. The
// property: every input either decodes to an item that re-encodes to bytes decoding to the same
// item, or throws a TtlvError with an offset inside the input. Nothing else, never a hang.

const seed = Number(process.env['FUZZ_SEED'] ?? 0x6b6d6970);
const cases = Number(process.env['FUZZ_CASES'] ?? 50_000);
const budgetMs = Number(process.env['FUZZ_BUDGET_MS'] ?? 20_000);

const seeds: Buffer[] = loadCorpus().map((m) => encodeTtlv(m.item));

function mutate(rand: () => number, input: Buffer): Buffer {
  const int = (n: number): number => Math.floor(rand() * n);
  let b = Buffer.from(input);
  const rounds = 1 + int(4);
  for (let r = 0; r < rounds; r++) {
    // Positions on an 8-byte boundary are item headers more often than not.
    const at = rand() < 0.5 ? int(b.length) : int(Math.max(1, b.length >>> 3)) * 8;
    switch (int(9)) {
      case 0:
        if (at < b.length) b[at] = b[at]! ^ (1 << int(8));
        break;
      case 1:
        if (at < b.length) b[at] = int(256);
        break;
      case 2: {
        // A length field set to a boundary value.
        const values = [0, 1, 4, 7, 8, 9, 16, 0x7fffffff, 0xffffffff, 0xfffffff8, b.length, b.length - 8];
        if (at + 8 <= b.length) b.writeUInt32BE(values[int(values.length)]! >>> 0, at + 4);
        break;
      }
      case 3:
        // An item type byte.
        if (at + 4 <= b.length) b[at + 3] = int(14);
        break;
      case 4:
        b = b.subarray(0, int(b.length + 1));
        break;
      case 5: {
        const n = 1 + int(16);
        b = Buffer.concat([b.subarray(0, at), Buffer.from(Array.from({ length: n }, () => int(256))), b.subarray(at)]);
        break;
      }
      case 6:
        b = Buffer.concat([b.subarray(0, at), b.subarray(at + 1 + int(16))]);
        break;
      case 7: {
        // Splice a piece of another message in.
        const other = seeds[int(seeds.length)]!;
        const from = int(other.length >>> 3) * 8;
        b = Buffer.concat([b.subarray(0, at), other.subarray(from, from + 8 * (1 + int(8))), b.subarray(at)]);
        break;
      }
      default:
        // A Boolean-like value: eight bytes ending in a small number.
        if (at + 16 <= b.length) b.writeBigUInt64BE(BigInt(int(4)), at + 8);
    }
  }
  return b;
}

function randomMessage(rand: () => number): Buffer {
  const n = Math.floor(rand() * 96);
  const b = Buffer.from(Array.from({ length: n }, () => Math.floor(rand() * 256)));
  if (n > 0 && rand() < 0.7) b[0] = rand() < 0.5 ? 0x42 : 0x54;
  if (n > 3 && rand() < 0.7) b[3] = Math.floor(rand() * 12);
  return b;
}

type Outcome = 'decoded' | 'rejected';

function check(input: Buffer): Outcome {
  let item: TtlvItem;
  try {
    item = decodeTtlv(input);
  } catch (e) {
    if (!(e instanceof TtlvError)) throw new Error(`not a TtlvError for ${input.toString('hex')}`, { cause: e });
    if (!(e.offset >= 0 && e.offset <= input.length)) throw new Error(`offset ${e.offset} outside the input`);
    return 'rejected';
  }
  const again = encodeTtlv(item);
  const back = decodeTtlv(again);
  if (!isDeepStrictEqual(back, item)) throw new Error(`re-encoding changed ${input.toString('hex')}`);
  if (!encodeTtlv(back).equals(again)) throw new Error(`encoding is not canonical for ${input.toString('hex')}`);
  return 'decoded';
}

describe('TTLV fuzz (bounded, seeded)', () => {
  it('has a corpus to mutate', () => {
    expect(seeds.length).toBeGreaterThan(1000);
  });

  it(`decodes or rejects with a TtlvError, ${cases} cases from seed ${seed}`, () => {
    const rand = prng(seed);
    const started = Date.now();
    const tally = { decoded: 0, rejected: 0 };
    let run = 0;
    for (; run < cases && Date.now() - started < budgetMs; run++) {
      const input = rand() < 0.1 ? randomMessage(rand) : mutate(rand, seeds[Math.floor(rand() * seeds.length)]!);
      tally[check(input)]++;
    }
    console.log(`fuzz: ${run} cases, ${tally.decoded} decoded, ${tally.rejected} rejected (seed ${seed})`);
    // Both outcomes must occur, or the mutations are not reaching the interesting paths.
    expect(tally.decoded).toBeGreaterThan(run / 100);
    expect(tally.rejected).toBeGreaterThan(run / 2);
  });

  it('every corpus message survives decode and re-encode byte for byte', () => {
    for (const bytes of seeds) expect(encodeTtlv(decodeTtlv(bytes)).equals(bytes)).toBe(true);
  });

  it('the frame reader yields frames or a TtlvError on mutated streams in random chunks', () => {
    const rand = prng(seed ^ 0x5a5a5a5a);
    let frames = 0;
    let errors = 0;
    for (let run = 0; run < 500; run++) {
      const parts = Array.from({ length: 1 + Math.floor(rand() * 4) }, () => seeds[Math.floor(rand() * seeds.length)]!);
      let stream: Buffer = Buffer.concat(parts);
      if (rand() < 0.7) stream = mutate(rand, stream);
      const reader = new TtlvFrameReader({ maxMessageBytes: 64 * 1024 });
      try {
        for (let at = 0; at < stream.length;) {
          const n = 1 + Math.floor(rand() * 300);
          for (const frame of reader.push(stream.subarray(at, at + n))) {
            frames++;
            check(frame);
          }
          at += n;
        }
      } catch (e) {
        if (!(e instanceof TtlvError)) throw e;
        errors++;
      }
    }
    expect(frames).toBeGreaterThan(0);
    expect(errors).toBeGreaterThan(0);
  });
});
