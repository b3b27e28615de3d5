import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../main/api/handlers.js';
import { createRouter } from '../../main/api/router.js';
import type { Result, VaultStatus } from '../../shared/api/index.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'keyhold-idle-'));
const engine = createEngine({
  vaultPath: path.join(dir, 'v.kvault'),
  identity: 'console:test',
  autoLockSeconds: 1,
  sealOptions: { argon2: { memoryKiB: 1024, iterations: 1, parallelism: 1 } },
  settingsFile: path.join(dir, 'settings.json'),
});
const router = createRouter(engine.handlers, 'http');

afterAll(async () => {
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
});

function state(r: Result<unknown>): string {
  if (!r.ok) throw new Error(r.error.message);
  return (r.value as VaultStatus).state;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the engine-side idle lock', () => {
  it('locks the vault after the idle time with no window calling, and status polls do not keep it open', async () => {
    expect(state(await router.call('vault.create', { passphrase: 'correct horse battery' }))).toBe('unlocked');
    // Activity (an active call) keeps it unlocked past the delay.
    await sleep(600);
    expect((await router.call('objects.list', {})).ok).toBe(true);
    await sleep(600);
    expect(state(await router.call('vault.status', {}))).toBe('unlocked');
    // Only passive polls from here on: it locks.
    for (let i = 0; i < 8 && state(await router.call('vault.status', {})) === 'unlocked'; i++) await sleep(250);
    expect(state(await router.call('vault.status', {}))).toBe('locked');
    const list = await router.call('objects.list', {});
    expect(list.ok).toBe(false);
    if (!list.ok) expect(list.error.code).toBe('vault-locked');
  });

  it('never locks by itself with a delay of 0', async () => {
    expect(state(await router.call('vault.unlock', { passphrase: 'correct horse battery' }))).toBe('unlocked');
    expect(state(await router.call('vault.setAutoLock', { seconds: 0 }))).toBe('unlocked');
    await sleep(1300);
    expect(state(await router.call('vault.status', {}))).toBe('unlocked');
  });
});
