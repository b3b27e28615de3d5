import { spawn } from 'node:child_process';
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
 * (main/api/server-log.ts over the Response Messages) are measured with both decoders.
 * CODEC_PROCESSES (default 3) fresh processes measure one after the other; BENCH_SECONDS sets each
 * one's time per subject (default 1), split in 7 rounds. Printed: each figure's median over the
 * processes, and each ratio as the median of the processes' own ratios, with each one's value.
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

/** A copy of `item` in fresh objects, with each text as a string of its own (not a slice). */
function freshItem(item: TtlvItem): TtlvItem {
  if (item.type === 0x01) return { tag: item.tag, type: item.type, value: item.value.map(freshItem) };
  if (item.type === 0x07) return { tag: item.tag, type: item.type, value: Buffer.from(item.value).toString() };
  return { ...item };
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

/** How many fresh processes measure the corpus; the figures printed are their medians. */
const processes = Number(process.env['CODEC_PROCESSES'] ?? 3);
/** Marks the one line of JSON a measuring process prints for the one that started it. */
const CHILD_MARK = 'codec-figures ';

interface Run {
  corpus: string;
  figures: Record<SubjectName, Figure>;
}

export async function bench(): Promise<void> {
  if (process.env['CODEC_CHILD'] === '1') {
    process.stdout.write(CHILD_MARK + JSON.stringify(measureCorpus()) + '\n');
    return;
  }
  const runs: Run[] = [];
  if (processes <= 1) runs.push(measureCorpus());
  // Each process compiles the code its own way (V8's choices differ from run to run: the walk
  // alone moved 3.2-5.0 M msg/s between processes here), so one process cannot settle a ratio:
  // several measure one after the other, each with all subjects interleaved.
  else for (let k = 0; k < processes; k++) runs.push(await measureInChild());
  report(runs);
}

/** Runs this benchmark in a fresh process (the same runner, CODEC_CHILD=1) and reads its figures. */
async function measureInChild(): Promise<Run> {
  const child = spawn(process.execPath, [...process.execArgv, process.argv[1]!, 'codec'], {
    env: { ...process.env, CODEC_CHILD: '1' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  const line = out.split('\n').find((l) => l.startsWith(CHILD_MARK));
  if (code !== 0 || line === undefined) throw new Error(`codec measuring process failed (exit ${code}): ${out}`);
  return JSON.parse(line.slice(CHILD_MARK.length)) as Run;
}

/** The subjects, in the order they are printed. */
const SUBJECTS = [
  'walk',
  'plain',
  'decode',
  'typed',
  'lazy',
  'lazyCopy',
  'lazyTouched',
  'eagerTouched',
  'parse',
  'encode',
  'stringify',
  'encodeXmlItems',
  'serverEager',
  'serverLazy',
  'serverEagerAll',
  'serverLazyAll',
  'logEager',
  'logLazy',
] as const;
type SubjectName = (typeof SUBJECTS)[number];

/** One process's measurement of every subject over the corpus. */
function measureCorpus(): Run {
  const corpus = loadCorpus();
  const items: TtlvItem[] = corpus.map((m) => m.item);
  const ttlv = items.map((item) => encodeTtlv(item));
  const json = corpus.map((m) => m.json);
  // Each encoder is given what a decoder makes: encodeTtlv fresh items (as decodeTtlv or the
  // server's operations build them), JSON.stringify the objects of JSON.parse. The XML parser's
  // items (measured too, on their own line) are slower to encode for reasons outside the encoder:
  // their texts are slices of the XML file's text, and the items lie scattered among the parser's
  // garbage (measured: 1.3-2x slower to encode for that alone). The copies are not made with
  // decodeTtlv itself: keeping 2,098 of its messages alive makes V8 allocate its items in the old
  // generation from then on (allocation-site pretenuring), and decoding 3-4x slower.
  const decoded = items.map(freshItem);
  const objects: unknown[] = json.map((text) => JSON.parse(text) as unknown);
  const n = corpus.length;
  const ttlvBytes = ttlv.reduce((s, b) => s + b.length, 0);
  const jsonBytes = json.reduce((s, t) => s + Buffer.byteLength(t), 0);
  const description =
    `corpus: ${n} messages from ../shared/kmip/testcases, ${(ttlvBytes / 1e3).toFixed(0)} kB TTLV, ` +
    `${(jsonBytes / 1e3).toFixed(0)} kB KMIP JSON`;

  const requests = ttlv.filter((_, i) => items[i]!.tag === Tag.RequestMessage);
  const responses = ttlv.filter((_, i) => items[i]!.tag !== Tag.RequestMessage);
  const adopt = { adopt: true };
  const subjects: Record<SubjectName, Subject> = {
    // The ruler: its own loop, exactly as written.
    walk: {
      name: 'walk TTLV headers',
      bytes: ttlvBytes,
      pass: () => {
        let s = 0;
        for (let i = 0; i < n; i++) s += walkTtlvHeaders(ttlv[i]!);
        return s;
      },
    },
    plain: over('plain decoder (no checks)', ttlv, (m) => plainDecode(m, 0).tag),
    decode: over('decodeTtlv', ttlv, (m) => decodeTtlv(m).tag),
    typed: over('decodeTtlv + message model', ttlv, (m) => {
      const item = decodeTtlv(m);
      const message = item.tag === Tag.RequestMessage ? parseRequestMessage(item) : parseResponseMessage(item);
      return message.batchItems.length;
    }),
    parse: over('JSON.parse (KMIP JSON)', json, (text) => (JSON.parse(text) as { tag: string }).tag.length),
    encode: over('encodeTtlv', decoded, (item) => encodeTtlv(item).length, ttlvBytes),
    stringify: over('JSON.stringify (KMIP JSON)', objects, (o) => JSON.stringify(o).length, jsonBytes),
    encodeXmlItems: over('encodeTtlv (XML parser items)', items, (item) => encodeTtlv(item).length, ttlvBytes),
    lazy: over('(a) decodeTtlvLazy adopt', ttlv, (m) => decodeTtlvLazy(m, adopt).tag),
    lazyCopy: over("(a') decodeTtlvLazy copy", ttlv, (m) => decodeTtlvLazy(m).tag),
    lazyTouched: over('(b) decodeTtlvLazy + all', ttlv, (m) => touchAll(decodeTtlvLazy(m, adopt))),
    eagerTouched: over('decodeTtlv + all', ttlv, (m) => touchAll(decodeTtlv(m))),
    serverEager: over('server parseRequest eager', requests, (m) => parseRequest(decodeTtlv(m)).items.length),
    serverLazy: over('server parseRequest lazy', requests, (m) => parseRequest(decodeTtlvLazy(m, adopt)).items.length),
    serverEagerAll: over('server + payloads, eager', requests, (m) => touchPayloads(decodeTtlv(m))),
    serverLazyAll: over('server + payloads, lazy', requests, (m) => touchPayloads(decodeTtlvLazy(m, adopt))),
    logEager: over('server log, eager', responses, (m) => logReads(decodeTtlv(m))),
    logLazy: over('server log, lazy', responses, (m) => logReads(decodeTtlvLazy(m, adopt))),
  };
  const measured = measure(
    n,
    SUBJECTS.map((k) => subjects[k]),
  );
  const figures = Object.fromEntries(SUBJECTS.map((k, i) => [k, measured[i]!])) as Record<SubjectName, Figure>;
  // The server subjects ran over the Request Messages only: count those.
  for (const k of ['serverEager', 'serverLazy', 'serverEagerAll', 'serverLazyAll'] as const) {
    figures[k].messagesPerSecond *= requests.length / n;
  }
  for (const k of ['logEager', 'logLazy'] as const) figures[k].messagesPerSecond *= responses.length / n;
  return { corpus: description, figures };
}

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Prints each subject's median figures over the runs, then each ratio as the median of the
 * ratios within each run (both sides measured in the same process), with every run's value.
 */
function report(runs: Run[]): void {
  console.log(runs[0]!.corpus);
  for (const k of SUBJECTS) {
    const name = runs[0]!.figures[k].name;
    const perSecond = median(runs.map((r) => r.figures[k].messagesPerSecond));
    const megabytes = median(runs.map((r) => r.figures[k].megabytesPerSecond));
    console.log(
      `${name.padEnd(30)} ${Math.round(perSecond).toLocaleString('en-US').padStart(12)} msg/s ` +
        `${megabytes.toFixed(1).padStart(8)} MB/s`,
    );
  }
  const ratio = (a: SubjectName, b: SubjectName): { value: number; each: string } => {
    const each = runs.map((r) => r.figures[a].messagesPerSecond / r.figures[b].messagesPerSecond);
    return { value: median(each), each: runs.length > 1 ? ` [${each.map((v) => v.toFixed(2)).join(', ')}]` : '' };
  };
  const show = (label: string, a: SubjectName, b: SubjectName, note = ''): void => {
    const r = ratio(a, b);
    console.log(`${label.padEnd(30)}= ${r.value.toFixed(2)}x${note}${r.each}`);
  };
  const aim = (label: string, a: SubjectName, b: SubjectName, text: string, met: (v: number) => boolean): void =>
    show(label, a, b, `   (aim ${text}: ${met(ratio(a, b).value) ? 'met' : 'NOT met'})`);
  aim('decode / JSON.parse', 'decode', 'parse', '>= 5', (v) => v >= 5);
  aim('walk / decode', 'walk', 'decode', '<= 3', (v) => v <= 3);
  show('walk / plain decoder', 'walk', 'plain', '   (scale: no checks, same model)');
  show('decode+model / JSON.parse', 'typed', 'parse');
  aim('encode / JSON.stringify', 'encode', 'stringify', '>= 2', (v) => v >= 2);
  show('encode XML items / stringify', 'encodeXmlItems', 'stringify', "   (the XML parser's items)");
  aim('(a) lazy / JSON.parse', 'lazy', 'parse', '>= 5', (v) => v >= 5);
  aim('(a) walk / lazy', 'walk', 'lazy', '<= 3', (v) => v <= 3);
  show('(b) lazy+all / JSON.parse', 'lazyTouched', 'parse');
  show('(b) walk / lazy+all', 'walk', 'lazyTouched');
  show('(b) lazy+all / eager+all', 'lazyTouched', 'eagerTouched');
  show("(a') walk / lazy copy", 'walk', 'lazyCopy');
  show('server lazy / eager', 'serverLazy', 'serverEager', '   (parseRequest)');
  show('server+payloads lazy/eager', 'serverLazyAll', 'serverEagerAll', '   (parseRequest, every payload read)');
  show('server log lazy / eager', 'logLazy', 'logEager', '   (response log lines)');
  console.log(
    `(median of ${runs.length} process${runs.length > 1 ? 'es' : ''}, each the median of 7 interleaved rounds, ` +
      `${seconds} s per subject; [each process]; CODEC_PROCESSES and BENCH_SECONDS to change)`,
  );
}
