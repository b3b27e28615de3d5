import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Vault } from '../../main/vault/index.js';
import { CHEAP_KDF, PASSPHRASE, tempVaultPath } from './helpers.js';
import { ensureBuilt, REPO } from './support-dist.js';

const WRITER = path.join(REPO, 'test/vault/fixtures/writer.mjs');
const KILLS = 50;

let tmp: ReturnType<typeof tempVaultPath>;

beforeAll(async () => {
  ensureBuilt();
  tmp = tempVaultPath();
  const v = await Vault.create(tmp.vaultPath, {
    unlock: { kind: 'passphrase', passphrase: PASSPHRASE },
    sealOptions: CHEAP_KDF,
  });
  await v.lock();
});

afterAll(() => tmp.cleanup());

interface Writer {
  child: ChildProcess;
  lines: string[];
  /** Resolves when a line matching the predicate arrives (or the child exits). */
  waitFor(pred: (line: string) => boolean): Promise<void>;
  exited: Promise<void>;
}

function startWriter(mode: 'write' | 'hold', start = 0): Writer {
  const child = spawn(process.execPath, [WRITER, tmp.vaultPath, mode, String(start)], {
    env: { ...process.env, KEYHOLD_PASSPHRASE: PASSPHRASE },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: string[] = [];
  const waiters: { pred: (l: string) => boolean; resolve: () => void }[] = [];
  let partial = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    partial += chunk.toString('utf8');
    const parts = partial.split('\n');
    partial = parts.pop() ?? '';
    for (const l of parts) {
      lines.push(l);
      for (const w of waiters.filter((x) => x.pred(l))) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return {
    child,
    lines,
    exited,
    waitFor: (pred) =>
      Promise.race([new Promise<void>((resolve) => waiters.push({ pred, resolve })), exited.then(() => undefined)]),
  };
}

const open = () => Vault.open(tmp.vaultPath, { unlock: { kind: 'passphrase', passphrase: PASSPHRASE } });

describe('crash safety', () => {
  it(`keeps every reported commit and an intact audit chain across ${KILLS} SIGKILLs of a writer`, async () => {
    const committed = new Map<number, string>();
    let next = 0;
    for (let round = 0; round < KILLS; round++) {
      const w = startWriter('write', next);
      // Kill at a random point: sometimes while it opens, mostly in the middle of writing.
      if (round % 5 !== 0) await w.waitFor((l) => l === 'ready');
      await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 60)));
      w.child.kill('SIGKILL');
      await w.exited;
      expect(w.lines.filter((l) => l.startsWith('error'))).toEqual([]);
      for (const l of w.lines) {
        const m = /^committed (\d+) (\S+)$/.exec(l);
        if (m) committed.set(Number(m[1]), m[2] as string);
      }
      // The killed writer's lock must not outlive it: the vault opens at once.
      const v = await open();
      try {
        const audit = await v.verifyAudit();
        expect(audit.ok, JSON.stringify(audit.firstBad)).toBe(true);
        const found = new Set((await v.locate({ attributes: { ObjectGroup: ['crash'] } })).uniqueIdentifiers);
        for (const [n, uid] of committed) {
          expect(found.has(uid), `write ${n} (${uid}) lost after round ${round}`).toBe(true);
        }
        // Continue numbering past the last reported write and the one that may have committed unreported.
        next = Math.max(next, ...committed.keys()) + 2;
      } finally {
        await v.lock();
      }
    }
    // The kills landed in the middle of writing, not only between runs.
    expect(committed.size).toBeGreaterThan(KILLS);
    const v = await open();
    try {
      expect((await v.verify()).databaseProblems).toEqual([]);
    } finally {
      await v.lock();
    }
  }, 240_000);

  it('tells a second process that the vault is in use, and frees it when the holder dies', async () => {
    const holder = startWriter('hold');
    await holder.waitFor((l) => l === 'ready');
    expect(holder.lines).toContain('ready');
    await expect(open()).rejects.toMatchObject({ code: 'vault-in-use' });
    const other = startWriter('hold');
    await other.exited;
    expect(other.lines[0]).toMatch(/^error vault-in-use /);
    holder.child.kill('SIGKILL');
    await holder.exited;
    const v = await open();
    await v.lock();
  }, 60_000);
});
