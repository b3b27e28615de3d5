import { KeyholdError } from '../../shared/errors.js';
import type { AttributeValue, Attributes, State } from './model.js';
import { toJson } from './codec.js';
import { DATE_COLUMNS, indexText, isStructure, nameValue, UNINDEXED } from './rows.js';
import type { SqlValue } from './sqlite.js';

/**
 * Locate (KMIP 2.1 section 6.1.28) as SQL over the object table and its index tables.
 * The filters are KMIP's: every attribute given must match (AND); two instances of a Date
 * attribute are a range, limits included; a structure matches on the fields given; the Usage
 * Mask matches when all requested bits are set. Names take shell wildcards, "*" and "?"
 * (KMIP 1.4 section 4.9 lets a server support wildcards on text fields). Results are the most
 * recently created first, as the spec requires.
 */
export interface LocateQuery {
  /** Attributes to match, in the model's form; several instances of one attribute all must match. */
  attributes?: Attributes;
  /** Only objects created by this identity. */
  owner?: string;
  /** With owner: these objects too (ones granted to that identity), when they match the rest. */
  alsoUniqueIdentifiers?: string[];
  maximumItems?: number;
  offsetItems?: number;
  /** KMIP Storage Status Mask: 1 on-line, 2 archived, 4 destroyed. Default 1. */
  storageStatusMask?: number;
  /** Also count every match (the Locate response's Located Items). */
  countLocated?: boolean;
  /** The instant date-driven states are evaluated at; default now. */
  now?: Date;
}

export interface LocateResult {
  uniqueIdentifiers: string[];
  locatedItems?: number;
}

export const STORAGE_ONLINE = 1;
export const STORAGE_ARCHIVED = 2;
export const STORAGE_DESTROYED = 4;

interface Sql {
  where: string[];
  params: SqlValue[];
}

const DESTROYED_STATES = `('Destroyed','DestroyedCompromised')`;

export function buildLocate(query: LocateQuery): {
  sql: string;
  countSql: string;
  params: SqlValue[];
  paging: SqlValue[];
} {
  const q: Sql = { where: [], params: [] };
  const now = (query.now ?? new Date()).getTime();
  for (const [name, values] of Object.entries(query.attributes ?? {})) addAttribute(q, name, values, now);
  if (query.owner !== undefined) {
    const also = query.alsoUniqueIdentifiers ?? [];
    q.where.push(also.length === 0 ? 'o.owner = ?' : `(o.owner = ? OR o.uid IN (${also.map(() => '?').join(',')}))`);
    q.params.push(query.owner, ...also);
  }
  storage(q, query.storageStatusMask ?? STORAGE_ONLINE);
  const where = q.where.length === 0 ? '' : `WHERE ${q.where.join(' AND ')}`;
  const max = query.maximumItems;
  const offset = query.offsetItems ?? 0;
  if (max !== undefined && (!Number.isInteger(max) || max < 0))
    throw invalid('Maximum Items must be a non-negative integer');
  if (!Number.isInteger(offset) || offset < 0) throw invalid('Offset Items must be a non-negative integer');
  return {
    sql: `SELECT o.uid AS uid FROM objects o ${where} ORDER BY o.seq DESC LIMIT ? OFFSET ?`,
    countSql: `SELECT count(*) AS n FROM objects o ${where}`,
    params: q.params,
    paging: [max ?? -1, offset],
  };
}

function invalid(message: string): KeyholdError {
  return new KeyholdError('invalid-argument', message, { reason: 'Invalid Field' });
}

function storage(q: Sql, mask: number): void {
  const parts: string[] = [];
  if (mask & STORAGE_ONLINE) parts.push(`(o.archived = 0 AND o.state NOT IN ${DESTROYED_STATES})`);
  if (mask & STORAGE_ARCHIVED) parts.push('o.archived = 1');
  if (mask & STORAGE_DESTROYED) parts.push(`o.state IN ${DESTROYED_STATES}`);
  q.where.push(parts.length === 0 ? '0' : `(${parts.join(' OR ')})`);
}

function addAttribute(q: Sql, name: string, values: AttributeValue[], now: number): void {
  if (values.length === 0) return;
  const dateColumn = DATE_COLUMNS[name];
  if (dateColumn !== undefined) return dateFilter(q, `o.${dateColumn}`, name, values);
  switch (name) {
    case 'UniqueIdentifier':
      return each(q, values, (v) => ['o.uid = ?', [text(name, v)]]);
    case 'ObjectType':
      return each(q, values, (v) => ['o.object_type = ?', [text(name, v)]]);
    case 'CryptographicAlgorithm':
      return each(q, values, (v) => ['o.algorithm = ?', [text(name, v)]]);
    case 'CryptographicLength':
      return each(q, values, (v) => ['o.length = ?', [integer(name, v)]]);
    case 'CryptographicUsageMask':
      return each(q, values, (v) => ['(o.usage_mask & ?) = ?', [integer(name, v), integer(name, v)]]);
    case 'State':
      return each(q, values, (v) => stateFilter(text(name, v) as State, now));
    case 'Name':
      return each(q, values, (v) => {
        const n = nameValue(v);
        if (n === undefined) throw invalid('a Name filter needs a Name Value');
        return hasWildcard(n)
          ? ['o.seq IN (SELECT seq FROM names WHERE name GLOB ?)', [toGlob(n)]]
          : ['o.seq IN (SELECT seq FROM names WHERE name = ?)', [n]];
      });
    case 'ObjectGroup':
      return each(q, values, (v) => ['o.seq IN (SELECT seq FROM groups WHERE grp = ?)', [text(name, v)]]);
    default:
      if (UNINDEXED.has(name)) return storedFilter(q, name, values);
      if (values.every((v) => v instanceof Date)) return indexedDateFilter(q, name, values as Date[]);
      return each(q, values, (v) => indexedFilter(name, v));
  }
}

function each(q: Sql, values: AttributeValue[], f: (v: AttributeValue) => [string, SqlValue[]]): void {
  for (const v of values) {
    const [sql, params] = f(v);
    q.where.push(sql);
    q.params.push(...params);
  }
}

function text(name: string, v: AttributeValue): string {
  if (typeof v !== 'string') throw invalid(`${name} must be given as text`);
  return v;
}

function integer(name: string, v: AttributeValue): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw invalid(`${name} must be an integer`);
  return v;
}

function dateRange(name: string, values: AttributeValue[]): [number, number] {
  if (values.length > 2 || !values.every((v) => v instanceof Date)) {
    throw invalid(`${name} takes one date, or two for a range`);
  }
  const ms = (values as Date[]).map((d) => d.getTime());
  return [Math.min(...ms), Math.max(...ms)];
}

function dateFilter(q: Sql, column: string, name: string, values: AttributeValue[]): void {
  const [from, to] = dateRange(name, values);
  q.where.push(`${column} BETWEEN ? AND ?`);
  q.params.push(from, to);
}

function indexedDateFilter(q: Sql, name: string, values: Date[]): void {
  const [from, to] = dateRange(name, values);
  q.where.push('o.seq IN (SELECT seq FROM attr_index WHERE name = ? AND value BETWEEN ? AND ?)');
  q.params.push(name, indexText(new Date(from)), indexText(new Date(to)));
}

function indexedFilter(name: string, v: AttributeValue): [string, SqlValue[]] {
  if (!isStructure(v))
    return ['o.seq IN (SELECT seq FROM attr_index WHERE name = ? AND value = ?)', [name, indexText(v)]];
  const fields = Object.entries(v);
  if (fields.length === 0) {
    // Any instance: a structure is indexed by its fields ("Link.LinkType"), by its whole value
    // only when it has none.
    return [
      'o.seq IN (SELECT seq FROM attr_index WHERE name = ? OR (name > ? AND name < ?))',
      [name, `${name}.`, `${name}/`],
    ];
  }
  // Every field given must match within the same attribute instance (same seq and idx).
  const [f0, ...rest] = fields as [[string, AttributeValue], ...[string, AttributeValue][]];
  const joins = rest
    .map(
      (_, i) =>
        `JOIN attr_index a${i + 1} ON a${i + 1}.seq = a0.seq AND a${i + 1}.idx = a0.idx AND a${i + 1}.name = ? AND a${i + 1}.value = ?`,
    )
    .join(' ');
  const params: SqlValue[] = [];
  for (const [field, fv] of rest) params.push(`${name}.${field}`, indexText(fv));
  return [
    `o.seq IN (SELECT a0.seq FROM attr_index a0 ${joins} WHERE a0.name = ? AND a0.value = ?)`,
    [...params, `${name}.${f0[0]}`, indexText(f0[1])],
  ];
}

/**
 * A filter on an attribute that is not indexed (rows.ts UNINDEXED), matched against the
 * attributes JSON each candidate row stores (codec.ts: dates as {"$date": ms}, bytes as
 * {"$bytes": base64}): with the same rules as the indexed ones (one date or a range, a structure on
 * the fields given within one instance). SQLite evaluates it only on the rows the other filters'
 * indexes leave.
 */
function storedFilter(q: Sql, name: string, values: AttributeValue[]): void {
  const instances = 'json_each(o.attributes, ?)';
  const path = `$.${jsonKey(name)}`;
  if (values.every((v) => v instanceof Date)) {
    const [from, to] = dateRange(name, values);
    q.where.push(
      `EXISTS (SELECT 1 FROM ${instances} j WHERE json_extract(o.attributes, j.fullkey || ?) BETWEEN ? AND ?)`,
    );
    q.params.push(path, '."$date"', from, to);
    return;
  }
  for (const v of values) {
    const match: Sql = { where: [], params: [] };
    jsonEquals(match, '', v);
    const where = match.where.length === 0 ? '' : ` WHERE ${match.where.join(' AND ')}`;
    q.where.push(`EXISTS (SELECT 1 FROM ${instances} j${where})`);
    q.params.push(path, ...match.params);
  }
}

/**
 * Conditions that the stored JSON at `j.fullkey` + `suffix` equals `v` in the model's JSON form;
 * a structure matches on the fields given (others may differ).
 */
function jsonEquals(c: Sql, suffix: string, v: AttributeValue): void {
  const at = (extra = ''): SqlValue => suffix + extra;
  const value = (extra: string, sqlValue: SqlValue): void => {
    c.where.push('json_extract(o.attributes, j.fullkey || ?) = ?');
    c.params.push(at(extra), sqlValue);
  };
  const type = (types: string[]): void => {
    c.where.push(`json_type(o.attributes, j.fullkey || ?) IN (${types.map(() => '?').join(',')})`);
    c.params.push(at(), ...types);
  };
  if (v instanceof Date || v instanceof Uint8Array || typeof v === 'bigint') {
    const [tag, stored] = Object.entries(toJson(v) as Record<string, SqlValue>)[0]!;
    return value(`.${jsonKey(tag)}`, stored);
  }
  if (typeof v === 'boolean') return type([v ? 'true' : 'false']);
  if (v === null) return type(['null']);
  if (typeof v === 'string') {
    type(['text']);
    return value('', v);
  }
  if (typeof v === 'number') {
    type(['integer', 'real']);
    return value('', v);
  }
  if (Array.isArray(v)) {
    c.where.push('json(json_extract(o.attributes, j.fullkey || ?)) = json(?)');
    c.params.push(at(), JSON.stringify(toJson(v)));
    return;
  }
  for (const [field, fv] of Object.entries(v)) jsonEquals(c, `${suffix}.${jsonKey(field)}`, fv);
}

/** An object key as a JSON path step: quoted, so any attribute or field name is taken literally. */
function jsonKey(key: string): string {
  if (key.includes('"')) throw invalid(`no attribute or field name has a double quote: ${key}`);
  return `"${key}"`;
}

/** The State filter with the date-driven transitions of lifecycle.ts evaluated at `now`. */
function stateFilter(state: State, now: number): [string, SqlValue[]] {
  const notDeactivated = '(o.deactivation_date IS NULL OR o.deactivation_date > ?)';
  switch (state) {
    case 'PreActive':
      return ["(o.state = 'PreActive' AND (o.activation_date IS NULL OR o.activation_date > ?))", [now]];
    case 'Active':
      return [
        `((o.state = 'Active' AND ${notDeactivated}) OR (o.state = 'PreActive' AND o.activation_date <= ? AND ${notDeactivated}))`,
        [now, now, now],
      ];
    case 'Deactivated':
      return [
        "(o.state = 'Deactivated' OR (o.state = 'Active' AND o.deactivation_date <= ?) OR (o.state = 'PreActive' AND o.activation_date <= ? AND o.deactivation_date <= ?))",
        [now, now, now],
      ];
    default:
      return ['o.state = ?', [state]];
  }
}

function hasWildcard(s: string): boolean {
  return s.includes('*') || s.includes('?');
}

/** Shell wildcards to SQLite GLOB: "*" and "?" keep their meaning, "[" is escaped. */
function toGlob(s: string): string {
  return s.replace(/\[/g, '[[]');
}
