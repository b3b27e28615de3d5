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
const C_GET_INFO = 3; // PKCS#11 Function enumeration (KMIP 2.1 section 11.38)
const CK_INFO_LENGTH = 76;

/**
 * CK_INFO (C_GetInfo's output, PKCS#11 2.40 section 3.1, in the KMIP PKCS#11 Profile's encoding:
 * 2 + 32 + 8 + 32 + 2 bytes) names the library that answers: manufacturerID and
 * libraryDescription are each server's own. It is compared by layout: same length, same
 * cryptokiVersion, flags and libraryVersion, and two identity fields that are non-empty printable
 * text, blank-padded (not NUL-terminated) as PKCS#11 requires.
 */
export function sameCkInfoLayout(expected: Uint8Array, actual: Uint8Array): string | undefined {
  if (expected.length !== CK_INFO_LENGTH) return 'the expected Output Parameters are not a CK_INFO';
  if (actual.length !== CK_INFO_LENGTH) return `CK_INFO is ${actual.length} bytes, not 76`;
  const e = Buffer.from(expected);
  const a = Buffer.from(actual);
  const fixed: [string, number, number][] = [
    ['cryptokiVersion', 0, 2],
    ['flags', 34, 42],
    ['libraryVersion', 74, 76],
  ];
  for (const [field, from, to] of fixed) {
    if (!e.subarray(from, to).equals(a.subarray(from, to)))
      return `CK_INFO ${field} is ${a.subarray(from, to).toString('hex')}, expected ${e.subarray(from, to).toString('hex')}`;
  }
  for (const [field, from] of [
    ['manufacturerID', 2],
    ['libraryDescription', 42],
  ] as const) {
    const text = a.subarray(from, from + 32);
    if (!/^[\x21-\x7e][\x20-\x7e]*$/.test(text.toString('latin1')) || text[0] === 0x20)
      return `CK_INFO ${field} is not blank-padded printable text`;
  }
  return undefined;
}

/** A payload answering C_GetInfo: its Output Parameters are a CK_INFO. */
function answersGetInfo(items: TtlvItem[]): boolean {
  return items.some((i) => i.tag === Tag.PKCS_11Function && i.type === ItemType.Enumeration && i.value === C_GET_INFO);
}

function compareChildren(
  allExpected: TtlvItem[],
  allActual: TtlvItem[],
  placeholders: WeakMap<TtlvItem, string>,
  captures: Captures,
  path: string,
  outerLoose: ReadonlySet<number>,
): Mismatch | undefined {
  let loose = outerLoose;
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
  if (answersGetInfo(expected) && answersGetInfo(actual)) {
    const e = expected.find((i) => i.tag === Tag.PKCS_11OutputParameters);
    const a = actual.find((i) => i.tag === Tag.PKCS_11OutputParameters);
    if (e?.type === ItemType.ByteString && a?.type === ItemType.ByteString && e.value.length === CK_INFO_LENGTH) {
      const wrong = sameCkInfoLayout(e.value, a.value);
      if (wrong) return { path: `${path}/PKCS_11OutputParameters`, what: wrong };
      loose = new Set([...loose, Tag.PKCS_11OutputParameters]);
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
