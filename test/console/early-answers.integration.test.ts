import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../main/api/handlers.js';
import { createRouter } from '../../main/api/router.js';
import type { Router } from '../../main/api/router.js';
import { earlyCalls, withEarlyAnswers } from '../../main/console/early-answers.js';
import { Vault } from '../../main/vault/index.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'keyhold-early-'));
const settingsFile = path.join(dir, 'settings.json');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const never = new Promise<Router>(() => undefined);

/** The engine's own answers and the early ones, for the same vault, settings and flags. */
async function bothAnswers(vaultPath: string, autoLockSeconds?: number) {
  const flags = autoLockSeconds === undefined ? {} : { autoLockSeconds };
  const engine = createEngine({ vaultPath, identity: 'test', settingsFile, ...flags });
  try {
    const engineRouter = createRouter(engine.handlers, 'http');
    const early = withEarlyAnswers(never, { vaultPath, settingsFile, ...flags });
    const out: [unknown, unknown][] = [];
    for (const name of earlyCalls) out.push([await early.call(name, {}), await engineRouter.call(name, {})]);
    return out;
  } finally {
    await engine.close();
  }
}

describe('early answers, before the engine has loaded', () => {
  it('equal the engine’s for an absent vault, with default and saved settings and an --auto-lock override', async () => {
    const vaultPath = path.join(dir, 'absent.kvault');
    for (const [early, engine] of await bothAnswers(vaultPath)) expect(early).toEqual(engine);
    writeFileSync(settingsFile, JSON.stringify({ autoLockMinutes: 7, clipboardClearSeconds: 45, theme: 'dark' }));
    const answers = await bothAnswers(vaultPath);
    for (const [early, engine] of answers) expect(early).toEqual(engine);
    expect(answers[1]![0]).toEqual({ ok: true, value: { path: vaultPath, state: 'absent', autoLockSeconds: 420 } });
    for (const [early, engine] of await bothAnswers(vaultPath, 30)) expect(early).toEqual(engine);
  });

  it('equal the engine’s for a locked vault', async () => {
    const vaultPath = path.join(dir, 'locked.kvault');
    const vault = await Vault.create(vaultPath, {
      unlock: { kind: 'passphrase', passphrase: 'early answers test' },
      sealOptions: { argon2: { memoryKiB: 1024, iterations: 1, parallelism: 1 } },
      identity: 'test',
    });
    await vault.lock();
    const answers = await bothAnswers(vaultPath);
    for (const [early, engine] of answers) expect(early).toEqual(engine);
    expect(answers[1]![0]).toMatchObject({ ok: true, value: { state: 'locked' } });
  });

  it('validate the request as the engine does', async () => {
    const early = withEarlyAnswers(never, { vaultPath: path.join(dir, 'x.kvault'), settingsFile });
    const bad = await early.call('vault.status', 42);
    expect(bad.ok).toBe(false);
  });

  it('answer only the first calls: others, and names like “constructor”, wait for the engine', async () => {
    let release: (r: Router) => void = () => undefined;
    const engine = new Promise<Router>((resolve) => (release = resolve));
    const early = withEarlyAnswers(engine, { vaultPath: path.join(dir, 'x.kvault'), settingsFile });
    let answered = false;
    const unlock = early.call('vault.unlock', { passphrase: 'p' }).then((r) => ((answered = true), r));
    const odd = early.call('constructor', {});
    await new Promise((r) => setTimeout(r, 20));
    expect(answered).toBe(false);
    expect((await early.call('vault.status', {})).ok).toBe(true);
    const seen: unknown[] = [];
    release({
      call: async (name) => (seen.push(name), { ok: true, value: `engine:${String(name)}` }),
      supports: () => true,
    });
    expect(await unlock).toEqual({ ok: true, value: 'engine:vault.unlock' });
    expect(await odd).toEqual({ ok: true, value: 'engine:constructor' });
    // Once the engine is ready, it answers the first calls too.
    expect(await early.call('vault.status', {})).toEqual({ ok: true, value: 'engine:vault.status' });
    expect(seen).toEqual(['vault.unlock', 'constructor', 'vault.status']);
  });
});
