import { ItemType, type TtlvItem } from '../kmip/ttlv/index.js';
import { Tag, TagName } from '../ops/vocabulary.js';

/** Values a test case captures from responses ("$UNIQUE_IDENTIFIER_0", "$IV_COUNTER_NONCE") and reuses in later requests. */
export type Captures = Map<string, TtlvItem['value']>;

/**
 * Values the server chooses freely: compared by type only. Result Message text is the server's
 * own; key material of a server-generated key is random.
 */
const byType = new Set<number>([
  Tag.ResultMessage,
  Tag.KeyMaterial,
  Tag.Modulus,
  Tag.PrivateExponent,
  Tag.PublicExponent,
  Tag.P,
  Tag.Q,
  Tag.PrimeExponentP,
  Tag.PrimeExponentQ,
  Tag.CRTCoefficient,
  Tag.Key,
  Tag.Digest,
  Tag.DigestValue,
  Tag.ServerInformation,
  Tag.VendorIdentification,
  Tag.CertificateValue,
  Tag.RandomNumberGenerator,
  Tag.RNGAlgorithm,
]);

/** Header fields a server may or may not send (2.x Server Correlation Value): skipped on both sides. */
const optional = new Set<number>([Tag.ServerCorrelationValue]);

const placeholderText = /^\$[A-Z][A-Z0-9_]*([+-]\d+)?$/;

function same(a: TtlvItem['value'], b: TtlvItem['value']): boolean {
  if (a instanceof Uint8Array && b instanceof Uint8Array) return Buffer.from(a).equals(Buffer.from(b));
  return a === b;
}

export interface Mismatch {
  path: string;
  what: string;
}

/**
 * Compares an expected response (from the test case) with the actual one. Placeholders capture
 * on first sight and must agree after; Date-Time placeholders ($NOW...) and server-chosen
 * fields are compared by type. Structure children must appear with the same tags; when the
 * order differs they are matched by tag and value.
 */
export function compareItems(
  expected: TtlvItem,
  actual: TtlvItem,
  placeholders: WeakMap<TtlvItem, string>,
  captures: Captures,
  path = '',
  loose: ReadonlySet<number> = new Set(),
): Mismatch | undefined {
  const name = TagName.get(expected.tag) ?? `0x${expected.tag.toString(16)}`;
  const here = `${path}/${name}`;
  if (expected.tag !== actual.tag)
    return { path: here, what: `expected ${name}, got ${TagName.get(actual.tag) ?? actual.tag}` };
  if (expected.type !== actual.type) return { path: here, what: `type ${actual.type} instead of ${expected.type}` };
  if (byType.has(expected.tag) || loose.has(expected.tag)) {
    // Compared by type, but a placeholder there still binds what the server chose (a random IV).
    const ph = placeholders.get(expected);
    if (ph !== undefined && !ph.startsWith('$NOW') && !captures.has(ph)) captures.set(ph, actual.value);
    return undefined;
  }
  if (expected.type === ItemType.Structure && actual.type === ItemType.Structure) {
    return compareChildren(expected.value, actual.value, placeholders, captures, here, loose);
  }
  const ph =
    placeholders.get(expected) ??
    (expected.type === ItemType.TextString && placeholderText.test(expected.value) ? expected.value : undefined);
  if (ph !== undefined) {
    if (ph.startsWith('$NOW')) return undefined;
    const known = captures.get(ph);
    if (known === undefined) {
      captures.set(ph, actual.value);
      return undefined;
    }
    return same(known, actual.value)
      ? undefined
      : { path: here, what: `${ph} is ${String(known)}, got ${String(actual.value)}` };
  }
  if (byType.has(expected.tag) || inByType(path)) return undefined;
  return same(expected.value, actual.value)
    ? undefined
    : { path: here, what: `expected ${show(expected.value)}, got ${show(actual.value)}` };
}

function inByType(path: string): boolean {
  return path.includes('/KeyMaterial') || path.includes('/ServerInformation');
}

function show(v: TtlvItem['value']): string {
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex').slice(0, 64);
  return String(v);
}

const QUERY = 0x18;

function compareChildren(
  allExpected: TtlvItem[],
  allActual: TtlvItem[],
  placeholders: WeakMap<TtlvItem, string>,
  captures: Captures,
  path: string,
  loose: ReadonlySet<number>,
): Mismatch | undefined {
  const expected = allExpected.filter((i) => !optional.has(i.tag));
  const actual = allActual.filter((i) => !optional.has(i.tag));
  // A Query answer lists what that server supports: every kind of field expected must be there.
  if (
    expected.some((i) => i.tag === Tag.Operation && i.value === QUERY) &&
    actual.some((i) => i.tag === Tag.ResultStatus && i.value === 0)
  ) {
    const e = expected.find((i) => i.tag === Tag.ResponsePayload);
    const a = actual.find((i) => i.tag === Tag.ResponsePayload);
    if (e?.type === ItemType.Structure && a?.type === ItemType.Structure) {
      const have = new Set(a.value.map((i) => i.tag));
      const lacking = e.value.filter((i) => !have.has(i.tag));
      if (lacking.length > 0)
        return { path, what: `Query answer lacks ${lacking.map((i) => TagName.get(i.tag)).join(',')}` };
      return undefined;
    }
  }
  if (expected.length !== actual.length) {
    const e = expected.map((i) => TagName.get(i.tag)).join(',');
    const a = actual.map((i) => TagName.get(i.tag)).join(',');
    return { path, what: `expected ${expected.length} fields [${e}], got ${actual.length} [${a}]` };
  }
  // In order first.
  const trial = new Map(captures);
  let failure: Mismatch | undefined;
  for (let i = 0; i < expected.length && !failure; i++) {
    failure = compareItems(expected[i] as TtlvItem, actual[i] as TtlvItem, placeholders, trial, path, loose);
  }
  if (!failure) {
    for (const [k, v] of trial) captures.set(k, v);
    return undefined;
  }
  // Then by tag and value, in any order.
  const used = new Set<number>();
  const trial2 = new Map(captures);
  for (const e of expected) {
    let matched = false;
    for (let j = 0; j < actual.length && !matched; j++) {
      if (used.has(j) || (actual[j] as TtlvItem).tag !== e.tag) continue;
      const attempt = new Map(trial2);
      if (!compareItems(e, actual[j] as TtlvItem, placeholders, attempt, path, loose)) {
        used.add(j);
        matched = true;
        for (const [k, v] of attempt) trial2.set(k, v);
      }
    }
    if (!matched) return failure;
  }
  for (const [k, v] of trial2) captures.set(k, v);
  return undefined;
}

/** Replaces placeholders in a request with captured values (and $NOW with the current time). */
export function substitute(
  item: TtlvItem,
  placeholders: WeakMap<TtlvItem, string>,
  captures: Captures,
  now: bigint,
): TtlvItem {
  if (item.type === ItemType.Structure) {
    return { ...item, value: item.value.map((c) => substitute(c, placeholders, captures, now)) };
  }
  const ph =
    placeholders.get(item) ??
    (item.type === ItemType.TextString && placeholderText.test(item.value) ? item.value : undefined);
  if (ph === undefined) return item;
  const m = /^\$NOW([+-]\d+)?$/.exec(ph);
  if (m && item.type === ItemType.DateTime) return { ...item, value: now + BigInt(m[1] ?? 0) };
  if (m && item.type === ItemType.DateTimeExtended) return { ...item, value: (now + BigInt(m[1] ?? 0)) * 1_000_000n };
  const v = captures.get(ph);
  return v === undefined ? item : ({ ...item, value: v } as TtlvItem);
}
