import { KeyholdError } from '../../../shared/errors.js';

/**
 * Lossless JSON for KMIP attribute values in backup files: Date, bytes and bigint become one-key
 * tagged objects {"$date": ms}, {"$bytes": base64}, {"$big": decimal}.
 */
export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export function toTaggedJson(value: unknown): Json {
  if (value instanceof Date) return { $date: value.getTime() };
  if (value instanceof Uint8Array) return { $bytes: Buffer.from(value).toString('base64') };
  if (typeof value === 'bigint') return { $big: value.toString() };
  if (Array.isArray(value)) return value.map(toTaggedJson);
  if (value !== null && typeof value === 'object') {
    const out: { [k: string]: Json } = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = toTaggedJson(v);
    return out;
  }
  if (typeof value === 'string' || typeof value === 'boolean' || value === null) return value;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  throw new KeyholdError('invalid-argument', `cannot put a value of type ${typeof value} in a backup`);
}

export function fromTaggedJson(json: Json): unknown {
  if (Array.isArray(json)) return json.map(fromTaggedJson);
  if (json !== null && typeof json === 'object') {
    const keys = Object.keys(json);
    if (keys.length === 1) {
      const [k] = keys;
      const v = json[k!];
      if (k === '$date' && typeof v === 'number') return new Date(v);
      if (k === '$bytes' && typeof v === 'string') return new Uint8Array(Buffer.from(v, 'base64'));
      if (k === '$big' && typeof v === 'string') return BigInt(v);
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(json)) out[k] = fromTaggedJson(v);
    return out;
  }
  return json;
}

/** JSON with object keys sorted, so the same content always gives the same bytes (for the MAC). */
export function canonicalJson(value: Json): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k]!)}`)
      .join(',')}}`;
  return JSON.stringify(value);
}
