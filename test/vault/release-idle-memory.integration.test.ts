import { readdirSync } from 'node:fs';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Vault } from '../../main/vault/index.js';
import { aesKey, checkpointedAfterInserts, createTempVault, disposeTempVault, type TempVaultPath } from './helpers.js';

let tmp: TempVaultPath;
let vault: Vault;

beforeEach(async () => {
  ({ tmp, vault } = await createTempVault());
});

afterEach(() => disposeTempVault({ tmp, vault }));

it('drops the page cache and reads every object back afterwards (pages decrypted again)', async () => {
  const uids: string[] = [];
  for (let i = 0; i < 40; i++) uids.push(await vault.insert(aesKey(`k${i}`), 'alice'));
  const before = await Promise.all(uids.map((uid) => vault.getObject(uid)));
  await vault.releaseIdleMemory();
  const after = await Promise.all(uids.map((uid) => vault.getObject(uid)));
  expect(after.map((o) => o.uniqueIdentifier)).toEqual(uids);
  expect(after.map((o) => o.attributes['Name'])).toEqual(before.map((o) => o.attributes['Name']));
  // Writes go on as before.
  await vault.insert(aesKey('one more'), 'alice');
});

it('does nothing on a locked vault', async () => {
  await vault.lock();
  await expect(vault.releaseIdleMemory()).resolves.toBeUndefined();
});

it('ends the checkpoint thread, and the next commits start it again', async () => {
  const threads = (): number => readdirSync('/proc/self/task').length;
  expect(await checkpointedAfterInserts(vault, tmp.vaultPath, 'a')).toBe(true);
  const withWorker = threads();
  await vault.releaseIdleMemory();
  // The worker's thread is gone once terminate() resolved; allow the OS a moment to reap it.
  for (let i = 0; i < 100 && threads() >= withWorker; i++) await new Promise((r) => setTimeout(r, 20));
  expect(threads()).toBeLessThan(withWorker);
  expect(await checkpointedAfterInserts(vault, tmp.vaultPath, 'b')).toBe(true);
  expect(threads()).toBe(withWorker);
  expect((await vault.verify()).databaseProblems).toEqual([]);
});
