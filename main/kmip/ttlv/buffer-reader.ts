/**
 * Value readers for the TTLV decoder: big-endian numbers and strict UTF-8 text at an offset of a
 * Buffer. Know nothing of TTLV items; the decoder checks lengths before it calls them, so reads
 * never run past the end. Tuned for many small fields: no subarrays for text, numbers read byte
 * by byte.
 */
/** Buffer's native latin1 slice (what `toString('latin1', start, end)` calls after checking its arguments). */
type LatinBuffer = Buffer & { latin1Slice(start: number, end: number): string };

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Recently decoded short ASCII strings, in sets of two slots chosen by a hash of their bytes. KMIP
 * messages repeat the same short texts (attribute names, identifiers); handing out the same
 * immutable string again saves a native call and an allocation per item. Passwords are never
 * cached (the decoder says which texts may be).
 *
 * Measured on the 2,098 OASIS messages (4,029 texts a pass, 875 distinct): a hit costs about
 * 50-65 ns inside decodeTtlv, a miss (`latin1Slice`, a native call) about 150-220 ns. Two slots a
 * set instead of one slot a text cut the misses from 178 to 58 a pass (plus 12 texts over 40
 * bytes). A near table of 64-512 slots in front, a per-tag last-value memo, hashing only some
 * words, a DataView or Int32Array word read, one pass over the bytes, and `String.fromCharCode`
 * for misses were all no faster.
 */
const textCacheSlots = 4096;
const textCacheMaxLength = 40;
/** Per slot: the length, then the text's bytes as 32-bit words. */
const textCacheSlotWords = 1 + textCacheMaxLength / 4;
/** The string in each slot; slots 2n and 2n + 1 make set n, the newer text first. */
const textCache: string[] = new Array<string>(textCacheSlots).fill('');
/**
 * The length and the bytes of each cached string as 32-bit words (at slot * textCacheSlotWords):
 * a lookup compares four bytes a step and does not touch the string.
 * Words past a string's length are left over from older strings and never compared.
 */
const textCacheWords = new Int32Array(textCacheSlots * textCacheSlotWords);
/** The words of the text being looked up (read once, for the hash and the comparison). */
const textWords = new Int32Array(textCacheSlotWords);

/**
 * Signed 64-bit at `o`; values within 2^53 (every real date) take the one-conversion path.
 * A cache of recent values (64 slots keyed by both 32-bit words: the OASIS messages carry 1,319
 * Date-Times a pass with 11 distinct values) was no faster: a BigInt from a small integer costs
 * a few ns, about what the lookup costs.
 */
export function readI64(b: Buffer, o: number): bigint {
  const high = (b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!;
  // Non-negative and below 2^31 (every POSIX date in seconds until 2038): from a 32-bit integer,
  // which V8 turns into a BigInt faster than a double.
  if (high === 0 && b[o + 4]! < 0x80) {
    return BigInt((b[o + 4]! << 24) | (b[o + 5]! << 16) | (b[o + 6]! << 8) | b[o + 7]!);
  }
  if (high >= -0x200000 && high < 0x200000) {
    const low = ((b[o + 4]! << 24) | (b[o + 5]! << 16) | (b[o + 6]! << 8) | b[o + 7]!) >>> 0;
    return BigInt(high * 4294967296 + low);
  }
  return b.readBigInt64BE(o);
}

/** Big-endian two's complement of `length` bytes at `o` (length > 0). */
export function readBigInt(b: Buffer, o: number, length: number): bigint {
  if (length === 8) return readI64(b, o);
  const unsigned = BigInt('0x' + b.toString('hex', o, o + length));
  return b[o]! & 0x80 ? unsigned - (1n << BigInt(length * 8)) : unsigned;
}

/**
 * Strict UTF-8 (RFC 3629) of `length` bytes at `o`: returns undefined for an invalid sequence.
 * `cache` false keeps the text out of the cache (secrets such as passwords). The bytes up to the
 * next multiple of 4 past the text must be readable (a TTLV text is padded to a multiple of 8).
 * Short texts are looked up in the cache first, in the set chosen by a hash of all their bytes
 * read as words (a match proves them ASCII); others are checked for ASCII (every byte < 0x80),
 * then decoded with the latin1 fast path or the fatal UTF-8 decoder.
 */
export function readText(b: Buffer, o: number, length: number, cache: boolean): string | undefined {
  const end = o + length;
  let slot = -1;
  if (cache && length <= textCacheMaxLength && length > 0) {
    const words = (length + 3) >> 2;
    const last = words - 1;
    // The padding bytes of the last word are not part of the text (and need not be zero).
    const tail = (length & 3) === 0 ? -1 : (1 << ((length & 3) << 3)) - 1;
    let hash = length;
    for (let k = 0, i = o; k < words; k++, i += 4) {
      let word = b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24);
      if (k === last) word &= tail;
      textWords[k] = word;
      hash = Math.imul(hash ^ word, 0x85ebca6b);
    }
    // Murmur3's finalizer, so that every bit of the hash reaches the set index.
    hash ^= hash >>> 16;
    hash = Math.imul(hash, 0x85ebca6b);
    hash ^= hash >>> 13;
    hash = Math.imul(hash, 0xc2b2ae35);
    hash ^= hash >>> 16;
    slot = (hash & (textCacheSlots / 2 - 1)) << 1;
    let base = slot * textCacheSlotWords + 1;
    if (textCacheWords[base - 1] === length) {
      let k = 0;
      while (k < words && textWords[k] === textCacheWords[base + k]) k++;
      if (k === words) return textCache[slot]!;
    }
    base += textCacheSlotWords;
    if (textCacheWords[base - 1] === length) {
      let k = 0;
      while (k < words && textWords[k] === textCacheWords[base + k]) k++;
      if (k === words) return textCache[slot + 1]!;
    }
  }
  for (let i = o; i < end; i++) if (b[i]! >= 0x80) return utf8(b, o, end);
  const text = (b as LatinBuffer).latin1Slice(o, end);
  if (slot >= 0) {
    // The newest text goes first in its set; the one it displaces replaces the older second.
    const first = slot * textCacheSlotWords;
    textCacheWords.copyWithin(first + textCacheSlotWords, first, first + textCacheSlotWords);
    textCache[slot + 1] = textCache[slot]!;
    textCache[slot] = text;
    textCacheWords[first] = length;
    const words = (length + 3) >> 2;
    for (let k = 0; k < words; k++) textCacheWords[first + 1 + k] = textWords[k]!;
  }
  return text;
}

function utf8(b: Buffer, start: number, end: number): string | undefined {
  try {
    return strictUtf8.decode(b.subarray(start, end));
  } catch {
    return undefined;
  }
}

/**
 * A fresh copy of `length` bytes at `o`, never a view into the caller's buffer: wiping the
 * message does not wipe decoded values, nor the other way round, and no value keeps the rest of
 * the message alive. Small values (V8 keeps typed arrays up to 64 bytes on the heap) are copied
 * byte by byte, larger ones with one native copy.
 *
 * Byte Strings are dear: the 1,283 of a pass over the OASIS messages are about a fifth of
 * decodeTtlv's time, half of it the 79 values over 64 bytes, whose memory V8 allocates outside its
 * heap (about 1 us each). Every value must own its whole buffer, so there is no pooling. Copying
 * through `new Uint8Array(b.buffer, ...)`, `b.copy`, `ArrayBuffer#slice`, a byte loop, or (small
 * values, alone) `slice` of a plain view of the message was no faster; so was this copy inlined in
 * the decoder.
 */
export function readBytes(b: Buffer, o: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  if (length <= 64) for (let i = 0; i < length; i++) out[i] = b[o + i]!;
  else out.set(b.subarray(o, o + length));
  return out;
}
