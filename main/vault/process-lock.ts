import { closeSync, openSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import { KeyholdError } from '../../shared/errors.js';

/** The file in the vault folder whose lock says which process has the vault open. */
export const LOCK_FILE = 'vault.lock';

/**
 * One process at a time has a vault open. The vault's database is shared by two connections of
 * this process (the vault's own and the checkpointer's), so the claim lives on a file of its
 * own: an empty SQLite database in locking_mode=EXCLUSIVE whose write lock this process takes
 * and keeps. A second process gets SQLITE_BUSY ("in use"); the lock is an OS file lock, so it
 * dies with its process and a killed Keyhold never leaves a stale one.
 */
export class VaultProcessLock {
  private constructor(private readonly db: Database.Database) {}

  /** Takes the vault at `vaultPath` for this process, or fails with vault-in-use. */
  static acquire(vaultPath: string): VaultProcessLock {
    const file = path.join(vaultPath, LOCK_FILE);
    let db: Database.Database;
    try {
      closeSync(openSync(file, 'a', 0o600)); // private to the user, like the rest of the folder
      db = new Database(file, { timeout: 0 });
    } catch (e) {
      throw new KeyholdError('io', `the vault's lock file cannot be opened: ${(e as Error).message}`, { cause: e });
    }
    try {
      db.pragma('locking_mode = EXCLUSIVE');
      db.pragma('journal_mode = MEMORY'); // nothing to roll back: no -journal file beside it
      // An exclusive transaction takes the write lock; in EXCLUSIVE mode it is kept after COMMIT.
      db.exec('BEGIN EXCLUSIVE; COMMIT');
      return new VaultProcessLock(db);
    } catch (e) {
      db.close();
      if (/^SQLITE_(BUSY|LOCKED)/.test((e as { code?: string }).code ?? '')) {
        throw new KeyholdError('vault-in-use', 'the vault is in use by another Keyhold process', { cause: e });
      }
      throw new KeyholdError('io', `the vault's lock file cannot be locked: ${(e as Error).message}`, { cause: e });
    }
  }

  release(): void {
    if (this.db.open) this.db.close();
  }
}
