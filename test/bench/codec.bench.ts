import {
  decodeTtlv,
  encodeTtlv,
  parseRequestMessage,
  parseResponseMessage,
  Tag,
  type TtlvItem,
} from '../../main/kmip/index.js';
import { loadCorpus } from './support/kmip-corpus.js';

/**
 * TTLV codec over every message of the OASIS test-case corpus (1.4 and 2.1): decode and encode,
 * against two references in the same run: JSON.parse / JSON.stringify of the same messages in
 * the KMIP JSON encoding, and a bare walk over the TTLV headers (no values decoded: the ceiling
 * for any decoder). Aim (issue 2): decode >= 5x JSON.parse, within 3x of the walk; encode >= 2x
 * JSON.stringify. BENCH_SECONDS sets the time per measurement (default 1).
 */
const seconds = Number(process.env['BENCH_SECONDS'] ?? 1);

interface Figure {
  name: string;
  messagesPerSecond: number;
  megabytesPerSecond: number;
}

interface Subject {
  name: string;
  bytes: number;
  /** One pass over the corpus; returns something derived from the results so none is skipped. */
  pass: () => number;
}

/**
 * Runs the subjects in interleaved rounds (the machine is shared: load changes hit all of them
 * alike) for `seconds` each in total, and keeps each one's best round.
 */
function measure(messages: number, subjects: Subject[]): Figure[] {
  const rounds = 5;
  const best = subjects.map(() => 0);
  let sink = 0;
  for (const s of subjects) for (let i = 0; i < 3; i++) sink += s.pass();
  for (let round = 0; round < rounds; round++) {
    subjects.forEach((s, k) => {
      let passes = 0;
      const started = performance.now();
      let elapsed = 0;
      while (elapsed < (seconds * 1000) / rounds) {
        sink += s.pass();
        passes++;
        elapsed = performance.now() - started;
      }
      best[k] = Math.max(best[k]!, passes / (elapsed / 1000));
    });
  }
  if (sink === 0.5) console.log('');
  return subjects.map((s, k) => ({
    name: s.name,
    messagesPerSecond: best[k]! * messages,
    megabytesPerSecond: (best[k]! * s.bytes) / 1e6,
  }));
}

/** Visits every item header and skips every value: what any decoder must at least do. */
export function walkTtlvHeaders(b: Buffer): number {
  let items = 0;
  let o = 0;
  const end = b.length;
  while (o + 8 <= end) {
    const type = b[o + 3]!;
    const length = b.readUInt32BE(o + 4);
    items++;
    o += type === 0x01 ? 8 : 8 + ((length + 7) & ~7);
  }
  if (o !== end) throw new Error('walk overran');
  return items;
}

export async function bench(): Promise<void> {
  const corpus = loadCorpus();
  const items: TtlvItem[] = corpus.map((m) => m.item);
  const ttlv = items.map((item) => encodeTtlv(item));
  const json = corpus.map((m) => m.json);
  const objects: unknown[] = json.map((text) => JSON.parse(text) as unknown);
  const n = corpus.length;
  const ttlvBytes = ttlv.reduce((s, b) => s + b.length, 0);
  const jsonBytes = json.reduce((s, t) => s + Buffer.byteLength(t), 0);
  console.log(
    `corpus: ${n} messages from ../shared/kmip/testcases, ${(ttlvBytes / 1e3).toFixed(0)} kB TTLV, ` +
      `${(jsonBytes / 1e3).toFixed(0)} kB KMIP JSON`,
  );

  const [walk, decode, typed, parse, encode, stringify] = measure(n, [
    {
      name: 'walk TTLV headers',
      bytes: ttlvBytes,
      pass: () => {
        let s = 0;
        for (let i = 0; i < n; i++) s += walkTtlvHeaders(ttlv[i]!);
        return s;
      },
    },
    {
      name: 'decodeTtlv',
      bytes: ttlvBytes,
      pass: () => {
        let s = 0;
        for (let i = 0; i < n; i++) s += decodeTtlv(ttlv[i]!).tag;
        return s;
      },
    },
    {
      name: 'decodeTtlv + message model',
      bytes: ttlvBytes,
      pass: () => {
        let s = 0;
        for (let i = 0; i < n; i++) {
          const item = decodeTtlv(ttlv[i]!);
          const message = item.tag === Tag.RequestMessage ? parseRequestMessage(item) : parseResponseMessage(item);
          s += message.batchItems.length;
        }
        return s;
      },
    },
    {
      name: 'JSON.parse (KMIP JSON)',
      bytes: jsonBytes,
      pass: () => {
        let s = 0;
        for (let i = 0; i < n; i++) s += (JSON.parse(json[i]!) as { tag: string }).tag.length;
        return s;
      },
    },
    {
      name: 'encodeTtlv',
      bytes: ttlvBytes,
      pass: () => {
        let s = 0;
        for (let i = 0; i < n; i++) s += encodeTtlv(items[i]!).length;
        return s;
      },
    },
    {
      name: 'JSON.stringify (KMIP JSON)',
      bytes: jsonBytes,
      pass: () => {
        let s = 0;
        for (let i = 0; i < n; i++) s += JSON.stringify(objects[i]).length;
        return s;
      },
    },
  ]) as [Figure, Figure, Figure, Figure, Figure, Figure];

  for (const f of [walk, decode, typed, parse, encode, stringify]) {
    console.log(
      `${f.name.padEnd(28)} ${Math.round(f.messagesPerSecond).toLocaleString('en-US').padStart(12)} msg/s ` +
        `${f.megabytesPerSecond.toFixed(1).padStart(8)} MB/s`,
    );
  }
  const ratio = (a: Figure, b: Figure): string => (a.messagesPerSecond / b.messagesPerSecond).toFixed(2);
  console.log(`decode / JSON.parse      = ${ratio(decode, parse)}x   (aim >= 5)`);
  console.log(`walk / decode            = ${ratio(walk, decode)}x   (aim <= 3)`);
  console.log(`decode+model / JSON.parse = ${ratio(typed, parse)}x`);
  console.log(`encode / JSON.stringify  = ${ratio(encode, stringify)}x   (aim >= 2)`);
}
