import { readFileSync } from 'node:fs';
import path from 'node:path';
import { decodeTtlv, encodeTtlv, ItemType, type TtlvItem } from '../kmip/ttlv/index.js';
import { parseKmipXml, samplePlaceholders, type PlaceholderMap } from '../kmip/xml/index.js';
import { Tag, TagName } from '../ops/vocabulary.js';
import { AttributesListedByReference } from './all-attributes.js';
import { compareItems, substitute, type Captures } from './compare.js';

/** Sends one TTLV request message and returns the response message. */
export type Transport = (request: Uint8Array) => Promise<Uint8Array>;

export interface FileResult {
  file: string;
  passed: boolean;
  /** Which request/response pair failed and why. */
  failure?: string;
  pairs: number;
}

/**
 * Runs one OASIS XML test case (KMIP Profiles test cases): each Request Message is sent with its
 * placeholders filled from earlier responses, and each Response Message compared with the one the
 * file expects.
 */
export async function runTestCase(
  file: string,
  openTransport: () => Promise<{ send: Transport; close(): Promise<void> }>,
): Promise<FileResult> {
  const name = path.basename(file);
  const kept: PlaceholderMap = new WeakMap();
  const now = BigInt(Math.floor(Date.now() / 1000));
  let items: TtlvItem[];
  try {
    items = parseKmipXml(readFileSync(file, 'utf8'), {
      placeholders: samplePlaceholders({ now }),
      keptPlaceholders: kept,
    });
  } catch (e) {
    return { file: name, passed: false, failure: `cannot read the test case: ${(e as Error).message}`, pairs: 0 };
  }
  const transport = await openTransport();
  const captures: Captures = new Map();
  const generated = new Set<string>();
  const seen = new Map<string, number>();
  const bound = namesBoundByResponses(items, kept);
  const listed = new AttributesListedByReference(kept);
  let pair = 0;
  try {
    for (let i = 0; i < items.length; i++) {
      const request = items[i] as TtlvItem;
      if (request.tag !== Tag.RequestMessage) continue;
      const expected = items[i + 1];
      pair++;
      const sent = substitute(request, kept, captures, BigInt(Math.floor(Date.now() / 1000)));
      listed.forget(sent);
      let actual: TtlvItem;
      try {
        actual = decodeTtlv(await transport.send(encodeTtlv(sent)));
      } catch (e) {
        return { file: name, passed: false, failure: `request ${pair}: ${(e as Error).message}`, pairs: pair };
      }
      if (!expected || expected.tag !== Tag.ResponseMessage) continue;
      const loose = looseFields(sent, generated);
      if (serverChoseIv(sent, actual)) for (const tag of CIPHER_OUTPUT) loose.add(tag);
      const mismatch = compareItems(expected, listed.prune(sent, expected, actual), kept, captures, '', loose);
      listed.remember(expected);
      rememberGenerated(actual, generated, sent);
      captureByTagName(actual, captures, seen, bound);
      if (mismatch) {
        return {
          file: name,
          passed: false,
          failure: `request ${pair}: ${mismatch.path}: ${mismatch.what}${serverSaid(actual)}`,
          pairs: pair,
        };
      }
    }
  } finally {
    await transport.close();
  }
  return { file: name, passed: true, pairs: pair };
}

const GENERATING = new Set([0x01, 0x02, 0x04, 0x05, 0x1d]); // Create, Create Key Pair, ReKey, Derive Key, ReKey Key Pair
const RANDOM_OUTPUT = new Set([0x25]); // RNG Retrieve

function children(item: TtlvItem | undefined): TtlvItem[] {
  return item?.type === ItemType.Structure ? item.value : [];
}

/**
 * Unique Identifiers whose cryptograms differ from run to run: objects the server generated (their
 * key material is the server's own) and registered public keys (RSA-OAEP encryption is randomized).
 */
function rememberGenerated(response: TtlvItem, generated: Set<string>, request: TtlvItem): void {
  const registersPublicKey = children(request).some(
    (b) =>
      b.tag === Tag.BatchItem &&
      children(children(b).find((i) => i.tag === Tag.RequestPayload)).some(
        (i) => i.tag === Tag.ObjectType && i.value === 3,
      ),
  );
  for (const b of children(response)) {
    if (b.tag !== Tag.BatchItem) continue;
    const op = children(b).find((i) => i.tag === Tag.Operation)?.value;
    if (typeof op !== 'number' || !(GENERATING.has(op) || (op === 0x03 && registersPublicKey))) continue;
    for (const f of children(children(b).find((i) => i.tag === Tag.ResponsePayload))) {
      if (f.type === ItemType.TextString) generated.add(f.value);
    }
  }
}

/**
 * Output that depends on the server's own secrets is compared by type: cryptograms made with a key
 * the server generated (its bytes differ from the reference server's), and random bytes.
 */
function looseFields(request: TtlvItem, generated: Set<string>): Set<number> {
  const loose = new Set<number>();
  for (const b of children(request)) {
    if (b.tag !== Tag.BatchItem) continue;
    const op = children(b).find((i) => i.tag === Tag.Operation)?.value;
    const uid = children(children(b).find((i) => i.tag === Tag.RequestPayload)).find(
      (i) => i.tag === Tag.UniqueIdentifier,
    )?.value;
    if ((typeof uid === 'string' && generated.has(uid)) || (typeof op === 'number' && RANDOM_OUTPUT.has(op))) {
      for (const t of [Tag.Data, Tag.SignatureData, Tag.MACData, Tag.AuthenticatedEncryptionTag, Tag.IVCounterNonce])
        loose.add(t);
    }
  }
  return loose;
}

/** "MACData" -> "$MAC_DATA", "IVCounterNonce" -> "$IV_COUNTER_NONCE". */
function placeholderOf(tagName: string): string {
  return `$${tagName
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1_$2')
    .toUpperCase()}`;
}

/**
 * Test cases reuse a response field in a later request by its tag's name: "$MAC_DATA" after a MAC
 * whose expected MAC Data is a literal, "$DATA_0" for the first Data answered. Each response
 * payload field binds "$NAME" the first time and "$NAME_<n>" the n-th time it is seen, unless a
 * placeholder in an expected response bound that name already.
 */
function captureByTagName(
  response: TtlvItem,
  captures: Captures,
  seen: Map<string, number>,
  bound: ReadonlySet<string>,
): void {
  for (const b of children(response)) {
    if (b.tag !== Tag.BatchItem) continue;
    for (const f of children(children(b).find((i) => i.tag === Tag.ResponsePayload))) {
      // Unique Identifiers are always bound by the expected responses' own placeholders.
      if (f.type === ItemType.Structure || f.tag === Tag.UniqueIdentifier) continue;
      const name = TagName.get(f.tag);
      if (!name) continue;
      const ph = placeholderOf(name);
      const n = seen.get(ph) ?? 0;
      seen.set(ph, n + 1);
      for (const name of [ph, `${ph}_${n}`]) if (!bound.has(name) && !captures.has(name)) captures.set(name, f.value);
    }
  }
}

/** Placeholders that expected responses bind themselves: never bound by tag name. */
function namesBoundByResponses(items: TtlvItem[], kept: PlaceholderMap): Set<string> {
  const names = new Set<string>();
  const walk = (item: TtlvItem): void => {
    const ph =
      kept.get(item) ?? (item.type === ItemType.TextString && item.value.startsWith('$') ? item.value : undefined);
    if (ph !== undefined) names.add(ph);
    for (const c of children(item)) walk(c);
  };
  for (const item of items) if (item.tag === Tag.ResponseMessage) walk(item);
  return names;
}

const ENCRYPT = 0x1f;
const CIPHER_OUTPUT = [Tag.Data, Tag.IVCounterNonce, Tag.AuthenticatedEncryptionTag];

/**
 * An Encrypt that sent no IV/Counter/Nonce and got one back: the server chose a random IV (Random
 * IV, KMIP 1.4 section 3.6), so the cryptogram and the IV are the server's own and are compared
 * by type.
 */
function serverChoseIv(request: TtlvItem, response: TtlvItem): boolean {
  const sentIv = children(request).some(
    (b) =>
      b.tag === Tag.BatchItem &&
      children(b).some((i) => i.tag === Tag.Operation && i.value === ENCRYPT) &&
      children(children(b).find((i) => i.tag === Tag.RequestPayload)).some((i) => i.tag === Tag.IVCounterNonce),
  );
  if (sentIv) return false;
  return children(response).some(
    (b) =>
      b.tag === Tag.BatchItem &&
      children(b).some((i) => i.tag === Tag.Operation && i.value === ENCRYPT) &&
      children(children(b).find((i) => i.tag === Tag.ResponsePayload)).some((i) => i.tag === Tag.IVCounterNonce),
  );
}

/** The server's Result Message, when it failed, to make a failure line useful. */
function serverSaid(response: TtlvItem): string {
  if (response.type !== ItemType.Structure) return '';
  const texts: string[] = [];
  for (const b of response.value) {
    if (b.tag !== Tag.BatchItem || b.type !== ItemType.Structure) continue;
    for (const f of b.value) if (f.tag === Tag.ResultMessage && f.type === ItemType.TextString) texts.push(f.value);
  }
  return texts.length > 0 ? ` (server: ${texts.join('; ')})` : '';
}

/** One line per file and the total line "N passed, N failed". */
export function formatResults(results: FileResult[]): string {
  const lines = results.map((r) =>
    r.passed ? `PASS ${r.file} (${r.pairs} requests)` : `FAIL ${r.file}: ${r.failure}`,
  );
  const passed = results.filter((r) => r.passed).length;
  lines.push(`${passed} passed, ${results.length - passed} failed`);
  return `${lines.join('\n')}\n`;
}
