import {
  decodeTtlv,
  decodeTtlvLazy,
  encodeTtlv,
  parseRequestMessage,
  parseResponseMessage,
  Tag,
  type TtlvItem,
} from '../../main/kmip/index.js';
import { findAll, findEnum } from '../../main/ops/ttlv.js';
import { parseRequest } from '../../main/server/protocol.js';
import { loadCorpus } from './support/kmip-corpus.js';

/**
 * TTLV codec over every message of the OASIS test-case corpus (1.4 and 2.1): decode and encode,
 * against two references in the same run: JSON.parse / JSON.stringify of the same messages in
 * the KMIP JSON encoding, and a bare walk over the TTLV headers (no values decoded: the ceiling
 * for any decoder). Aim (issue 2): decode >= 5x JSON.parse, within 3x of the walk; encode >= 2x
 * JSON.stringify. The lazy decoder is measured twice: (a) decodeTtlvLazy alone (the full
 * validating pass, with the message adopted as its index as the server does, and (a') with the
 * copy made by default; every check is made there) and (b) the same
 * then every Structure read, so every value is decoded (what a caller that reads everything pays).
 * The server's request path (parseRequest of main/server/protocol.ts over the Request Messages,
 * then with every payload read as the operations do) and the server panel's per-response log
 * (main/api/server-log.ts over the Response Messages) are measured with both decoders. BENCH_SECONDS sets the time per subject (default 1), split in 7 rounds.
 */
const seconds = Number(process.env['BENCH_SECONDS'] ?? 1);

interface Figure {
  name: string;
  messagesPerSecond: number;
  megabytesPerSecond: number;
}

/** The figures of the seventeen subjects, in order. */
type Seventeen<T> = [T, T, T, T, T, T, T, T, T, T, T, T, T, T, T, T, T];

interface Subject {
  name: string;
  bytes: number;
  /** One pass over the corpus; returns something derived from the results so none is skipped. */
  pass: () => number;
}

/**
 * Runs the subjects in interleaved rounds (the machine is shared: load changes hit all of them
 * alike; the order rotates each round), after the same warm-up for each, and keeps each one's median round. Every subject goes
 * over the same messages in the same loop; each round lasts `seconds / rounds`.
 */
function measure(messages: number, subjects: Subject[]): Figure[] {
  const rounds = 7;
  const perRound: number[][] = subjects.map(() => []);
  let sink = 0;
  for (const s of subjects) {
    const started = performance.now();
    while (performance.now() - started < Math.min(200, (seconds * 1000) / rounds)) sink += s.pass();
  }
  for (let round = 0; round < rounds; round++) {
    // Each round starts with a different subject, so none always runs first or after the same one.
    for (let j = 0; j < subjects.length; j++) {
      const k = (round + j) % subjects.length;
      const s = subjects[k]!;
      let passes = 0;
      const started = performance.now();
      let elapsed = 0;
      while (elapsed < (seconds * 1000) / rounds) {
        sink += s.pass();
        passes++;
        elapsed = performance.now() - started;
      }
      perRound[k]!.push(passes / (elapsed / 1000));
    }
  }
  if (sink === 0.5) console.log('');
  return subjects.map((s, k) => {
    const median = perRound[k]!.sort((x, y) => x - y)[rounds >> 1]!;
    return {
      name: s.name,
      messagesPerSecond: median * messages,
      megabytesPerSecond: (median * s.bytes) / 1e6,
    };
  });
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

/** Reads every Structure's items (so every value is decoded); returns the item count. */
export function touchAll(item: TtlvItem): number {
  if (item.type !== 0x01) return 1;
  let n = 1;
  for (const c of item.value) n += touchAll(c);
  return n;
}

/**
 * What the server panel's request log (main/api/server-log.ts) reads of each response: every
 * Batch Item's Operation and Result Status, never a payload.
 */
function logReads(message: TtlvItem): number {
  if (message.type !== 0x01) return 0;
  let s = 0;
  for (const item of findAll(message, Tag.BatchItem)) {
    if (item.type !== 0x01) continue;
    s += (findEnum(item, Tag.Operation) ?? 0) + (findEnum(item, Tag.ResultStatus) ?? 0);
  }
  return s;
}

/**
 * A subject that reads each of `list` with `read` (summing the results, so none is skipped);
 * `bytes` is what the list weighs (its own bytes when it is a list of Buffers or strings).
 * The call through `read` costs every subject alike (measured: within the noise).
 */
function over<T>(name: string, list: readonly T[], read: (m: T) => number, bytes = weigh(list)): Subject {
  return {
    name,
    bytes,
    pass: () => {
      let s = 0;
      for (let i = 0; i < list.length; i++) s += read(list[i]!);
      return s;
    },
  };
}

function weigh(list: readonly unknown[]): number {
  let bytes = 0;
  for (const m of list) bytes += typeof m === 'string' ? Buffer.byteLength(m) : m instanceof Uint8Array ? m.length : 0;
  return bytes;
}

/** The server's request path with every payload read as the operations do. */
function touchPayloads(message: TtlvItem): number {
  let s = 0;
  for (const b of parseRequest(message).items) s += touchAll(b.payload);
  return s;
}

let plainEnd = 0;

/**
 * A plain recursive decoder over Buffer with no checks, no limits and no text cache: the same
 * item model as decodeTtlv, for scale (how much of decodeTtlv's cost is the model itself).
 */
export function plainDecode(b: Buffer, start: number): TtlvItem {
  const tag = (b[start]! << 16) | (b[start + 1]! << 8) | b[start + 2]!;
  const type = b[start + 3]!;
  const length = b.readUInt32BE(start + 4);
  const o = start + 8;
  plainEnd = o + ((length + 7) & ~7);
  switch (type) {
    case 0x01: {
      const value: TtlvItem[] = [];
      const stop = o + length;
      for (let at = o; at < stop; at = plainEnd) value.push(plainDecode(b, at));
      plainEnd = stop;
      return { tag, type: 0x01, value };
    }
    case 0x07:
      return { tag, type: 0x07, value: b.toString('latin1', o, o + length) };
    case 0x08:
      return { tag, type: 0x08, value: b.subarray(o, o + length) };
    case 0x03:
    case 0x09:
    case 0x0b:
      return { tag, type, value: b.readBigInt64BE(o) };
    case 0x04:
      return { tag, type, value: BigInt('0x' + b.toString('hex', o, o + length)) };
    case 0x06:
      return { tag, type, value: b[o + 7] === 1 };
    default:
      return { tag, type: type as 0x02, value: b.readInt32BE(o) };
  }
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

  const requests = ttlv.filter((_, i) => items[i]!.tag === Tag.RequestMessage);
  const responses = ttlv.filter((_, i) => items[i]!.tag !== Tag.RequestMessage);
  const adopt = { adopt: true };
  const [
    walk,
    plain,
    decode,
    typed,
    parse,
    encode,
    stringify,
    lazy,
    lazyCopy,
    lazyTouched,
    eagerTouched,
    serverEager,
    serverLazy,
    serverEagerAll,
    serverLazyAll,
    logEager,
    logLazy,
  ] = measure(n, [
    // The ruler: its own loop, exactly as written.
    {
      name: 'walk TTLV headers',
      bytes: ttlvBytes,
      pass: () => {
        let s = 0;
        for (let i = 0; i < n; i++) s += walkTtlvHeaders(ttlv[i]!);
        return s;
      },
    },
    over('plain decoder (no checks)', ttlv, (m) => plainDecode(m, 0).tag),
    over('decodeTtlv', ttlv, (m) => decodeTtlv(m).tag),
    over('decodeTtlv + message model', ttlv, (m) => {
      const item = decodeTtlv(m);
      const message = item.tag === Tag.RequestMessage ? parseRequestMessage(item) : parseResponseMessage(item);
      return message.batchItems.length;
    }),
    over('JSON.parse (KMIP JSON)', json, (text) => (JSON.parse(text) as { tag: string }).tag.length),
    over('encodeTtlv', items, (item) => encodeTtlv(item).length, ttlvBytes),
    over('JSON.stringify (KMIP JSON)', objects, (o) => JSON.stringify(o).length, jsonBytes),
    over('(a) decodeTtlvLazy adopt', ttlv, (m) => decodeTtlvLazy(m, adopt).tag),
    over("(a') decodeTtlvLazy copy", ttlv, (m) => decodeTtlvLazy(m).tag),
    over('(b) decodeTtlvLazy + all', ttlv, (m) => touchAll(decodeTtlvLazy(m, adopt))),
    over('decodeTtlv + all', ttlv, (m) => touchAll(decodeTtlv(m))),
    over('server parseRequest eager', requests, (m) => parseRequest(decodeTtlv(m)).items.length),
    over('server parseRequest lazy', requests, (m) => parseRequest(decodeTtlvLazy(m, adopt)).items.length),
    over('server + payloads, eager', requests, (m) => touchPayloads(decodeTtlv(m))),
    over('server + payloads, lazy', requests, (m) => touchPayloads(decodeTtlvLazy(m, adopt))),
    over('server log, eager', responses, (m) => logReads(decodeTtlv(m))),
    over('server log, lazy', responses, (m) => logReads(decodeTtlvLazy(m, adopt))),
  ]) as Seventeen<Figure>;
  // The server subjects ran over the Request Messages only: count those.
  for (const f of [serverEager, serverLazy, serverEagerAll, serverLazyAll]) f.messagesPerSecond *= requests.length / n;
  for (const f of [logEager, logLazy]) f.messagesPerSecond *= responses.length / n;

  for (const f of [
    walk,
    plain,
    decode,
    typed,
    lazy,
    lazyCopy,
    lazyTouched,
    eagerTouched,
    parse,
    encode,
    stringify,
    serverEager,
    serverLazy,
    serverEagerAll,
    serverLazyAll,
    logEager,
    logLazy,
  ]) {
    console.log(
      `${f.name.padEnd(28)} ${Math.round(f.messagesPerSecond).toLocaleString('en-US').padStart(12)} msg/s ` +
        `${f.megabytesPerSecond.toFixed(1).padStart(8)} MB/s`,
    );
  }
  const ratio = (a: Figure, b: Figure): number => a.messagesPerSecond / b.messagesPerSecond;
  const aim = (label: string, value: number, text: string, met: boolean): void =>
    console.log(`${label.padEnd(26)}= ${value.toFixed(2)}x   (aim ${text}: ${met ? 'met' : 'NOT met'})`);
  const decodeParse = ratio(decode, parse);
  const walkDecode = ratio(walk, decode);
  const encodeStringify = ratio(encode, stringify);
  aim('decode / JSON.parse', decodeParse, '>= 5', decodeParse >= 5);
  aim('walk / decode', walkDecode, '<= 3', walkDecode <= 3);
  console.log(
    `${'walk / plain decoder'.padEnd(26)}= ${ratio(walk, plain).toFixed(2)}x   (scale: no checks, same model)`,
  );
  console.log(`${'decode+model / JSON.parse'.padEnd(26)}= ${ratio(typed, parse).toFixed(2)}x`);
  aim('encode / JSON.stringify', encodeStringify, '>= 2', encodeStringify >= 2);
  const lazyParse = ratio(lazy, parse);
  const walkLazy = ratio(walk, lazy);
  aim('(a) lazy / JSON.parse', lazyParse, '>= 5', lazyParse >= 5);
  aim('(a) walk / lazy', walkLazy, '<= 3', walkLazy <= 3);
  console.log(`${'(b) lazy+all / JSON.parse'.padEnd(26)}= ${ratio(lazyTouched, parse).toFixed(2)}x`);
  console.log(`${'(b) walk / lazy+all'.padEnd(26)}= ${ratio(walk, lazyTouched).toFixed(2)}x`);
  console.log(`${'(b) lazy+all / eager+all'.padEnd(26)}= ${ratio(lazyTouched, eagerTouched).toFixed(2)}x`);
  console.log(`${"(a') walk / lazy copy".padEnd(26)}= ${ratio(walk, lazyCopy).toFixed(2)}x`);
  console.log(`${'server lazy / eager'.padEnd(26)}= ${ratio(serverLazy, serverEager).toFixed(2)}x   (parseRequest)`);
  console.log(
    `${'server+payloads lazy/eager'.padEnd(26)}= ${ratio(serverLazyAll, serverEagerAll).toFixed(2)}x   (parseRequest, every payload read)`,
  );
  console.log(
    `${'server log lazy / eager'.padEnd(26)}= ${ratio(logLazy, logEager).toFixed(2)}x   (response log lines)`,
  );
  console.log(`(median of 7 interleaved rounds, ${seconds} s per subject; BENCH_SECONDS to change)`);
}
