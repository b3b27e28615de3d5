import { KeyholdError } from '../../shared/errors.js';
import {
  decodeAttributes,
  decodeMaterial,
  encodeAttributes,
  encodeMaterial,
  materialOf,
  type StoredMaterial,
} from './codec.js';
import { currentState } from './lifecycle.js';
import type { ManagedObject, ObjectType } from './model.js';
import { columnsOf, groupsOf, indexRowsOf, namesOf } from './rows.js';
import type { SqliteConnection, SqlValue } from './sqlite.js';

/** Row-level reads and writes of managed objects; the Vault wraps them in transactions. */

export interface StoredObject {
  seq: number;
  object: ManagedObject;
}

export interface ObjectRow {
  [k: string]: SqlValue;
  seq: number;
  uid: string;
  object_type: string;
  owner: string;
  archived: number;
  attributes: string;
  material: Buffer | null;
}

export function notFound(uid: string): KeyholdError {
  return new KeyholdError('not-found', `no object with Unique Identifier ${uid}`, { reason: 'Item Not Found' });
}

/** Rows per multi-row INSERT: well under SQLite's 32766 bound variables. */
const ROWS_PER_INSERT = 100;

function placeholders(rows: number, columns: number): string {
  const one = `(${new Array(columns).fill('?').join(', ')})`;
  return new Array(rows).fill(one).join(', ');
}

export async function insertRows(
  conn: SqliteConnection,
  head: string,
  columns: number,
  rows: SqlValue[][],
): Promise<void> {
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
    const chunk = rows.slice(i, i + ROWS_PER_INSERT);
    await conn.run(`${head} VALUES ${placeholders(chunk.length, columns)}`, chunk.flat());
  }
}

/**
 * Inserts many objects with multi-row statements (a few statements per hundred objects rather
 * than several per object): the bulk path of Register and of imports.
 */
export async function insertObjects(conn: SqliteConnection, objects: ManagedObject[]): Promise<void> {
  const seqOf = new Map<string, number>();
  for (let i = 0; i < objects.length; i += ROWS_PER_INSERT) {
    const chunk = objects.slice(i, i + ROWS_PER_INSERT);
    const params: SqlValue[] = [];
    for (const object of chunk) {
      const c = columnsOf(object);
      const d = c.dates;
      params.push(
        object.uniqueIdentifier,
        c.objectType,
        c.state,
        c.owner,
        c.algorithm,
        c.length,
        c.usageMask,
        d['initial_date'] ?? null,
        d['activation_date'] ?? null,
        d['deactivation_date'] ?? null,
        d['destroy_date'] ?? null,
        d['compromise_date'] ?? null,
        encodeAttributes(object.attributes),
        encodeMaterial(materialOf(object)),
      );
    }
    const rows = await conn.all<{ seq: number; uid: string }>(
      `INSERT INTO objects (uid, object_type, state, owner, algorithm, length, usage_mask, initial_date, activation_date,
         deactivation_date, destroy_date, compromise_date, attributes, material)
       VALUES ${placeholders(chunk.length, 14)} RETURNING seq, uid`,
      params,
    );
    for (const r of rows) seqOf.set(r.uid, r.seq);
  }
  const names: SqlValue[][] = [];
  const groups: SqlValue[][] = [];
  const attrs: SqlValue[][] = [];
  for (const object of objects) {
    const seq = seqOf.get(object.uniqueIdentifier) as number;
    for (const n of new Set(namesOf(object.attributes))) names.push([n, seq]);
    for (const g of new Set(groupsOf(object.attributes))) groups.push([g, seq]);
    for (const r of indexRowsOf(object.attributes)) attrs.push([r.name, r.value, seq, r.idx]);
  }
  await insertRows(conn, 'INSERT INTO names (name, seq)', 2, names);
  await insertRows(conn, 'INSERT INTO groups (grp, seq)', 2, groups);
  await insertRows(conn, 'INSERT OR IGNORE INTO attr_index (name, value, seq, idx)', 4, attrs);
}

/** Rewrites an object's attributes (and material when given; null removes it). */
export async function updateObject(
  conn: SqliteConnection,
  seq: number,
  object: ManagedObject,
  material: StoredMaterial | null | undefined,
): Promise<void> {
  const c = columnsOf(object);
  const d = c.dates;
  const params: SqlValue[] = [
    c.state,
    c.algorithm,
    c.length,
    c.usageMask,
    d['initial_date'] ?? null,
    d['activation_date'] ?? null,
    d['deactivation_date'] ?? null,
    d['destroy_date'] ?? null,
    d['compromise_date'] ?? null,
    encodeAttributes(object.attributes),
  ];
  const setMaterial = material === undefined ? '' : ', material = ?';
  if (material !== undefined) params.push(material === null ? null : encodeMaterial(material));
  params.push(seq);
  await conn.run(
    `UPDATE objects SET state = ?, algorithm = ?, length = ?, usage_mask = ?, initial_date = ?, activation_date = ?,
       deactivation_date = ?, destroy_date = ?, compromise_date = ?, attributes = ?${setMaterial} WHERE seq = ?`,
    params,
  );
  await syncIndexes(conn, seq, object);
}

export async function setArchived(conn: SqliteConnection, seq: number, archived: boolean): Promise<void> {
  await conn.run('UPDATE objects SET archived = ? WHERE seq = ?', [archived ? 1 : 0, seq]);
}

export async function deleteObject(conn: SqliteConnection, seq: number): Promise<void> {
  await clearIndexes(conn, seq);
  await conn.run('DELETE FROM objects WHERE seq = ?', [seq]);
}

async function clearIndexes(conn: SqliteConnection, seq: number): Promise<void> {
  await conn.run('DELETE FROM names WHERE seq = ?', [seq]);
  await conn.run('DELETE FROM groups WHERE seq = ?', [seq]);
  await conn.run('DELETE FROM attr_index WHERE seq = ?', [seq]);
}

/**
 * Brings an object's names, groups and attr_index rows to what its attributes give, touching only
 * the rows that changed: a delete and an insert of the same row would still rewrite its B-tree
 * page in the commit (Activate, or the first Get turning Fresh false, changes no index row).
 */
async function syncIndexes(conn: SqliteConnection, seq: number, object: ManagedObject): Promise<void> {
  const a = object.attributes;
  const tables: [table: string, columns: string[], rows: SqlValue[][]][] = [
    ['names', ['name'], namesOf(a).map((n) => [n])],
    ['groups', ['grp'], groupsOf(a).map((g) => [g])],
    ['attr_index', ['name', 'value', 'idx'], indexRowsOf(a).map((r) => [r.name, r.value, r.idx])],
  ];
  for (const [table, columns, rows] of tables) await syncTable(conn, table, columns, seq, rows);
}

/** One index table: the rows `want` (key columns other than seq) replace those stored for `seq`. */
async function syncTable(
  conn: SqliteConnection,
  table: string,
  columns: string[],
  seq: number,
  want: SqlValue[][],
): Promise<void> {
  // The key columns of these tables are text and integers: JSON keeps them exactly.
  const key = (row: SqlValue[]): string => JSON.stringify(row);
  const list = columns.join(', ');
  const stored = await conn.all<Record<string, SqlValue>>(`SELECT ${list} FROM ${table} WHERE seq = ?`, [seq]);
  const have = new Set(stored.map((r) => key(columns.map((c) => r[c] as SqlValue))));
  const wanted = new Map(want.map((row) => [key(row), row]));
  const match = columns.map((c) => `${c} = ?`).join(' AND ');
  for (const k of have) {
    if (!wanted.has(k))
      await conn.run(`DELETE FROM ${table} WHERE ${match} AND seq = ?`, [...(JSON.parse(k) as SqlValue[]), seq]);
  }
  const values = columns.map(() => '?').join(', ');
  for (const [k, row] of wanted) {
    if (!have.has(k)) await conn.run(`INSERT INTO ${table} (${list}, seq) VALUES (${values}, ?)`, [...row, seq]);
  }
}

export interface ListObjectsOptions {
  /** Skip this many objects (newest first). */
  offset?: number;
  /** At most this many objects. */
  limit?: number;
}

/**
 * Every object's metadata (no key material) in one query, newest first: the object browser's
 * list. Destroyed objects are included (their metadata stays until deleted).
 */
export async function readObjects(
  conn: SqliteConnection,
  now: Date,
  options: ListObjectsOptions = {},
): Promise<ManagedObject[]> {
  const rows = await conn.all<ObjectRow>(
    `SELECT seq, uid, object_type, owner, archived, attributes, NULL AS material
     FROM objects ORDER BY seq DESC LIMIT ? OFFSET ?`,
    [options.limit ?? -1, options.offset ?? 0],
  );
  return rows.map((row) => {
    const attributes = decodeAttributes(row.attributes);
    attributes['State'] = [currentState(attributes, now)];
    return {
      uniqueIdentifier: row.uid,
      objectType: row.object_type as ObjectType,
      attributes,
      owner: row.owner,
    };
  });
}

/**
 * Reads one object. The State attribute is the state as of `now` (date-driven transitions);
 * key material is included only when asked for.
 */
export async function readObject(
  conn: SqliteConnection,
  uid: string,
  now: Date,
  withMaterial: boolean,
): Promise<StoredObject & { archived: boolean }> {
  return objectFromRow(await readObjectRow(conn, uid, withMaterial), now);
}

/** One object's stored row (the material column only when asked for); not found throws. */
export async function readObjectRow(conn: SqliteConnection, uid: string, withMaterial: boolean): Promise<ObjectRow> {
  const row = await conn.get<ObjectRow>(
    `SELECT seq, uid, object_type, owner, archived, attributes, ${withMaterial ? 'material' : 'NULL AS material'}
     FROM objects WHERE uid = ?`,
    [uid],
  );
  if (row === undefined) throw notFound(uid);
  return row;
}

/** Decodes a stored row into fresh objects (nothing shared with the row), State as of `now`. */
export function objectFromRow(row: ObjectRow, now: Date): StoredObject & { archived: boolean } {
  const attributes = decodeAttributes(row.attributes);
  attributes['State'] = [currentState(attributes, now)];
  const object: ManagedObject = {
    uniqueIdentifier: row.uid,
    objectType: row.object_type as ObjectType,
    attributes,
    owner: row.owner,
  };
  const material = decodeMaterial(row.material);
  if (material !== undefined) Object.assign(object, material);
  return { seq: row.seq, object, archived: row.archived === 1 };
}
