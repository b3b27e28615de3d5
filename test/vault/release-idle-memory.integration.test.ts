import { readdirSync, statSync } from 'node:fs';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { databasePath } from '../../main/vault/header.js';
import type { Vault } from '../../main/vault/index.js';
import { aesKey, createTempVault, type TempVaultPath } from './helpers.js';

let tmp: TempVaultPath;
let vault: Vault;

beforeEach(async () => {
  ({ tmp, vault } = await createTempVault());
});

afterEach(async () => {
  await vault.lock();
  tmp.cleanup();
});

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
  const db = databasePath(tmp.vaultPath);
  const checkpointed = async (from: number): Promise<boolean> => {
    const before = statSync(db).size;
    for (let b = 0; b < 60; b++) {
      await Promise.all(Array.from({ length: 20 }, (_, i) => vault.insert(aesKey(`c${from + b}-${i}`), 'alice')));
    }
    const deadline = Date.now() + 10_000;
    while (statSync(db).size <= before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    return statSync(db).size > before;
  };
  expect(await checkpointed(0)).toBe(true);
  const withWorker = threads();
  await vault.releaseIdleMemory();
  expect(threads()).toBeLessThan(withWorker);
  expect(await checkpointed(100)).toBe(true);
  expect(threads()).toBe(withWorker);
  expect((await vault.verify()).databaseProblems).toEqual([]);
});
