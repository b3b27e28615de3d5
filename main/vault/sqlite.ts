import sqlcipher from '@journeyapps/sqlcipher';
import { KeyholdError } from '../../shared/errors.js';

/** A value SQLite stores: the only kinds the vault binds or reads. */
export type SqlValue = string | number | bigint | Buffer | null;
export type SqlRow = Record<string, SqlValue>;

interface SqliteError extends Error {
  code?: string;
}

/**
 * Promise face over one @journeyapps/sqlcipher connection. The callback API runs statements on
 * a worker thread in submission order; this wrapper adds nothing but promises, a prepared
 * statement cache and error mapping. Serializing whole transactions is the Vault's job.
 */
export class SqliteConnection {
  private readonly statements = new Map<string, sqlcipher.Statement>();

  private constructor(private readonly db: sqlcipher.Database) {}

  static open(file: string, create: boolean): Promise<SqliteConnection> {
    const mode = sqlcipher.OPEN_READWRITE | (create ? sqlcipher.OPEN_CREATE : 0);
    return new Promise((resolve, reject) => {
      const db: sqlcipher.Database = new sqlcipher.Database(file, mode, (err) => {
        if (err) reject(mapSqliteError(err));
        else resolve(new SqliteConnection(db));
      });
    });
  }

  /** Runs one statement that may carry several SQL commands and no parameters. */
  exec(sql: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.db.exec(sql, (err) => (err ? reject(mapSqliteError(err)) : resolve()));
    });
  }

  /** Runs a statement; returns the number of changed rows. Statements are prepared once and kept. */
  async run(sql: string, params: SqlValue[] = []): Promise<number> {
    return (await this.write(sql, params)).changes;
  }

  /** Runs an INSERT; returns the new row's rowid. */
  async insert(sql: string, params: SqlValue[] = []): Promise<number> {
    return (await this.write(sql, params)).lastID;
  }

  private write(sql: string, params: SqlValue[]): Promise<{ changes: number; lastID: number }> {
    const st = this.prepared(sql);
    return new Promise((resolve, reject) => {
      st.run(params, function (this: sqlcipher.RunResult, err: Error | null) {
        if (err) reject(mapSqliteError(err));
        else resolve({ changes: this.changes, lastID: this.lastID });
      });
    });
  }

  all<T extends SqlRow = SqlRow>(sql: string, params: SqlValue[] = []): Promise<T[]> {
    const st = this.prepared(sql);
    return new Promise((resolve, reject) => {
      st.all(params, (err: Error | null, rows: T[]) => (err ? reject(mapSqliteError(err)) : resolve(rows)));
    });
  }

  async get<T extends SqlRow = SqlRow>(sql: string, params: SqlValue[] = []): Promise<T | undefined> {
    const rows = await this.all<T>(sql, params);
    return rows[0];
  }

  /** Runs a statement that is not cached (PRAGMAs, one-off DDL). */
  once<T extends SqlRow = SqlRow>(sql: string): Promise<T[]> {
    return new Promise((resolve, reject) => {
      this.db.all(sql, (err: Error | null, rows: T[]) => (err ? reject(mapSqliteError(err)) : resolve(rows)));
    });
  }

  async close(): Promise<void> {
    for (const st of this.statements.values()) {
      await new Promise<void>((resolve) => st.finalize(() => resolve()));
    }
    this.statements.clear();
    await new Promise<void>((resolve, reject) => {
      this.db.close((err) => (err ? reject(mapSqliteError(err)) : resolve()));
    });
  }

  private prepared(sql: string): sqlcipher.Statement {
    let st = this.statements.get(sql);
    if (st === undefined) {
      st = this.db.prepare(sql);
      this.statements.set(sql, st);
    }
    return st;
  }
}

/** The SQLite result code of an error, e.g. "SQLITE_BUSY". */
export function sqliteCode(e: unknown): string | undefined {
  if (e instanceof KeyholdError && e.cause instanceof Error) return (e.cause as SqliteError).code;
  if (e instanceof Error) return (e as SqliteError).code;
  return undefined;
}

/** Maps SQLite failures to KeyholdErrors without leaking SQL text into user-facing messages. */
export function mapSqliteError(err: Error): KeyholdError {
  const code = (err as SqliteError).code ?? '';
  switch (code) {
    case 'SQLITE_BUSY':
    case 'SQLITE_LOCKED':
      return new KeyholdError('vault-in-use', 'the vault is in use by another process', { cause: err });
    case 'SQLITE_NOTADB':
      return new KeyholdError('vault-corrupt', 'the vault database cannot be read (corrupted or not a vault)', {
        cause: err,
      });
    case 'SQLITE_CORRUPT':
      return new KeyholdError('vault-corrupt', 'the vault database is corrupted', { cause: err });
    case 'SQLITE_CANTOPEN':
    case 'SQLITE_IOERR':
    case 'SQLITE_FULL':
    case 'SQLITE_READONLY':
    case 'SQLITE_PERM':
      return new KeyholdError('io', `vault storage error (${code})`, { cause: err });
    default:
      return new KeyholdError('internal', `vault database error: ${err.message}`, { cause: err });
  }
}
