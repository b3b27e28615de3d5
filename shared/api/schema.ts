/**
 * A small runtime schema: each call's request is checked against one of these before it reaches
 * the engine, whoever sends it (IPC from the window or HTTP from the web console). The TypeScript
 * type of a request is inferred from its schema, so the contract is written once.
 */
import { KeyholdError } from '../errors.js';

export interface Schema<T> {
  /** Returns the value typed, or throws KeyholdError('invalid-argument') naming the bad field. */
  parse(value: unknown, path?: string): T;
  readonly optional?: boolean;
}

export type Infer<S> = S extends Schema<infer T> ? T : never;

function fail(path: string, what: string): never {
  throw new KeyholdError('invalid-argument', `${path || 'request'} ${what}`);
}

export function string(opts: { min?: number; max?: number; pattern?: RegExp } = {}): Schema<string> {
  const { min = 0, max = 4096, pattern } = opts;
  return {
    parse(v, path = '') {
      if (typeof v !== 'string') fail(path, 'must be text');
      if (v.length < min) fail(path, min === 1 ? 'must not be empty' : `must be at least ${min} characters`);
      if (v.length > max) fail(path, `must be at most ${max} characters`);
      if (pattern && !pattern.test(v)) fail(path, 'has an invalid form');
      return v;
    },
  };
}

export function integer(opts: { min?: number; max?: number } = {}): Schema<number> {
  const { min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER } = opts;
  return {
    parse(v, path = '') {
      if (typeof v !== 'number' || !Number.isInteger(v)) fail(path, 'must be a whole number');
      if (v < min || v > max) fail(path, `must be between ${min} and ${max}`);
      return v;
    },
  };
}

export function boolean(): Schema<boolean> {
  return {
    parse(v, path = '') {
      if (typeof v !== 'boolean') fail(path, 'must be true or false');
      return v;
    },
  };
}

export function literal<const T extends readonly string[]>(...values: T): Schema<T[number]> {
  return {
    parse(v, path = '') {
      if (typeof v !== 'string' || !values.includes(v)) fail(path, `must be one of ${values.join(', ')}`);
      return v as T[number];
    },
  };
}

/** An ISO 8601 date-time string. */
export function isoDate(): Schema<string> {
  return {
    parse(v, path = '') {
      if (typeof v !== 'string' || v.length > 40 || Number.isNaN(Date.parse(v))) fail(path, 'must be a date');
      return v;
    },
  };
}

/** Base64 bytes (imports, exports), bounded. */
export function base64(maxBytes = 8 * 1024 * 1024): Schema<string> {
  return {
    parse(v, path = '') {
      if (typeof v !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(v)) fail(path, 'must be base64 data');
      if ((v.length * 3) / 4 > maxBytes) fail(path, `must be at most ${maxBytes} bytes`);
      return v;
    },
  };
}

export function array<T>(item: Schema<T>, opts: { max?: number } = {}): Schema<T[]> {
  const { max = 1000 } = opts;
  return {
    parse(v, path = '') {
      if (!Array.isArray(v)) fail(path, 'must be a list');
      if (v.length > max) fail(path, `must have at most ${max} entries`);
      return v.map((x, i) => item.parse(x, `${path}[${i}]`));
    },
  };
}

export function optional<T>(inner: Schema<T>): Schema<T | undefined> & { readonly optional: true } {
  return {
    optional: true as const,
    parse(v, path = '') {
      return v === undefined || v === null ? undefined : inner.parse(v, path);
    },
  };
}

type Shape = Record<string, Schema<unknown>>;
type OptionalKeys<S extends Shape> = { [K in keyof S]: S[K] extends { optional: true } ? K : never }[keyof S];
type RequiredKeys<S extends Shape> = Exclude<keyof S, OptionalKeys<S>>;
export type ObjectOf<S extends Shape> = { [K in RequiredKeys<S>]: Infer<S[K]> } & {
  [K in OptionalKeys<S>]?: Infer<S[K]>;
};

/** A plain object with exactly these fields; unknown fields are refused. */
export function object<S extends Shape>(shape: S): Schema<ObjectOf<S>> {
  return {
    parse(v, path = '') {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(path, 'must be an object');
      const input = v as Record<string, unknown>;
      for (const key of Object.keys(input)) {
        if (!Object.hasOwn(shape, key)) fail(path ? `${path}.${key}` : key, 'is not a known field');
      }
      const out: Record<string, unknown> = {};
      for (const [key, field] of Object.entries(shape)) {
        const parsed = field.parse(input[key], path ? `${path}.${key}` : key);
        if (parsed !== undefined) out[key] = parsed;
      }
      return out as ObjectOf<S>;
    },
  };
}

/** The empty request. */
export const none: Schema<Record<string, never>> & { readonly optional: true } = {
  optional: true as const,
  parse(v, path = '') {
    if (v === undefined || v === null) return {};
    if (typeof v !== 'object' || Array.isArray(v) || Object.keys(v).length > 0) fail(path, 'takes no fields');
    return {};
  },
};
