import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes, randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { KeyholdError, isKeyholdError } from '../../shared/errors.js';
import {
  AuditVerifier,
  auditJsonLine,
  entryHash,
  genesisHash,
  type AuditEntry,
  type AuditInput,
  type AuditVerification,
} from './audit.js';
import type { StoredMaterial } from './codec.js';
import { databasePath, headerPath, HEADER_VERSION, readHeader, writeHeader, type VaultHeader } from './header.js';
import {
  DATA_KEY_BYTES,
  keySlotProvider,
  newSlotId,
  registerKeySlotProvider,
  type KeySlot,
  type SealOptions,
  type UnlockMethod,
} from './key-slots.js';
import * as lifecycle from './lifecycle.js';
import { buildLocate, type LocateQuery, type LocateResult } from './locate.js';
import { MIGRATIONS, SCHEMA_VERSION } from './migrations/index.js';
import type { AttributeValue, Attributes, ManagedObject, ObjectType } from './model.js';
import { Mutex } from './mutex.js';
import {
  deleteObject,
  insertObjects,
  insertRows,
  objectFromRow,
  readObject,
  readObjectRow,
  readObjects,
  setArchived,
  updateObject,
  type ListObjectsOptions,
  type ObjectRow,
  type StoredObject,
} from './object-store.js';
import { passphraseSlotProvider } from './passphrase-slot.js';
import { SqliteConnection, sqliteCode, type SqlRow, type SqlValue } from './sqlite.js';
import { WalSync } from './wal-sync.js';
import { Checkpointer } from './checkpointer.js';
import { checkPageAuthentication } from './page-check.js';
import { LOCK_FILE, VaultProcessLock } from './process-lock.js';

registerKeySlotProvider(passphraseSlotProvider);

/** A new object: the vault assigns the Unique Identifier (UUIDv4) unless one is given. */
export type NewManagedObject = Omit<ManagedObject, 'uniqueIdentifier'> & { uniqueIdentifier?: string };

export interface CreateVaultOptions {
  /** The first unlock method (a vault always has at least one key slot). */
  unlock: UnlockMethod;
  label?: string;
  /** Provider options, e.g. { argon2: { memoryKiB, iterations, parallelism } } (tests use cheap ones). */
  sealOptions?: SealOptions;
  /** Who creates it, for the audit chain. */
  identity?: string;
  onProgress?: (message: string) => void;
}

export interface OpenVaultOptions {
  unlock: UnlockMethod;
  onProgress?: (message: string) => void;
}

export type KeySlotInfo = Omit<KeySlot, 'wrappedKey'>;

export interface VaultInfo {
  path: string;
  vaultId: string;
  createdAt: string;
  formatVersion: number;
  schemaVersion: number;
  objects: number;
  objectsByType: Record<string, number>;
  auditEntries: number;
  slots: KeySlotInfo[];
  databaseBytes: number;
}

export interface VaultVerification {
  audit: AuditVerification;
  /** SQLite quick_check and SQLCipher page HMAC check; empty when all is well. */
  databaseProblems: string[];
}

/** A Revoke request's fields (KMIP 2.1 section 6.1.47). */
export interface RevokeRequest {
  reason: lifecycle.RevocationReason;
  compromiseOccurrenceDate?: Date;
}

/** Attributes only the vault sets (through lifecycle operations), never a client directly. */
export const READ_ONLY_ATTRIBUTES: ReadonlySet<string> = new Set([
  'UniqueIdentifier',
  'ObjectType',
  'State',
  'InitialDate',
  'DestroyDate',
  'CompromiseDate',
  'CompromiseOccurrenceDate',
  'RevocationReason',
  'ArchiveDate',
  'LastChangeDate',
]);

interface TxContext {
  vault: Vault;
  head: { seq: number; hash: string };
}

const txStore = new AsyncLocalStorage<TxContext>();

/** At most this many transactions share one commit (one fsync). */
const MAX_GROUP_MEMBERS = 64;

/**
 * SQLite's automatic checkpoint is off: it would run inside some caller's COMMIT, with two
 * fsyncs on the event loop, and that caller's whole group would wait. The Checkpointer's
 * thread checkpoints instead, asked once the WAL took about this much work: a commit counts one
 * plus one per object it changed (a KMIP request is one or two; a bulk import of 100 keys is
 * 101), so the WAL stays at a few MiB whatever the load.
 */
const CHECKPOINT_EVERY = 1024;

/**
 * When the WAL starts over. A checkpoint round on the thread leaves behind the frames committed
 * while it ran, so the WAL cannot start over from its beginning by itself under a load that
 * never pauses. One more short round with the vault's lock held does it (Vault.finishCheckpoint),
 * but every request waits for that round: two fsyncs, 9 ms median and up to 24 ms measured at
 * 25% load, as long as the disk's stall when one comes (up to 78 ms measured here). So it runs
 * once the vault has committed nothing for `quietMs` (no one is waiting then), and under a load
 * that never pauses after `finishAtMostRounds` rounds anyway, as PostgreSQL's max_wal_size bounds
 * its WAL between checkpoints: 109 MB the largest WAL measured in the bench (its closed loops,
 * with 16); the file keeps that size until the vault locks and truncates it.
 */
export interface CheckpointPacing {
  /** Rounds asked for since the WAL last started over, after which it starts over at once. */
  finishAtMostRounds: number;
  /** How long the vault must have committed nothing before the WAL starts over (ms). */
  quietMs: number;
}

const DEFAULT_CHECKPOINT_PACING: CheckpointPacing = { finishAtMostRounds: 16, quietMs: 100 };

/**
 * When a caller hears that its commit is done.
 * - `changes` (the default): a change (an object, an attribute, a setting, whatever a commit
 *   writes beyond audit entries) once the WAL holding it is on disk, so a power cut cannot take
 *   it back; a read once everything it may have seen is on disk (the fsync that follows the
 *   latest change), and its own audit entries written to the operating system, which keeps them
 *   through a crash of Keyhold, their fsync begun at once: a power cut or OS crash may lose the
 *   audit entries of the reads of its last milliseconds, never a change nor anything a client
 *   was told. Reads that see the audit log itself wait for every fsync.
 * - `fsync`: every answer, a read's included, once its audit entries are on disk too.
 * - `write`: every answer once SQLite wrote the WAL to the operating system; the fsync follows at
 *   once, off the event loop, and a power cut or OS crash may lose the commits of its last
 *   milliseconds (as PostgreSQL's synchronous_commit = off).
 * A failed fsync stops the vault in every mode.
 */
export type CommitDurability = 'changes' | 'fsync' | 'write';

/** Committed object rows kept for uses (Get, Encrypt...), most recently read last. */
const USE_CACHE_ROWS = 4096;

/**
 * Transactions that ran, each in its own savepoint, inside one open SQL transaction, and whose
 * callers hear of their success only when that transaction has committed.
 */
interface CommitGroup {
  /**
   * Whether the group's SQL transaction is open. It begins with the first member that writes
   * (or reads the audit table); until then members only buffered audit rows, and a group that
   * never began commits those with one INSERT on its own (an implicit transaction, as durable
   * as a COMMIT): a Get or Encrypt then costs one database round trip, not three.
   */
  begun: boolean;
  /** The audit chain's head before the group: restored if its commit fails. */
  startHead: { seq: number; hash: string };
  members: Caller[];
  /** Audit rows of the group, chained in order, written in one statement before its COMMIT. */
  pendingAudit: SqlValue[][];
  /** Objects the group changed: their rows are not committed, so never cached. */
  changed: Set<string>;
}

/**
 * Someone waiting to hear of a commit. `object`: the only object a read saw (a use of one key),
 * when it is known; its answer then waits only for that object's changes (see Vault.answer).
 */
interface Caller {
  commit(): void;
  fail(e: unknown): void;
  object?: string;
}

const AUDIT_INSERT = 'INSERT INTO audit (seq, time, identity, operation, object, result, detail, prev_hash, hash)';

/**
 * Up to this many audit rows, a group writes them in one call with its commit: one INSERT alone
 * if it never began, else the INSERT and the COMMIT in one script.
 */
const AUTOCOMMIT_AUDIT_ROWS = 100;

/** One audit INSERT statement for `rows` rows (9 columns each). */
function auditInsertSql(rows: number): string {
  return `${AUDIT_INSERT} VALUES ${new Array<string>(rows).fill('(?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`;
}

/**
 * An audit value as an SQL literal, for the INSERT that goes in one call with its COMMIT: text
 * as its UTF-8 bytes in hex, cast back to TEXT (what binding it stores; no quoting to get
 * wrong), integers as digits. Audit rows hold no key material.
 */
function auditLiteral(v: SqlValue): string {
  if (v === null) return 'NULL';
  if (typeof v === 'string') return `CAST(X'${Buffer.from(v, 'utf8').toString('hex')}' AS TEXT)`;
  if (typeof v === 'bigint' || (typeof v === 'number' && Number.isSafeInteger(v))) return String(v);
  throw new KeyholdError('internal', 'an audit value that is not text nor an integer');
}

/** The group's audit rows and its COMMIT as one script: one call, one round trip. */
function auditCommitSql(rows: SqlValue[][]): string {
  if (rows.length === 0) return 'COMMIT';
  const values = rows.map((r) => `(${r.map(auditLiteral).join(', ')})`).join(', ');
  return `${AUDIT_INSERT} VALUES ${values}; COMMIT`;
}

/**
 * An unlocked vault. All database work goes through one connection and one FIFO mutex, so
 * transactions never interleave; a transaction() joins an enclosing one, so one KMIP operation
 * (several vault calls) is one transaction. Every change appends to the audit chain in the same
 * transaction as the change itself.
 *
 * Group commit: a transaction is not committed on its own. Statements run synchronously (see
 * SqliteConnection), so every caller that arrives in the same turn of the event loop (the
 * requests of every connection whose bytes came in together) runs in the same SQL transaction,
 * each in a savepoint (a failure rolls back only its own savepoint), and one COMMIT at the end
 * of that turn makes them all durable: its WAL frames are fsynced on the thread pool (WalSync)
 * while the next group already runs.
 * No caller hears of success, nor gets a read, before the commit that covers it: a result never
 * reaches a client that a power cut could take back (with the default durability a read's own
 * audit entries may still be on their way to the disk, see CommitDurability).
 */
export class Vault {
  private conn: SqliteConnection | undefined;
  private dataKey: Buffer | undefined;
  private readonly mutex = new Mutex();
  private auditHead: { seq: number; hash: string };
  private group: CommitGroup | undefined;
  /** Whether the open group's COMMIT is due at the end of this turn of the event loop. */
  private commitDue = false;
  private readonly walSync: WalSync;
  private readonly checkpointer: Checkpointer;
  private commitsSinceCheckpoint = 0;
  /** Checkpoint rounds asked for since the last one that let the WAL start over. */
  private roundsSinceFinish = 0;
  private checkpointPacing = DEFAULT_CHECKPOINT_PACING;
  /** When the latest commit that wrote was made (performance.now()), and the timer that waits for quiet. */
  private lastCommitAt = 0;
  private quietTimer: NodeJS.Timeout | undefined;
  private durability: CommitDurability = 'changes';
  /** The WAL sync begun after the latest commit with a change, until it is done: what reads wait for. */
  private changeSync: Promise<void> | undefined;
  /** For each object changed by a commit whose sync is still running: that sync. */
  private readonly objectSyncs = new Map<string, Promise<void>>();
  /** Set when a commit could not be made durable: the vault then refuses all work. */
  private failure: KeyholdError | undefined;
  /**
   * Committed rows (key material included) of objects recently used, by Unique Identifier: a
   * use then needs no database round trip inside the write lock. A row enters only when no
   * open change covers it; a change drops it; a failed commit drops them all. The rows are
   * never handed out (each use decodes fresh objects), and are wiped when dropped or locked.
   */
  private readonly useCache = new Map<string, ObjectRow>();

  private constructor(
    readonly path: string,
    private header: VaultHeader,
    conn: SqliteConnection,
    dataKey: Buffer,
    auditHead: { seq: number; hash: string },
    private readonly processLock: VaultProcessLock,
  ) {
    this.conn = conn;
    this.dataKey = dataKey;
    this.auditHead = auditHead;
    this.walSync = new WalSync(`${databasePath(path)}-wal`);
    this.checkpointer = new Checkpointer(databasePath(path), () => this.requireDataKey());
  }

  get vaultId(): string {
    return this.header.vaultId;
  }

  /** Sets when callers hear of their commits (see CommitDurability); `changes` unless set. */
  setCommitDurability(durability: CommitDurability): void {
    this.durability = durability;
  }

  /** Sets when the WAL starts over (see CheckpointPacing); tests use short ones. */
  setCheckpointPacing(pacing: Partial<CheckpointPacing>): void {
    this.checkpointPacing = { ...this.checkpointPacing, ...pacing };
  }

  get locked(): boolean {
    return this.conn === undefined;
  }

  /**
   * Gives back the memory an idle vault need not hold: the decrypted pages SQLite keeps cached
   * and is not using (PRAGMA shrink_memory; fewer decrypted pages in memory, read and decrypted
   * again when next needed) and the checkpoint thread (started again by the next commit). Does
   * nothing on a locked vault.
   */
  async releaseIdleMemory(): Promise<void> {
    if (this.conn === undefined) return;
    await this.checkpointer.rest();
    await this.conn?.once('PRAGMA shrink_memory');
  }

  // ---- create, open, lock -------------------------------------------------------------------

  /** Creates a vault folder at `vaultPath` with one key slot; returns it unlocked. */
  static async create(vaultPath: string, options: CreateVaultOptions): Promise<Vault> {
    const processLock = prepareFolder(vaultPath);
    const vaultId = randomUUID();
    const createdAt = new Date().toISOString();
    const dataKey = randomBytes(DATA_KEY_BYTES);
    try {
      const slot = await sealSlot(
        dataKey,
        vaultId,
        options.unlock,
        options.label,
        options.sealOptions,
        options.onProgress,
      );
      const header: VaultHeader = {
        format: 'keyhold-vault',
        formatVersion: HEADER_VERSION,
        vaultId,
        createdAt,
        slots: [slot],
      };
      const conn = await openDatabase(vaultPath, dataKey, true);
      chmodSync(databasePath(vaultPath), 0o600);
      try {
        await migrate(conn, 0);
        await conn.run('INSERT INTO meta (key, value) VALUES (?, ?), (?, ?)', [
          'vaultId',
          vaultId,
          'createdAt',
          createdAt,
        ]);
      } catch (e) {
        await conn.close().catch(() => undefined);
        throw e;
      }
      // The header goes last: a folder is a vault only once its database is complete.
      writeHeader(vaultPath, header);
      const vault = await Vault.started(
        vaultPath,
        header,
        conn,
        dataKey,
        { seq: 0, hash: genesisHash(vaultId) },
        processLock,
      );
      await vault.appendAudit({
        identity: options.identity ?? 'local',
        operation: 'CreateVault',
        detail: `slot ${slot.id}`,
      });
      return vault;
    } catch (e) {
      dataKey.fill(0);
      processLock.release();
      throw e;
    }
  }

  /** Opens and unlocks a vault. Nothing is written unless the unlock succeeds. */
  static async open(vaultPath: string, options: OpenVaultOptions): Promise<Vault> {
    const header = readHeader(vaultPath);
    checkDatabaseFile(vaultPath);
    // Taken before the KDF: "in use" is told at once, not after a second of Argon2.
    const processLock = VaultProcessLock.acquire(vaultPath);
    let dataKey: Buffer | undefined;
    let conn: SqliteConnection | undefined;
    try {
      options.onProgress?.(`unlocking ${vaultPath}...`);
      dataKey = await unsealAny(header, options.unlock);
      conn = await openDatabase(vaultPath, dataKey, false);
      const version = Number((await conn.once<{ user_version: number }>('PRAGMA user_version'))[0]?.user_version ?? 0);
      if (version > SCHEMA_VERSION) {
        throw new KeyholdError(
          'vault-too-new',
          `the vault was written by a newer Keyhold (schema ${version}; this one reads up to ${SCHEMA_VERSION})`,
        );
      }
      if (version < 1) throw new KeyholdError('vault-corrupt', 'the vault database has no schema');
      await migrate(conn, version);
      const meta = await conn.get<{ value: string }>("SELECT value FROM meta WHERE key = 'vaultId'");
      if (meta?.value !== header.vaultId) {
        throw new KeyholdError('vault-corrupt', 'the vault header and database belong to different vaults');
      }
      const last = await conn.get<{ seq: number; hash: string }>(
        'SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1',
      );
      const head = last ?? { seq: 0, hash: genesisHash(header.vaultId) };
      return await Vault.started(vaultPath, header, conn, dataKey, head, processLock);
    } catch (e) {
      await conn?.close().catch(() => undefined);
      dataKey?.fill(0);
      processLock.release();
      throw e;
    }
  }

  /**
   * The unlocked vault over its open database: from here on commits are the Vault's
   * (synchronous=NORMAL, the WAL fsynced by WalSync before any caller hears back, checkpoints on
   * the Checkpointer's thread). Creating and migrating the database before this commit with
   * synchronous=FULL.
   */
  private static async started(
    vaultPath: string,
    header: VaultHeader,
    conn: SqliteConnection,
    dataKey: Buffer,
    head: { seq: number; hash: string },
    processLock: VaultProcessLock,
  ): Promise<Vault> {
    await conn.once('PRAGMA synchronous = NORMAL');
    await conn.once('PRAGMA wal_autocheckpoint = 0');
    return new Vault(vaultPath, header, conn, dataKey, head, processLock);
  }

  /** Closes the database (after a checkpoint, so the folder holds no WAL) and wipes the data key. */
  async lock(): Promise<void> {
    await this.mutex.run(async () => {
      if (this.conn !== undefined && this.failure === undefined) await this.settleGroup(true);
      this.forgetRows();
      const conn = this.conn;
      if (conn === undefined) return;
      this.conn = undefined;
      clearTimeout(this.quietTimer);
      this.quietTimer = undefined;
      try {
        await this.checkpointer.close().catch(() => undefined);
        await conn.once('PRAGMA wal_checkpoint(TRUNCATE)').catch(() => undefined);
        await conn.close();
        await this.walSync.close();
        this.processLock.release();
      } finally {
        this.dataKey?.fill(0);
        this.dataKey = undefined;
      }
    });
  }

  // ---- transactions ---------------------------------------------------------------------------

  /**
   * Runs fn as one transaction, serialized with every other use of this vault: all of it or none
   * of it is stored, and the promise resolves only once it is committed (with the group it
   * joined, see the class comment). Nested calls join the enclosing transaction. On error fn's
   * changes roll back and nothing else in the group is affected.
   */
  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    return this.member(fn, true);
  }

  /**
   * One member of a commit group. `savepoint` false is only for work whose sole write is the
   * audit (buffered in the group, dropped again if the work fails): reads of key material.
   * `object`: the only object such work reads, if known (see Caller).
   */
  private member<T>(fn: () => Promise<T>, savepoint: boolean, object?: string): Promise<T> {
    if (txStore.getStore()?.vault === this) return fn();
    return new Promise<T>((resolve, reject) => {
      this.mutex
        .run(async () => {
          const conn = this.connection();
          this.group ??= {
            begun: false,
            startHead: { ...this.auditHead },
            members: [],
            pendingAudit: [],
            changed: new Set(),
          };
          const group = this.group;
          if (savepoint) {
            try {
              await this.beginMember(conn, group);
            } catch (e) {
              reject(e);
              await this.settleGroup();
              return;
            }
          }
          const auditMark = group.pendingAudit.length;
          const ctx: TxContext = { vault: this, head: { ...this.auditHead } };
          let result: T;
          try {
            // A member that succeeded keeps its savepoint open (no RELEASE round trip): the
            // group's COMMIT releases them all, and a later member that fails rolls back only to
            // its own savepoint, the innermost one named "member".
            result = await txStore.run(ctx, fn);
          } catch (e) {
            if (savepoint) {
              await conn.exec('ROLLBACK TO member').catch(() => undefined);
              await conn.exec('RELEASE member').catch(() => undefined);
            }
            group.pendingAudit.length = auditMark;
            reject(e);
            await this.settleGroup();
            return;
          }
          this.auditHead = ctx.head;
          group.members.push({ commit: () => resolve(result), fail: reject, object });
          await this.settleGroup();
        })
        .catch(reject);
    });
  }

  /**
   * Opens a member's savepoint, and first the group's transaction if it has not begun: both in
   * one call (one thread-pool round trip).
   */
  private async beginMember(conn: SqliteConnection, group: CommitGroup): Promise<void> {
    if (group.begun) {
      await conn.exec('SAVEPOINT member');
      return;
    }
    try {
      await conn.exec('BEGIN IMMEDIATE; SAVEPOINT member');
    } catch (e) {
      // BEGIN may have run before the SAVEPOINT failed: leave no transaction open.
      await conn.exec('ROLLBACK').catch(() => undefined);
      throw e;
    }
    group.begun = true;
  }

  /** Writes the open group's buffered audit rows into its transaction (beginning it if need be). */
  private async flushAudit(): Promise<void> {
    const group = this.group;
    if (group === undefined || group.pendingAudit.length === 0) return;
    const conn = this.connection();
    if (!group.begun) {
      await conn.exec('BEGIN IMMEDIATE');
      group.begun = true;
    }
    const rows = group.pendingAudit;
    group.pendingAudit = [];
    await insertRows(conn, AUDIT_INSERT, 9, rows);
  }

  /**
   * Commits the open group now if `force` or it is full; else once this turn of the event loop
   * has run every caller that arrived in it (setImmediate runs after the I/O callbacks of the
   * turn; callers already queued for the lock then still run first and join it). A failed
   * commit rolls everything back and fails every member.
   */
  private async settleGroup(force = false): Promise<void> {
    const group = this.group;
    if (group === undefined) return;
    if (!force && group.members.length < MAX_GROUP_MEMBERS) {
      if (!this.commitDue) {
        this.commitDue = true;
        setImmediate(() => {
          this.commitDue = false;
          this.mutex.run(() => this.settleGroup(true)).catch(() => undefined);
        });
      }
      return;
    }
    const conn = this.connection();
    const wrote = group.begun || group.pendingAudit.length > 0;
    // A group that never began wrote only audit entries of reads; one that began may have changed anything.
    const changed = group.begun;
    try {
      const rows = group.pendingAudit;
      if (!group.begun && rows.length <= AUTOCOMMIT_AUDIT_ROWS) {
        // Nothing written yet: the audit rows alone, one statement in its own implicit transaction.
        this.group = undefined;
        if (rows.length > 0) await conn.run(auditInsertSql(rows.length), rows.flat());
      } else if (group.begun && rows.length <= AUTOCOMMIT_AUDIT_ROWS) {
        // The audit rows and the COMMIT in one call (if the INSERT fails, the COMMIT does not run).
        this.group = undefined;
        group.pendingAudit = [];
        await conn.exec(auditCommitSql(rows));
      } else {
        await this.flushAudit();
        this.group = undefined;
        await conn.exec('COMMIT');
      }
    } catch (e) {
      this.group = undefined;
      if (group.begun) await conn.exec('ROLLBACK').catch(() => undefined);
      this.auditHead = group.startHead;
      this.forgetRows();
      for (const m of group.members) m.fail(e);
      return;
    }
    if (wrote) {
      const sync = this.walSync.sync();
      sync.catch((e: unknown) => this.stop(e));
      if (changed) this.trackChangeSync(sync, group.changed);
      await this.checkpointIfDue(conn, 1 + group.changed.size);
    }
    // A group that changed something waits as a whole; a group of reads, each for what it saw.
    for (const m of group.members) this.answer(m, changed);
  }

  /**
   * Tells a caller it is done once what it needs is durable (see CommitDurability): `all`, after
   * the WAL sync in flight, which began after every commit it can have seen or made. Else (a
   * read with `changes` durability) after the sync of its object's latest change if it names
   * one, or the sync that follows the latest change of all, if that is still running. A group
   * that wrote nothing, or a read, may have seen a commit whose sync is still running.
   */
  private answer(caller: Caller, all: boolean): void {
    const durable =
      this.durability === 'write'
        ? undefined
        : this.durability === 'fsync' || all
          ? this.walSync.pending()
          : caller.object === undefined
            ? this.changeSync
            : this.objectSyncs.get(caller.object);
    if (durable === undefined) caller.commit();
    else durable.then(caller.commit, (e: unknown) => caller.fail(this.stop(e)));
  }

  /**
   * Keeps `sync` as what reads wait for until it is done (a later one replaces it): reads of
   * anything, and reads of each object the commit changed.
   */
  private trackChangeSync(sync: Promise<void>, objects: ReadonlySet<string>): void {
    this.changeSync = sync;
    for (const uid of objects) this.objectSyncs.set(uid, sync);
    const done = (): void => {
      if (this.changeSync === sync) this.changeSync = undefined;
      for (const uid of objects) if (this.objectSyncs.get(uid) === sync) this.objectSyncs.delete(uid);
    };
    sync.then(done, done);
  }

  /** A commit could not be made durable: from now on every call fails with this error. */
  private stop(e: unknown): KeyholdError {
    this.failure ??= e instanceof KeyholdError ? e : new KeyholdError('io', 'vault storage error', { cause: e });
    return this.failure;
  }

  /**
   * The thread's round wrote back the WAL as it was when the round began; the vault went on
   * committing meanwhile. One more round with the lock held and the open group committed (so
   * nothing can commit meanwhile) writes back the rest, and the next transaction starts the WAL
   * over from its beginning instead of growing it without end. Callers wait for that short round
   * (the frames of a few commits, two fsyncs on the thread); the event loop does not.
   */
  private finishCheckpoint(): void {
    this.mutex
      .run(async () => {
        // Asked twice (quiet, and at most rounds) before it ran: once is enough.
        if (this.conn === undefined || this.failure !== undefined || this.roundsSinceFinish === 0) return;
        this.roundsSinceFinish = 0;
        // An open group commits first (a little early): its frames go back in this round too.
        await this.settleGroup(true);
        if (this.group === undefined && this.failure === undefined) await this.checkpointer.round();
      })
      .catch(() => undefined);
  }

  /**
   * After a commit: once the vault has committed nothing for `quietMs` and a round ran since the
   * WAL last started over, lets it start over (after the thread's round running, if any, so the
   * lock is held for the short round alone). One timer, moved on by commits.
   */
  private finishWhenQuiet(): void {
    if (this.quietTimer !== undefined || this.roundsSinceFinish === 0) return;
    const check = (): void => {
      const since = performance.now() - this.lastCommitAt;
      if (since < this.checkpointPacing.quietMs) {
        this.quietTimer = setTimeout(check, this.checkpointPacing.quietMs - since).unref();
        return;
      }
      void this.checkpointer.idle().then(() => {
        this.quietTimer = undefined;
        if (this.conn === undefined || this.roundsSinceFinish === 0) return;
        if (performance.now() - this.lastCommitAt < this.checkpointPacing.quietMs) this.finishWhenQuiet();
        else this.finishCheckpoint();
      });
    };
    this.quietTimer = setTimeout(check, this.checkpointPacing.quietMs).unref();
  }

  /**
   * Counts a commit (weighted, see CHECKPOINT_EVERY) into the WAL and asks the Checkpointer's
   * thread for a checkpoint when due, and lets the WAL start over (see CheckpointPacing): when
   * quiet, or after that round if the WAL took `finishAtMostRounds` rounds since it last did. If
   * the thread cannot work, checkpoints here (no transaction is open).
   */
  private async checkpointIfDue(conn: SqliteConnection, weight: number): Promise<void> {
    this.lastCommitAt = performance.now();
    this.commitsSinceCheckpoint += weight;
    if (this.commitsSinceCheckpoint >= CHECKPOINT_EVERY) {
      this.commitsSinceCheckpoint = 0;
      const finish = ++this.roundsSinceFinish >= this.checkpointPacing.finishAtMostRounds;
      if (!this.checkpointer.request(finish ? () => this.finishCheckpoint() : undefined)) {
        // A checkpoint that fails leaves the frames in the WAL, where they are durable; the next one retries.
        await conn.once('PRAGMA wal_checkpoint(PASSIVE)').catch(() => undefined);
      }
    }
    this.finishWhenQuiet();
  }

  /**
   * Runs a read: inside the current transaction if there is one, else serialized after writes.
   * A read that saw an open group's writes is answered only once they are committed. The
   * group's buffered audit rows are written first only for reads of the audit table
   * (`seesAudit`); other reads skip that round trip.
   */
  private read<T>(fn: (conn: SqliteConnection) => Promise<T>, seesAudit = false): Promise<T> {
    if (txStore.getStore()?.vault === this) return fn(this.connection());
    return new Promise<T>((resolve, reject) => {
      this.mutex
        .run(async () => {
          let result: T;
          try {
            if (seesAudit) await this.flushAudit();
            result = await fn(this.connection());
          } catch (e) {
            reject(e);
            await this.settleGroup();
            return;
          }
          const caller = { commit: () => resolve(result), fail: reject };
          if (this.group !== undefined) this.group.members.push(caller);
          else this.answer(caller, seesAudit);
          await this.settleGroup();
        })
        .catch(reject);
    });
  }

  /** Marks an object changed by the open group: its cached row goes, and none is kept until commit. */
  private changing(uid: string): void {
    this.group?.changed.add(uid);
    this.dropRow(uid);
  }

  private dropRow(uid: string): void {
    const row = this.useCache.get(uid);
    if (row === undefined) return;
    this.useCache.delete(uid);
    row.material?.fill(0);
  }

  private forgetRows(): void {
    for (const uid of [...this.useCache.keys()]) this.dropRow(uid);
  }

  /** An object's row with its material: from the cache, or read (and kept when committed). */
  private async useRow(uid: string): Promise<ObjectRow> {
    const cached = this.useCache.get(uid);
    if (cached !== undefined) {
      // Most recently used last, so the oldest is evicted first.
      this.useCache.delete(uid);
      this.useCache.set(uid, cached);
      return cached;
    }
    const row = await readObjectRow(this.connection(), uid, true);
    if (this.group !== undefined && !this.group.changed.has(uid)) {
      if (this.useCache.size >= USE_CACHE_ROWS) this.dropRow(this.useCache.keys().next().value as string);
      // A copy: the row the caller decodes is never the one kept.
      this.useCache.set(uid, { ...row, material: row.material === null ? null : Buffer.from(row.material) });
    }
    return row;
  }

  private connection(): SqliteConnection {
    if (this.failure !== undefined) throw this.failure;
    if (this.conn === undefined) throw new KeyholdError('vault-locked', 'the vault is locked');
    return this.conn;
  }

  /**
   * A change and its audit entry in one transaction. A refused change (a KeyholdError) is
   * still audited, with its KMIP Result Reason, unless it ran inside a caller's transaction
   * (that caller then decides what the record says).
   */
  private async audited<T>(
    entry: { identity: string; operation: string; object?: string | null; detail?: string | null },
    fn: () => Promise<T>,
    savepoint = true,
    object?: string,
  ): Promise<T> {
    const nested = txStore.getStore()?.vault === this;
    try {
      return await this.member(
        async () => {
          const r = await fn();
          await this.appendAudit({ ...entry, result: 'Success' });
          return r;
        },
        savepoint,
        object,
      );
    } catch (e) {
      if (!nested && isKeyholdError(e) && !this.locked && e.code !== 'vault-in-use' && e.code !== 'io') {
        await this.appendAudit({ ...entry, result: e.reason ?? e.code }).catch(() => undefined);
      }
      throw e;
    }
  }

  // ---- key slots ------------------------------------------------------------------------------

  listSlots(): KeySlotInfo[] {
    return this.header.slots.map(slotInfo);
  }

  /** Adds an unlock method. The database is not touched: only the header gains a slot. */
  async addSlot(
    method: UnlockMethod,
    options: { label?: string; sealOptions?: SealOptions; identity?: string; onProgress?: (m: string) => void } = {},
  ): Promise<KeySlotInfo> {
    const dataKey = this.requireDataKey();
    const slot = await sealSlot(dataKey, this.vaultId, method, options.label, options.sealOptions, options.onProgress);
    await this.audited(
      { identity: options.identity ?? 'local', operation: 'AddKeySlot', detail: `slot ${slot.id} (${slot.kind})` },
      async () => {
        this.saveHeader({ ...this.header, slots: [...this.header.slots, slot] });
      },
    );
    return slotInfo(slot);
  }

  /** Removes a slot; the last one is refused (the vault would never open again). */
  async removeSlot(slotId: string, identity = 'local'): Promise<void> {
    await this.audited({ identity, operation: 'RemoveKeySlot', detail: `slot ${slotId}` }, async () => {
      const slots = this.header.slots.filter((s) => s.id !== slotId);
      if (slots.length === this.header.slots.length) throw new KeyholdError('not-found', `no key slot ${slotId}`);
      if (slots.length === 0) throw new KeyholdError('invalid-argument', 'the last key slot cannot be removed');
      this.saveHeader({ ...this.header, slots });
    });
  }

  /** Replaces a passphrase slot's passphrase (same slot id, new salt), never re-encrypting data. */
  async changePassphrase(
    slotId: string,
    passphrase: string | Uint8Array,
    options: { sealOptions?: SealOptions; identity?: string; onProgress?: (m: string) => void } = {},
  ): Promise<void> {
    const old = this.header.slots.find((s) => s.id === slotId);
    if (old === undefined) throw new KeyholdError('not-found', `no key slot ${slotId}`);
    if (old.kind !== 'passphrase')
      throw new KeyholdError('invalid-argument', `key slot ${slotId} is not a passphrase slot`);
    const dataKey = this.requireDataKey();
    const provider = keySlotProvider('passphrase');
    const method: UnlockMethod = { kind: 'passphrase', passphrase };
    const sealed = await provider.seal(
      dataKey,
      method,
      { vaultId: this.vaultId, slotId },
      options.sealOptions,
      options.onProgress,
    );
    const slot: KeySlot = { ...old, ...sealed, createdAt: new Date().toISOString() };
    await this.audited(
      { identity: options.identity ?? 'local', operation: 'ChangePassphrase', detail: `slot ${slotId}` },
      async () => {
        this.saveHeader({ ...this.header, slots: this.header.slots.map((s) => (s.id === slotId ? slot : s)) });
      },
    );
  }

  private saveHeader(header: VaultHeader): void {
    writeHeader(this.path, header);
    this.header = header;
  }

  private requireDataKey(): Buffer {
    this.connection();
    if (this.dataKey === undefined) throw new KeyholdError('vault-locked', 'the vault is locked');
    return this.dataKey;
  }

  // ---- objects ----------------------------------------------------------------------------------

  /**
   * Stores a new managed object (Register, Create...): Unique Identifier, Initial Date and State
   * (Pre-Active, or Active when its Activation Date has passed) are set here.
   */
  async insert(object: NewManagedObject, identity: string, operation = 'Register'): Promise<string> {
    const [uid] = await this.insertMany([object], identity, operation);
    return uid as string;
  }

  /**
   * Stores several objects in one transaction, one audit entry each. A Unique Identifier that is
   * given must be new; a failure stores nothing and is audited once.
   */
  async insertMany(objects: NewManagedObject[], identity: string, operation = 'Register'): Promise<string[]> {
    const nested = txStore.getStore()?.vault === this;
    const now = new Date();
    const full: ManagedObject[] = objects.map((o) => ({
      ...o,
      uniqueIdentifier: o.uniqueIdentifier ?? randomUUID(),
      owner: o.owner || identity,
      attributes: withLastChange(lifecycle.initialAttributes(o.attributes, now), now),
    }));
    let failed: string | null = null;
    try {
      return await this.transaction(async () => {
        const conn = this.connection();
        const seen = new Set<string>();
        const given = objects.flatMap((o) => (o.uniqueIdentifier === undefined ? [] : [o.uniqueIdentifier]));
        for (const uid of given) {
          if (seen.has(uid)) {
            failed = uid;
            throw new KeyholdError('invalid-argument', `Unique Identifier ${uid} is already used`);
          }
          seen.add(uid);
        }
        for (const o of full) this.changing(o.uniqueIdentifier);
        try {
          await insertObjects(conn, full);
        } catch (e) {
          // The UNIQUE uid column refuses a used identifier; name it (this path only reads on failure).
          if (sqliteCode(e) !== 'SQLITE_CONSTRAINT') throw e;
          for (const uid of given) {
            if ((await conn.get('SELECT 1 AS x FROM objects WHERE uid = ?', [uid])) !== undefined) {
              failed = uid;
              throw new KeyholdError('invalid-argument', `Unique Identifier ${uid} is already used`);
            }
          }
          throw e;
        }
        await this.appendAuditMany(full.map((o) => ({ identity, operation, object: o.uniqueIdentifier })));
        return full.map((o) => o.uniqueIdentifier);
      });
    } catch (e) {
      if (!nested && isKeyholdError(e) && !this.locked && e.code !== 'vault-in-use' && e.code !== 'io') {
        const object = failed ?? (full.length === 1 ? (full[0] as ManagedObject).uniqueIdentifier : null);
        await this.appendAudit({ identity, operation, object, result: e.reason ?? e.code }).catch(() => undefined);
      }
      throw e;
    }
  }

  /** An object's metadata (no key material), with its State as of now. */
  async getObject(uid: string, now = new Date()): Promise<ManagedObject> {
    return this.read(async (conn) => (await readObject(conn, uid, now, false)).object);
  }

  /**
   * A public object (a Certificate or a Public Key) with its value, to list or show it: nothing
   * secret is decoded and it is not a use of a key, so nothing is audited. Any other object type
   * is refused before its material is read.
   */
  async getPublicObject(uid: string, now = new Date()): Promise<ManagedObject> {
    return this.read(async (conn) => {
      const type = (await readObjectRow(conn, uid, false)).object_type;
      if (type !== 'Certificate' && type !== 'PublicKey') {
        throw new KeyholdError('invalid-argument', `object ${uid} is a ${type}, not a public object`);
      }
      return (await readObject(conn, uid, now, true)).object;
    });
  }

  /** Many objects' metadata (no key material) in one read, newest first. */
  async listObjects(options: ListObjectsOptions = {}, now = new Date()): Promise<ManagedObject[]> {
    return this.read((conn) => readObjects(conn, now, options));
  }

  /**
   * An object with its key material, for a use of it (Get, Export, Encrypt, Sign...): the use
   * is audited. Archived objects must be recovered first (KMIP: Recover before Get).
   */
  async getObjectForUse(uid: string, identity: string, operation = 'Get'): Promise<ManagedObject> {
    // A read: its only write is the audit entry, so it needs no savepoint of its own.
    return this.audited(
      { identity, operation, object: uid },
      async () => {
        const stored = objectFromRow(await this.useRow(uid), new Date());
        if (stored.archived) {
          throw new KeyholdError('illegal-state', `object ${uid} is archived; recover it first`, {
            reason: 'Object Archived',
          });
        }
        return stored.object;
      },
      false,
      // It reads this object's row and nothing else: it waits only for that object's changes.
      uid,
    );
  }

  /** Records a use of an object's key material made elsewhere (crypto, tokens). */
  async recordUse(
    uid: string,
    identity: string,
    operation: string,
    result = 'Success',
    detail?: string,
  ): Promise<void> {
    await this.appendAudit({ identity, operation, object: uid, result, detail: detail ?? null });
  }

  /**
   * Replaces whole attributes: each name given gets exactly the instances given (an empty list
   * deletes it). Lifecycle-managed attributes are refused.
   */
  async setAttributes(
    uid: string,
    changes: Attributes,
    identity: string,
    operation = 'SetAttribute',
  ): Promise<ManagedObject> {
    for (const name of Object.keys(changes)) checkWritable(name);
    return this.modify(uid, identity, operation, (attrs) => {
      const out = { ...attrs };
      for (const [name, values] of Object.entries(changes)) {
        if (values.length === 0) delete out[name];
        else out[name] = [...values];
      }
      return out;
    });
  }

  /** Adds an instance; returns its Attribute Index. */
  async addAttribute(uid: string, name: string, value: AttributeValue, identity: string): Promise<number> {
    checkWritable(name);
    let index = 0;
    await this.modify(uid, identity, 'AddAttribute', (attrs) => {
      const values = attrs[name] ?? [];
      index = values.length;
      return { ...attrs, [name]: [...values, value] };
    });
    return index;
  }

  async modifyAttribute(
    uid: string,
    name: string,
    index: number,
    value: AttributeValue,
    identity: string,
  ): Promise<void> {
    checkWritable(name);
    await this.modify(uid, identity, 'ModifyAttribute', (attrs) => {
      const values = attrs[name];
      if (values === undefined || index < 0 || index >= values.length) throw attributeNotFound(name, index);
      const next = [...values];
      next[index] = value;
      return { ...attrs, [name]: next };
    });
  }

  /** Deletes one instance, or every instance when index is omitted. */
  async deleteAttribute(uid: string, name: string, index: number | undefined, identity: string): Promise<void> {
    checkWritable(name);
    await this.modify(uid, identity, 'DeleteAttribute', (attrs) => {
      const values = attrs[name];
      if (values === undefined || (index !== undefined && (index < 0 || index >= values.length))) {
        throw attributeNotFound(name, index ?? 0);
      }
      const out = { ...attrs };
      if (index === undefined || values.length === 1) delete out[name];
      else out[name] = values.filter((_, i) => i !== index);
      return out;
    });
  }

  async activate(uid: string, identity: string): Promise<void> {
    await this.modify(uid, identity, 'Activate', (attrs, now) => lifecycle.activate(attrs, now));
  }

  async revoke(uid: string, request: RevokeRequest, identity: string): Promise<void> {
    await this.modify(uid, identity, 'Revoke', (attrs, now, type) =>
      lifecycle.revoke(attrs, type, request.reason, request.compromiseOccurrenceDate, now),
    );
  }

  /**
   * Destroy: the key material is removed and the metadata kept (State Destroyed, Destroy Date),
   * except a Template, which goes entirely (KMIP 1.4 section 4.21).
   */
  async destroy(uid: string, identity: string): Promise<void> {
    await this.audited({ identity, operation: 'Destroy', object: uid }, async () => {
      const conn = this.connection();
      const now = new Date();
      const stored = await readObject(conn, uid, now, false);
      this.changing(uid);
      if (stored.object.objectType === 'Template') return deleteObject(conn, stored.seq);
      const attributes = withLastChange(lifecycle.destroy(stored.object.attributes, now), now);
      await updateObject(conn, stored.seq, { ...stored.object, attributes }, null);
    });
  }

  /** Archive: marks the object archived (Archive Date set); Locate skips it unless asked. */
  async archive(uid: string, identity: string): Promise<void> {
    await this.audited({ identity, operation: 'Archive', object: uid }, async () => {
      const conn = this.connection();
      const now = new Date();
      const stored = await readObject(conn, uid, now, false);
      this.changing(uid);
      if (stored.archived)
        throw new KeyholdError('illegal-state', `object ${uid} is already archived`, { reason: 'Object Archived' });
      const attributes = withLastChange({ ...stored.object.attributes, ArchiveDate: [now] }, now);
      await updateObject(conn, stored.seq, { ...stored.object, attributes }, undefined);
      await setArchived(conn, stored.seq, true);
    });
  }

  /** Recover: back on-line, Archive Date deleted. */
  async recover(uid: string, identity: string): Promise<void> {
    await this.audited({ identity, operation: 'Recover', object: uid }, async () => {
      const conn = this.connection();
      const now = new Date();
      const stored = await readObject(conn, uid, now, false);
      this.changing(uid);
      if (!stored.archived) return;
      const attributes = { ...stored.object.attributes };
      delete attributes['ArchiveDate'];
      await updateObject(
        conn,
        stored.seq,
        { ...stored.object, attributes: withLastChange(attributes, now) },
        undefined,
      );
      await setArchived(conn, stored.seq, false);
    });
  }

  private async modify(
    uid: string,
    identity: string,
    operation: string,
    change: (attributes: Attributes, now: Date, objectType: ObjectType) => Attributes,
  ): Promise<ManagedObject> {
    return this.audited({ identity, operation, object: uid }, async () => {
      const conn = this.connection();
      const now = new Date();
      const stored: StoredObject = await readObject(conn, uid, now, false);
      this.changing(uid);
      const attributes = withLastChange(
        lifecycle.settle(change(stored.object.attributes, now, stored.object.objectType), now),
        now,
      );
      const object = { ...stored.object, attributes };
      await updateObject(conn, stored.seq, object, undefined as StoredMaterial | null | undefined);
      return object;
    });
  }

  /** Locate: see locate.ts for the matching rules. */
  async locate(query: LocateQuery = {}): Promise<LocateResult> {
    const built = buildLocate(query);
    return this.read(async (conn) => {
      const rows = await conn.all<{ uid: string }>(built.sql, [...built.params, ...built.paging]);
      const result: LocateResult = { uniqueIdentifiers: rows.map((r) => r.uid) };
      if (query.countLocated === true) {
        // A page that is not full, and not empty past an offset, already tells the count.
        const offset = query.offsetItems ?? 0;
        const notFull = query.maximumItems === undefined || rows.length < query.maximumItems;
        if (notFull && (offset === 0 || rows.length > 0)) result.locatedItems = offset + rows.length;
        else result.locatedItems = Number((await conn.get<{ n: number }>(built.countSql, built.params))?.n ?? 0);
      }
      return result;
    });
  }

  /** The SQL plan of a Locate, for benchmarks and tests of the indexes. */
  async explainLocate(query: LocateQuery): Promise<string[]> {
    const built = buildLocate(query);
    return this.read(async (conn) => {
      const rows = await conn.all<{ detail: string }>(`EXPLAIN QUERY PLAN ${built.sql}`, [
        ...built.params,
        ...built.paging,
      ]);
      return rows.map((r) => r.detail);
    });
  }

  // ---- audit ------------------------------------------------------------------------------------

  /** Appends one entry; joins the current transaction or runs in its own. */
  async appendAudit(input: AuditInput): Promise<AuditEntry> {
    return (await this.appendAuditMany([input]))[0] as AuditEntry;
  }

  /** Appends entries in order, chained, in the current transaction or one of their own. */
  async appendAuditMany(inputs: AuditInput[]): Promise<AuditEntry[]> {
    return this.member(async () => {
      const ctx = txStore.getStore() as TxContext;
      const group = this.group as CommitGroup;
      const time = new Date();
      const entries: AuditEntry[] = [];
      for (const input of inputs) {
        const base = {
          seq: ctx.head.seq + 1,
          time,
          identity: input.identity,
          operation: input.operation,
          object: input.object ?? null,
          result: input.result ?? 'Success',
          detail: input.detail ?? null,
          prevHash: ctx.head.hash,
        };
        const entry: AuditEntry = { ...base, hash: entryHash(base) };
        entries.push(entry);
        ctx.head = { seq: entry.seq, hash: entry.hash };
        group.pendingAudit.push([
          entry.seq,
          entry.time.getTime(),
          entry.identity,
          entry.operation,
          entry.object,
          entry.result,
          entry.detail,
          entry.prevHash,
          entry.hash,
        ]);
      }
      return entries;
    }, false);
  }

  /** Entries from `fromSeq` on, oldest first. */
  async listAudit(fromSeq = 1, limit = 1000): Promise<AuditEntry[]> {
    return this.read(async (conn) => {
      const rows = await conn.all<AuditRow>('SELECT * FROM audit WHERE seq >= ? ORDER BY seq LIMIT ?', [
        fromSeq,
        limit,
      ]);
      return rows.map(toAuditEntry);
    }, true);
  }

  /** Verifies the whole chain, in chunks; reports the first bad entry. */
  async verifyAudit(): Promise<AuditVerification> {
    const verifier = new AuditVerifier(this.vaultId);
    let from = 1;
    for (;;) {
      const chunk = await this.listAudit(from, 5000);
      if (chunk.length === 0) break;
      for (const e of chunk) if (!verifier.check(e)) return verifier.result();
      from = (chunk[chunk.length - 1] as AuditEntry).seq + 1;
    }
    return verifier.result();
  }

  /** Writes the chain as JSON lines (one entry per line, oldest first). */
  async exportAudit(write: (line: string) => void | Promise<void>): Promise<number> {
    let from = 1;
    let n = 0;
    for (;;) {
      const chunk = await this.listAudit(from, 5000);
      if (chunk.length === 0) return n;
      for (const e of chunk) {
        await write(`${auditJsonLine(e)}\n`);
        n++;
      }
      from = (chunk[chunk.length - 1] as AuditEntry).seq + 1;
    }
  }

  /** The audit chain, SQLite's check of every page in use, and the HMAC of every page of the file. */
  async verify(): Promise<VaultVerification> {
    const audit = await this.verifyAudit();
    const databaseProblems = await this.read(async (conn) => {
      const problems: string[] = [];
      for (const r of await conn.once<SqlRow>('PRAGMA quick_check')) {
        const v = String(Object.values(r)[0]);
        if (v !== 'ok') problems.push(v);
      }
      // Every page's HMAC, free pages too. No checkpoint writes the file meanwhile: they are
      // asked for only under the lock this read holds.
      await this.checkpointer.idle();
      problems.push(...(await checkPageAuthentication(databasePath(this.path), this.requireDataKey())));
      return problems;
    }, true);
    return { audit, databaseProblems };
  }

  // ---- info -------------------------------------------------------------------------------------

  async info(): Promise<VaultInfo> {
    return this.read(async (conn) => {
      const byType: Record<string, number> = {};
      let objects = 0;
      for (const r of await conn.all<{ t: string; n: number }>(
        'SELECT object_type AS t, count(*) AS n FROM objects GROUP BY object_type',
      )) {
        byType[r.t] = r.n;
        objects += r.n;
      }
      const audit = await conn.get<{ n: number }>('SELECT count(*) AS n FROM audit');
      return {
        path: this.path,
        vaultId: this.vaultId,
        createdAt: this.header.createdAt,
        formatVersion: this.header.formatVersion,
        schemaVersion: SCHEMA_VERSION,
        objects,
        objectsByType: byType,
        auditEntries: Number(audit?.n ?? 0),
        slots: this.listSlots(),
        databaseBytes: fileSize(databasePath(this.path)) + fileSize(`${databasePath(this.path)}-wal`),
      };
    }, true);
  }

  /** Raw SQL for benchmarks and tests (e.g. ANALYZE); not for application code. */
  async unsafeExec(sql: string): Promise<void> {
    this.forgetRows();
    await this.read((conn) => conn.exec(sql), true);
  }
}

interface AuditRow extends SqlRow {
  seq: number;
  time: number;
  identity: string;
  operation: string;
  object: string | null;
  result: string;
  detail: string | null;
  prev_hash: string;
  hash: string;
}

function toAuditEntry(r: AuditRow): AuditEntry {
  return {
    seq: r.seq,
    time: new Date(r.time),
    identity: r.identity,
    operation: r.operation,
    object: r.object,
    result: r.result,
    detail: r.detail,
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

function fileSize(p: string): number {
  try {
    return statSync(p).size;
  } catch {
    return 0;
  }
}

function slotInfo(s: KeySlot): KeySlotInfo {
  return { id: s.id, kind: s.kind, label: s.label, createdAt: s.createdAt, params: s.params };
}

function withLastChange(attributes: Attributes, now: Date): Attributes {
  return { ...attributes, LastChangeDate: [now] };
}

function checkWritable(name: string): void {
  if (READ_ONLY_ATTRIBUTES.has(name)) {
    throw new KeyholdError('permission-denied', `${name} is set by the server only`, { reason: 'Attribute Read Only' });
  }
}

function attributeNotFound(name: string, index: number): KeyholdError {
  return new KeyholdError('not-found', `no instance ${index} of attribute ${name}`, { reason: 'Attribute Not Found' });
}

async function sealSlot(
  dataKey: Buffer,
  vaultId: string,
  method: UnlockMethod,
  label: string | undefined,
  sealOptions: SealOptions | undefined,
  onProgress: ((m: string) => void) | undefined,
): Promise<KeySlot> {
  const id = newSlotId();
  const sealed = await keySlotProvider(method.kind).seal(
    dataKey,
    method,
    { vaultId, slotId: id },
    sealOptions,
    onProgress,
  );
  return { id, kind: method.kind, label: label ?? method.kind, createdAt: new Date().toISOString(), ...sealed };
}

async function unsealAny(header: VaultHeader, method: UnlockMethod): Promise<Buffer> {
  const slots = header.slots.filter(
    (s) => s.kind === method.kind && (method.slotId === undefined || s.id === method.slotId),
  );
  if (slots.length === 0) {
    throw new KeyholdError(
      'invalid-argument',
      `the vault has no ${method.kind} key slot${method.slotId ? ` ${method.slotId}` : ''}`,
    );
  }
  const provider = keySlotProvider(method.kind);
  let lastError: unknown;
  for (const slot of slots) {
    try {
      const key = await provider.unseal(slot, method, { vaultId: header.vaultId, slotId: slot.id });
      if (key.length !== DATA_KEY_BYTES)
        throw new KeyholdError('vault-corrupt', `key slot ${slot.id} holds a malformed key`);
      return key;
    } catch (e) {
      lastError = e;
    }
  }
  throw lastError;
}

/** A fresh folder, or one left by an interrupted init (a database but no header yet). */
function prepareFolder(vaultPath: string): VaultProcessLock {
  if (!existsSync(vaultPath)) {
    mkdirSync(vaultPath, { recursive: true, mode: 0o700 });
    return VaultProcessLock.acquire(vaultPath);
  }
  if (!statSync(vaultPath).isDirectory())
    throw new KeyholdError('invalid-argument', `${vaultPath} exists and is not a folder`);
  if (existsSync(headerPath(vaultPath)))
    throw new KeyholdError('invalid-argument', `a vault already exists at ${vaultPath}`);
  const entries = readdirSync(vaultPath);
  if (!entries.every((e) => e.startsWith('vault.db') || e === LOCK_FILE)) {
    throw new KeyholdError('invalid-argument', `${vaultPath} is not empty`);
  }
  // What a create cut short left behind; removed only once no other process is creating it.
  const lock = VaultProcessLock.acquire(vaultPath);
  for (const e of entries) if (e !== LOCK_FILE) rmSync(`${vaultPath}/${e}`);
  return lock;
}

/** SQLCipher 4 pages are 4096 bytes; any other size means the file was cut short. */
function checkDatabaseFile(vaultPath: string): void {
  let size: number;
  try {
    size = statSync(databasePath(vaultPath)).size;
  } catch {
    throw new KeyholdError('vault-corrupt', 'the vault database file is missing');
  }
  if (size === 0 || size % 4096 !== 0) throw new KeyholdError('vault-corrupt', 'the vault database file is truncated');
}

function inUse(): KeyholdError {
  return new KeyholdError('vault-in-use', 'the vault is in use by another Keyhold process');
}

/**
 * Opens the database with the raw data key (the process holds the VaultProcessLock). WAL with
 * synchronous=FULL until Vault.started takes over the commits: a commit is durable once its
 * caller hears back, a crash at any point leaves the last committed state.
 */
async function openDatabase(vaultPath: string, dataKey: Buffer, create: boolean): Promise<SqliteConnection> {
  const conn = await SqliteConnection.open(databasePath(vaultPath), create);
  try {
    // The key as a hex blob literal; SQLCipher then skips its own KDF (raw key mode).
    await conn.key(dataKey);
    // Only this process's checkpointer shares the file, and only briefly.
    await conn.once('PRAGMA busy_timeout = 1000');
    try {
      await conn.once('SELECT count(*) FROM sqlite_master');
    } catch (e) {
      if (isKeyholdError(e) && e.code === 'vault-in-use') throw inUse();
      if (isKeyholdError(e) && e.code === 'vault-corrupt') {
        throw new KeyholdError(
          'vault-corrupt',
          'the vault database cannot be decrypted with its key slots (corrupted or replaced)',
          { cause: e },
        );
      }
      throw e;
    }
    await conn.once('PRAGMA journal_mode = WAL');
    await conn.once('PRAGMA synchronous = FULL');
    // 64 MiB of decrypted pages: Locate and bulk writes at a million objects stay in memory.
    await conn.once('PRAGMA cache_size = -65536');
    await conn.once('PRAGMA foreign_keys = ON');
    return conn;
  } catch (e) {
    await conn.close().catch(() => undefined);
    if (isKeyholdError(e) && e.code === 'vault-in-use') throw inUse();
    throw e;
  }
}

async function migrate(conn: SqliteConnection, from: number): Promise<void> {
  if (from >= SCHEMA_VERSION) return;
  await conn.exec('BEGIN IMMEDIATE');
  try {
    for (let v = from; v < SCHEMA_VERSION; v++) await conn.exec(MIGRATIONS[v] as string);
    await conn.exec(`PRAGMA user_version = ${SCHEMA_VERSION}`);
    await conn.exec('COMMIT');
  } catch (e) {
    await conn.exec('ROLLBACK').catch(() => undefined);
    throw e;
  }
}

export type { SqlValue };
