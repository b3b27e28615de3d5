// Text forms of TTLV values shared by the XML and JSON encodings (Additional Message Encodings
// 1.0 sections 4.1.1 / 6.1.1 hex, 6.1.6.x values).
import { bigIntHex } from '../ttlv/index.js';

const hexDigits = /^[0-9A-Fa-f]*$/;

/** Byte String hex: no 0x prefix, any even length (section 6.1.1). */
export function bytesToHex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += (b < 16 ? '0' : '') + b.toString(16);
  return out;
}

/** Hex (no prefix, even length) -> bytes; undefined when not hex. */
export function hexToBytes(hex: string): Uint8Array | undefined {
  if (hex.length % 2 !== 0 || !hexDigits.test(hex)) return undefined;
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Big Integer as two's complement hex, sign-extended to a multiple of 8 bytes, no prefix. */
export function bigIntegerToHex(value: bigint): string {
  return bigIntHex(value);
}

/** Two's complement hex of any length (an optional 0x prefix) -> bigint; undefined when not hex. */
export function hexToBigInteger(text: string): bigint | undefined {
  const hex = text.startsWith('0x') || text.startsWith('0X') ? text.slice(2) : text;
  if (hex.length === 0 || !hexDigits.test(hex)) return undefined;
  const unsigned = BigInt('0x' + hex);
  return parseInt(hex[0]!, 16) >= 8 ? unsigned - (1n << BigInt(hex.length * 4)) : unsigned;
}

/** A 0x-prefixed hex number of exactly `bytes` bytes read as two's complement (signed) or not. */
export function fixedHex(text: string, bytes: number, signed: boolean): bigint | undefined {
  if (!/^0[xX][0-9A-Fa-f]+$/.test(text) || text.length - 2 > bytes * 2) return undefined;
  const unsigned = BigInt(text);
  const bits = BigInt(bytes * 8);
  return signed && unsigned >= 1n << (bits - 1n) ? unsigned - (1n << bits) : unsigned;
}

export function formatHex(value: bigint, bytes: number): string {
  const bits = BigInt(bytes * 8);
  const unsigned = value < 0n ? (1n << bits) + value : value;
  return '0x' + unsigned.toString(16).padStart(bytes * 2, '0');
}

const decimal = /^[+-]?\d+$/;

/** Decimal or 0x hex within a signed/unsigned range of `bytes` bytes; undefined otherwise. */
export function parseInteger(text: string, bytes: number, signed: boolean): bigint | undefined {
  let v: bigint;
  if (decimal.test(text)) v = BigInt(text);
  else {
    const h = fixedHex(text, bytes, signed);
    if (h === undefined) return undefined;
    v = h;
  }
  const bits = BigInt(bytes * 8);
  const min = signed ? -(1n << (bits - 1n)) : 0n;
  const max = signed ? (1n << (bits - 1n)) - 1n : (1n << bits) - 1n;
  return v < min || v > max ? undefined : v;
}

const isoDateTime = /^(-?\d{4,})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)?$/;

/** xsd:dateTime -> POSIX microseconds; undefined when malformed. No zone means UTC. */
export function parseIsoMicros(text: string): bigint | undefined {
  const m = isoDateTime.exec(text);
  if (m === null) return undefined;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  if (Number.isNaN(ms) || Number(mo) > 12 || Number(d) > 31 || Number(h) > 23 || Number(mi) > 59 || Number(s) > 60) {
    return undefined;
  }
  // Date.UTC maps years 0..99 to 1900..1999.
  const yearFix = Number(y) >= 0 && Number(y) < 100 ? BigInt(new Date(ms).getUTCFullYear() - Number(y)) : 0n;
  let micros = BigInt(ms) * 1000n;
  if (yearFix !== 0n) {
    const shifted = new Date(ms);
    shifted.setUTCFullYear(Number(y));
    micros = BigInt(shifted.getTime()) * 1000n;
  }
  if (frac !== undefined) micros += BigInt((frac + '000000').slice(0, 6));
  if (zone !== undefined && zone !== 'Z') {
    const sign = zone[0] === '-' ? -1n : 1n;
    const offset = BigInt(Number(zone.slice(1, 3)) * 3600 + Number(zone.slice(4, 6)) * 60) * 1_000_000n;
    micros -= sign * offset;
  }
  return micros;
}

const maxDateMs = 8_640_000_000_000_000n;

/** POSIX microseconds -> "2001-01-01T10:00:00+00:00" (fraction only when `fraction`); undefined out of range. */
export function formatIsoMicros(micros: bigint, fraction: boolean): string | undefined {
  const ms = micros >= 0n ? micros / 1000n : -((-micros + 999n) / 1000n);
  if (ms > maxDateMs || ms < -maxDateMs) return undefined;
  const date = new Date(Number(ms));
  const year = date.getUTCFullYear();
  if (year < 0 || year > 9999) return undefined;
  const iso = date.toISOString(); // 2001-01-01T10:00:00.000Z
  const base = iso.slice(0, 19);
  if (!fraction) return base + '+00:00';
  const sub = ((micros % 1_000_000n) + 1_000_000n) % 1_000_000n;
  return `${base}.${sub.toString().padStart(6, '0')}+00:00`;
}
