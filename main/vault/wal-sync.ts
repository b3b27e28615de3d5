import fs, { type promises } from 'node:fs';
import path from 'node:path';
import { KeyholdError } from '../../shared/errors.js';

/**
 * Makes the vault's commits durable off the event loop. SQLite runs with synchronous=NORMAL:
 * a COMMIT writes its WAL frames but does not fsync them. The vault then calls sync(), which
 * fdatasyncs the WAL file on libuv's thread pool, and answers a group's callers only once that
 * resolved: as durable as synchronous=FULL, without blocking every other connection for the
 * length of an fsync. (Checkpoints sync the WAL and the database themselves: Checkpointer.)
 *
 * An fsync covers every write made before it began, so a sync started after a commit covers
 * that commit and all earlier ones, whichever sync finishes first. Each commit starts its own at
 * once; concurrent ones on one file share the disk's flush in the kernel (measured: queueing
 * them one at a time here only added a wait).
 */
export class WalSync {
  private file: Promise<promises.FileHandle> | undefined;
  /** The sync most recently started: what a read of committed state waits for. */
  private latest: Promise<void> | undefined;

  constructor(private readonly walPath: string) {}

  /** Resolves once every commit made before this call is on disk. */
  sync(): Promise<void> {
    const done = this.fdatasync().catch((err: Error) => {
      throw syncFailed(err);
    });
    this.latest = done;
    const settled = (): void => {
      if (this.latest === done) this.latest = undefined;
    };
    done.then(settled, settled);
    return done;
  }

  /** The sync a read waits for, if any: it may have seen a commit that sync covers. */
  pending(): Promise<void> | undefined {
    return this.latest;
  }

  /** The disk step alone: fdatasync of the WAL file (opened on first use). */
  fdatasync(): Promise<void> {
    this.file ??= openWal(this.walPath);
    return this.file.then((file) => file.datasync());
  }

  /** Waits for the syncs in flight, then closes the file (after SQLite closed the database). */
  async close(): Promise<void> {
    await this.latest?.catch(() => undefined);
    const file = this.file;
    this.file = undefined;
    await (await file?.catch(() => undefined))?.close();
  }
}

/**
 * The WAL file, opened on first use (SQLite creates it with the first write). Its directory is
 * synced once, so the file's name survives a power cut along with its frames. 'r+': Windows
 * flushes only handles opened for writing.
 */
async function openWal(walPath: string): Promise<promises.FileHandle> {
  const file = await fs.promises.open(walPath, 'r+');
  try {
    await syncDirectory(path.dirname(walPath));
  } catch (e) {
    await file.close();
    throw e;
  }
  return file;
}

async function syncDirectory(dir: string): Promise<void> {
  if (process.platform === 'win32') return; // directories cannot be opened for fsync there
  const handle = await fs.promises.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function syncFailed(err: Error): KeyholdError {
  return new KeyholdError('io', 'vault storage error: a commit could not be made durable (fsync failed)', {
    cause: err,
  });
}
