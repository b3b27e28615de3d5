import Database from 'better-sqlite3-multiple-ciphers';
import { KeyholdError } from '../../shared/errors.js';

/** A value SQLite stores: the only kinds the vault binds or reads. */
export type SqlValue = string | number | bigint | Buffer | null;
export type SqlRow = Record<string, SqlValue>;

interface SqliteError extends Error {
  code?: string;
}

type Statement = Database.Statement<SqlValue[], SqlRow>;

/**
 * One SQLite connection in the SQLCipher 4 file format (better-sqlite3-multiple-ciphers with its
 * `sqlcipher` scheme at `legacy = 4`: the same pages, KDF and HMACs as SQLCipher 4, so files
 * move both ways between it and SQLCipher itself).
 *
 * Statements run synchronously on the calling thread. That is on purpose: the vault's one
 * serialized section then never waits for a thread-pool hop on a busy event loop, which was
 * most of the server's tail latency; a statement here takes microseconds, a commit one fsync.
 * The methods keep a promise face so callers read the same either way, with a prepared
 * statement cache and error mapping. Serializing whole transactions is the Vault's job.
 */
export class SqliteConnection {
  private readonly statements = new Map<string, Statement>();

  private constructor(private readonly db: Database.Database) {}

  static open(file: string, create: boolean): Promise<SqliteConnection> {
    return settle(() => {
      const db = new Database(file, { fileMustExist: !create });
      try {
        // The cipher scheme is chosen before the key: SQLCipher 4's page format and defaults.
        db.pragma("cipher = 'sqlcipher'");
        db.pragma('legacy = 4');
      } catch (e) {
        db.close();
        throw e;
      }
      return new SqliteConnection(db);
    });
  }

  /**
   * Keys the connection with a raw 256-bit key (SQLCipher's x'...' form: no KDF). The key text
   * is built in a Buffer, handed to SQLite and wiped; it never becomes a JavaScript string.
   */
  key(rawKey: Buffer): Promise<void> {
    const text = rawKeyText(rawKey);
    return settle(() => {
      try {
        this.db.key(text);
      } finally {
        text.fill(0);
      }
    });
  }

  /** Runs one statement that may carry several SQL commands and no parameters. */
  exec(sql: string): Promise<void> {
    return settle(() => {
      this.db.exec(sql);
    });
  }

  /** Runs a statement; returns the number of changed rows. Statements are prepared once and kept. */
  run(sql: string, params: SqlValue[] = []): Promise<number> {
    return settle(() => this.prepared(sql).run(...params).changes);
  }

  /** Runs an INSERT; returns the new row's rowid. */
  insert(sql: string, params: SqlValue[] = []): Promise<number> {
    return settle(() => Number(this.prepared(sql).run(...params).lastInsertRowid));
  }

  all<T extends SqlRow = SqlRow>(sql: string, params: SqlValue[] = []): Promise<T[]> {
    return settle(() => this.prepared(sql).all(...params) as T[]);
  }

  get<T extends SqlRow = SqlRow>(sql: string, params: SqlValue[] = []): Promise<T | undefined> {
    return settle(() => this.prepared(sql).get(...params) as T | undefined);
  }

  /** Runs a statement that is not cached (PRAGMAs, one-off DDL); rows if it returns any. */
  once<T extends SqlRow = SqlRow>(sql: string): Promise<T[]> {
    return settle(() => {
      const st = this.db.prepare<SqlValue[], T>(sql);
      if (st.reader) return st.all();
      st.run();
      return [];
    });
  }

  close(): Promise<void> {
    this.statements.clear();
    return settle(() => {
      this.db.close();
    });
  }

  private prepared(sql: string): Statement {
    let st = this.statements.get(sql);
    if (st === undefined) {
      st = this.db.prepare<SqlValue[], SqlRow>(sql);
      this.statements.set(sql, st);
    }
    return st;
  }
}

/** Runs a synchronous SQLite call as a settled promise; failures become KeyholdErrors. */
function settle<T>(call: () => T): Promise<T> {
  try {
    return Promise.resolve(call());
  } catch (e) {
    return Promise.reject(mapSqliteError(e as Error));
  }
}

const HEX = Buffer.from('0123456789abcdef');

/** `x'<hex>'` as bytes: how SQLCipher takes a raw key. The caller wipes it after use. */
export function rawKeyText(rawKey: Buffer): Buffer {
  const text = Buffer.alloc(rawKey.length * 2 + 3);
  text[0] = 0x78; // x
  text[1] = 0x27; // '
  for (let i = 0; i < rawKey.length; i++) {
    const b = rawKey[i] as number;
    text[2 + i * 2] = HEX[b >> 4] as number;
    text[3 + i * 2] = HEX[b & 15] as number;
  }
  text[text.length - 1] = 0x27;
  return text;
}

/** The primary SQLite result code of an error, e.g. "SQLITE_CONSTRAINT" for "SQLITE_CONSTRAINT_UNIQUE". */
export function sqliteCode(e: unknown): string | undefined {
  const err = e instanceof KeyholdError && e.cause instanceof Error ? e.cause : e;
  return err instanceof Error ? primaryCode(err) : undefined;
}

function primaryCode(err: Error): string | undefined {
  return /^SQLITE_[A-Z]+/.exec((err as SqliteError).code ?? '')?.[0];
}

/** Maps SQLite failures to KeyholdErrors without leaking SQL text into user-facing messages. */
export function mapSqliteError(err: Error): KeyholdError {
  // Extended result codes ("SQLITE_IOERR_WRITE") map as their primary code.
  const code = primaryCode(err) ?? '';
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
