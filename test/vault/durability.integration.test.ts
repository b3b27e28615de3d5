import { readFileSync, statSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { databasePath } from '../../main/vault/header.js';
import { Vault } from '../../main/vault/index.js';
import { Checkpointer } from '../../main/vault/checkpointer.js';
import { WalSync } from '../../main/vault/wal-sync.js';
import {
  aesKey,
  checkpointedAfterInserts,
  createTempVault,
  disposeTempVault,
  PASSPHRASE,
  type TempVaultPath,
} from './helpers.js';

let tmp: TempVaultPath;
let vault: Vault;

beforeEach(async () => {
  ({ tmp, vault } = await createTempVault());
});

afterEach(async () => {
  vi.restoreAllMocks();
  await disposeTempVault({ tmp, vault });
});

/** Lets every callback the event loop has ready run, several turns over. */
async function turns(n = 20): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
}

function track<T>(p: Promise<T>): { settled: () => boolean; promise: Promise<T> } {
  let settled = false;
  p.then(
    () => (settled = true),
    () => (settled = true),
  );
  return { settled: () => settled, promise: p };
}

/**
 * Holds every WAL fdatasync from now on until released: `held()` counts those begun,
 * `release()` lets them all finish.
 */
function holdSyncs() {
  const gates: Array<() => void> = [];
  const fdatasync = vi
    .spyOn(WalSync.prototype, 'fdatasync')
    .mockImplementation(() => new Promise<void>((resolve) => gates.push(resolve)));
  return {
    fdatasync,
    held: () => gates.length,
    release: () => gates.splice(0).forEach((open) => open()),
  };
}

describe('commits are durable before anyone hears of them', () => {
  it('a change, and a use and a read after it, are answered only once the WAL fsync that covers the change is done', async () => {
    const uid = await vault.insert(aesKey('before'), 'alice');
    const { fdatasync, release } = holdSyncs();
    const change = track(vault.insert(aesKey('held'), 'alice'));
    const use = track(vault.getObjectForUse(uid, 'alice', 'Encrypt'));
    await turns();
    expect(fdatasync).toHaveBeenCalled();
    expect(change.settled()).toBe(false);
    expect(use.settled()).toBe(false);
    // A read that comes after may have seen the held commit: it waits for the same sync.
    const read = track(vault.locate({ attributes: { Name: ['held'] } }));
    await turns();
    expect(read.settled()).toBe(false);
    release();
    await expect(change.promise).resolves.toEqual(expect.any(String));
    await expect(use.promise).resolves.toMatchObject({ uniqueIdentifier: uid });
    expect((await read.promise).uniqueIdentifiers).toHaveLength(1);
  });

  it('by default (changes) a use that saw no pending change is answered while its audit entry is still being synced', async () => {
    const uid = await vault.insert(aesKey('settled'), 'alice');
    const { fdatasync, held, release } = holdSyncs();
    const before = (await vault.listAudit()).length;
    const use = track(vault.getObjectForUse(uid, 'alice', 'Encrypt'));
    const read = track(vault.locate({ attributes: { Name: ['settled'] } }));
    await turns();
    // Both answered; the fsync of their audit entries has begun and is still held.
    expect(use.settled()).toBe(true);
    expect(read.settled()).toBe(true);
    await expect(use.promise).resolves.toMatchObject({ uniqueIdentifier: uid });
    expect(fdatasync).toHaveBeenCalled();
    expect(held()).toBeGreaterThan(0);
    // Whoever reads the audit log waits for that fsync, then sees the use's entry.
    const audit = track(vault.listAudit());
    await turns();
    expect(audit.settled()).toBe(false);
    release();
    const entries = await audit.promise;
    expect(entries.length).toBeGreaterThan(before);
    expect(entries.some((e) => e.object === uid && e.operation === 'Encrypt')).toBe(true);
  });

  it('by default a use waits only for the changes of the object it uses; other reads wait for any change', async () => {
    const a = await vault.insert(aesKey('a'), 'alice');
    const b = await vault.insert(aesKey('b'), 'alice');
    const { release } = holdSyncs();
    const change = track(vault.activate(b, 'alice'));
    await turns();
    expect(change.settled()).toBe(false);
    // Committed after the change, in one group of reads: each is answered on its own terms.
    const useA = track(vault.getObjectForUse(a, 'alice', 'Encrypt'));
    const useB = track(vault.getObjectForUse(b, 'alice', 'Encrypt'));
    const read = track(vault.getObject(a));
    await turns();
    expect(useA.settled()).toBe(true);
    expect(useB.settled()).toBe(false);
    expect(read.settled()).toBe(false);
    release();
    await change.promise;
    expect((await useB.promise).attributes['State']).toEqual(['Active']);
    expect((await read.promise).uniqueIdentifier).toBe(a);
  });

  it('with commit durability "fsync", a use is answered only once its own audit entry is on disk', async () => {
    vault.setCommitDurability('fsync');
    const uid = await vault.insert(aesKey('strict'), 'alice');
    const { held, release } = holdSyncs();
    const use = track(vault.getObjectForUse(uid, 'alice', 'Encrypt'));
    await turns();
    expect(held()).toBeGreaterThan(0);
    expect(use.settled()).toBe(false);
    release();
    await expect(use.promise).resolves.toMatchObject({ uniqueIdentifier: uid });
  });

  it('a failed fsync fails the callers of its commit, and the vault refuses all later work', async () => {
    const uid = await vault.insert(aesKey('kept'), 'alice');
    vi.spyOn(WalSync.prototype, 'fdatasync').mockRejectedValue(
      Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' }),
    );
    await expect(vault.insert(aesKey('lost'), 'alice')).rejects.toMatchObject({ code: 'io' });
    await expect(vault.getObject(uid)).rejects.toMatchObject({ code: 'io' });
    await expect(vault.insert(aesKey('after'), 'alice')).rejects.toMatchObject({ code: 'io' });
    // Locking still closes everything; reopened, the vault holds what was committed before.
    vi.restoreAllMocks();
    await vault.lock();
    vault = await Vault.open(tmp.vaultPath, { unlock: { kind: 'passphrase', passphrase: PASSPHRASE } });
    expect((await vault.getObject(uid)).uniqueIdentifier).toBe(uid);
    expect((await vault.verifyAudit()).ok).toBe(true);
  });

  it('with commit durability "write", callers hear back before the fsync, which still follows', async () => {
    vault.setCommitDurability('write');
    const { fdatasync, held, release } = holdSyncs();
    const uid = await vault.insert(aesKey('quick'), 'alice');
    expect(fdatasync).toHaveBeenCalled();
    expect(held()).toBeGreaterThan(0);
    release();
    // A later failed fsync still stops the vault.
    fdatasync.mockRejectedValue(Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' }));
    await vault.insert(aesKey('answered, then lost'), 'alice');
    await turns();
    await expect(vault.getObject(uid)).rejects.toMatchObject({ code: 'io' });
  });

  it('WalSync turns a failed fsync into a typed storage error', async () => {
    const sync = new WalSync('/nonexistent-keyhold-dir/vault.db-wal');
    await expect(sync.sync()).rejects.toMatchObject({ code: 'io' });
    await sync.close();
  });
});

describe('checkpoints', () => {
  /** More work than one checkpoint round (60 commits of 20 objects); true once the database file took the WAL in. */
  const databaseGrows = (): Promise<boolean> => checkpointedAfterInserts(vault, tmp.vaultPath, 'c');

  it('run on the checkpointer thread while the vault is open: the database file takes the WAL in', async () => {
    const request = vi.spyOn(Checkpointer.prototype, 'request');
    expect(await databaseGrows()).toBe(true);
    expect(request).toHaveReturnedWith(true);
    expect((await vault.verify()).databaseProblems).toEqual([]);
  });

  it('run on the vault connection when the thread cannot', async () => {
    vi.spyOn(Checkpointer.prototype, 'request').mockReturnValue(false);
    expect(await databaseGrows()).toBe(true);
    expect((await vault.verify()).databaseProblems).toEqual([]);
  });

  const wal = (): string => `${databasePath(tmp.vaultPath)}-wal`;
  /** n commits of 20 new objects each, one after the other; the WAL file's size after them. */
  const batches = async (n: number, from: number): Promise<number> => {
    for (let b = 0; b < n; b++) {
      await Promise.all(Array.from({ length: 20 }, (_, i) => vault.insert(aesKey(`w${from + b}-${i}`), 'alice')));
    }
    return statSync(wal()).size;
  };
  /** The WAL header's checkpoint sequence number: SQLite adds one each time the WAL starts over. */
  const walStarts = (): number => readFileSync(wal()).readUInt32BE(12);

  it('let the WAL start over under a load that never pauses, so it stops growing', async () => {
    vault.setCheckpointPacing({ finishAtMostRounds: 4, quietMs: 60_000 });
    // A round that runs while the vault commits leaves the newest frames behind; if nothing
    // finished the job, the WAL could never start over and would keep all 400 batches.
    const half = await batches(200, 0);
    const full = await batches(200, 200);
    expect(full).toBeLessThan(half * 1.3);
    expect((await vault.verify()).databaseProblems).toEqual([]);
  });

  it('let the WAL start over once the vault is quiet, with no one waiting: never in the middle of a load', async () => {
    // Quiet is a whole second here: a slow fsync between two commits must not look like one.
    vault.setCheckpointPacing({ finishAtMostRounds: 1000, quietMs: 1000 });
    const lockedRounds = vi.spyOn(Checkpointer.prototype, 'round');
    // About two rounds of the thread (49 commits of 21 each make one), no pause between commits.
    const first = await batches(100, 0);
    const starts = walStarts();
    expect(lockedRounds).not.toHaveBeenCalled();
    // Quiet: the short locked round runs, and the next commit starts the WAL over.
    await vi.waitFor(() => expect(lockedRounds).toHaveBeenCalledTimes(1), { timeout: 5_000, interval: 20 });
    await lockedRounds.mock.results[0]?.value;
    const second = await batches(100, 100);
    expect(walStarts()).toBe(starts + 1);
    // The same work again wrote over the old frames instead of growing the file.
    expect(second).toBeLessThan(first * 1.5);
    expect((await vault.verify()).databaseProblems).toEqual([]);
  });

  it('a checkpointer that cannot open the database says so, and is asked no more', async () => {
    const checkpointer = new Checkpointer('/nonexistent-keyhold-dir/vault.db', () => Buffer.alloc(32, 1));
    expect(checkpointer.request()).toBe(true);
    await checkpointer.idle();
    expect(checkpointer.failure).toMatch(/could not open/);
    expect(checkpointer.request()).toBe(false);
    await checkpointer.close();
  });
});
