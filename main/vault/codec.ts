import { KeyholdError } from '../../shared/errors.js';
import type { AttributeValue, Attributes, KeyBlock, ManagedObject } from './model.js';

/**
 * Lossless JSON for the model's values. JSON lacks Date, bytes and bigint, so they become
 * one-key tagged objects: {"$date": ms}, {"$bytes": base64}, {"$big": decimal}. KMIP field
 * names never start with "$", so a tag cannot collide with a structure.
 */
type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export function toJson(value: unknown): Json {
  if (value instanceof Date) return { $date: value.getTime() };
  if (value instanceof Uint8Array)
    return { $bytes: Buffer.from(value.buffer, value.byteOffset, value.length).toString('base64') };
  if (typeof value === 'bigint') return { $big: value.toString() };
  if (Array.isArray(value)) return value.map((v) => toJson(v));
  if (value !== null && typeof value === 'object') {
    const out: { [k: string]: Json } = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = toJson(v);
    return out;
  }
  if (typeof value === 'string' || typeof value === 'boolean' || value === null) return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new KeyholdError('invalid-argument', 'attribute numbers must be finite');
    return value;
  }
  throw new KeyholdError('invalid-argument', `cannot store a value of type ${typeof value}`);
}

export function fromJson(json: Json): unknown {
  if (Array.isArray(json)) return json.map((v) => fromJson(v));
  if (json !== null && typeof json === 'object') {
    const keys = Object.keys(json);
    if (keys.length === 1) {
      const tag = json['$date'] ?? json['$bytes'] ?? json['$big'];
      if (tag !== undefined) {
        if (keys[0] === '$date' && typeof tag === 'number') return new Date(tag);
        if (keys[0] === '$bytes' && typeof tag === 'string') return new Uint8Array(Buffer.from(tag, 'base64'));
        if (keys[0] === '$big' && typeof tag === 'string') return BigInt(tag);
      }
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(json)) out[k] = fromJson(v);
    return out;
  }
  return json;
}

export function encodeAttributes(attributes: Attributes): string {
  return JSON.stringify(toJson(attributes));
}

export function decodeAttributes(text: string): Attributes {
  return fromJson(JSON.parse(text) as Json) as Attributes;
}

/** The parts of a managed object that are its key material (removed by Destroy). */
export interface StoredMaterial {
  keyBlock?: KeyBlock;
  value?: Uint8Array;
  valueType?: string;
  splitKey?: { [field: string]: AttributeValue };
}

export function materialOf(object: ManagedObject): StoredMaterial | undefined {
  const m: StoredMaterial = {};
  if (object.keyBlock !== undefined) m.keyBlock = object.keyBlock;
  if (object.value !== undefined) m.value = object.value;
  if (object.valueType !== undefined) m.valueType = object.valueType;
  if (object.splitKey !== undefined) m.splitKey = object.splitKey;
  return Object.keys(m).length === 0 ? undefined : m;
}

export function encodeMaterial(material: StoredMaterial | undefined): Buffer | null {
  return material === undefined ? null : Buffer.from(JSON.stringify(toJson(material)), 'utf8');
}

export function decodeMaterial(blob: Buffer | null): StoredMaterial | undefined {
  if (blob === null) return undefined;
  return fromJson(JSON.parse(blob.toString('utf8')) as Json) as StoredMaterial;
}

/**
 * A canonical text of a value for the attribute index and for equality: keys sorted, tagged
 * types as above. Two values are equal exactly when their canonical texts are.
 */
export function canonical(value: unknown): string {
  return JSON.stringify(sortKeys(toJson(value)));
}

function sortKeys(json: Json): Json {
  if (Array.isArray(json)) return json.map(sortKeys);
  if (json !== null && typeof json === 'object') {
    const out: { [k: string]: Json } = {};
    for (const k of Object.keys(json).sort()) out[k] = sortKeys(json[k] as Json);
    return out;
  }
  return json;
}
