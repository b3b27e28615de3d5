import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

export const REPO = path.resolve(import.meta.dirname, '../..');

/** The folders tsconfig.build.json compiles for `bin/keyhold.js` (main/app is not part of it). */
const SOURCE_ROOTS = ['main', 'shared'];
const EXCLUDED = new Set([path.join('main', 'app')]);
const LOCK = path.join(REPO, 'dist', '.fresh-build.lock');
/** A lock older than this was left by a run that died: taken over. */
const STALE_LOCK_MS = 10 * 60_000;

function sources(dir: string): string[] {
  if (EXCLUDED.has(dir)) return [];
  return readdirSync(path.join(REPO, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = path.join(dir, e.name);
    if (e.isDirectory()) return sources(rel);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [rel] : [];
  });
}

function mtimeMs(file: string): number | undefined {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
}

/** The sources (relative to the repo) whose dist/ output is missing or older than the source. */
export function staleOutputs(): string[] {
  return SOURCE_ROOTS.flatMap(sources).filter((rel) => {
    const out = mtimeMs(path.join(REPO, 'dist', rel.replace(/\.ts$/, '.js')));
    return out === undefined || out < (mtimeMs(path.join(REPO, rel)) ?? Infinity);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs `fn` holding a lock folder, so parallel test files do not write dist/ at the same time. */
async function withBuildLock<T>(fn: () => Promise<T>): Promise<T> {
  mkdirSync(path.dirname(LOCK), { recursive: true });
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const age = Date.now() - (mtimeMs(LOCK) ?? Date.now());
      if (age > STALE_LOCK_MS) rmSync(LOCK, { recursive: true, force: true });
      else await sleep(500);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

async function build(): Promise<void> {
  try {
    await promisify(execFile)(
      process.execPath,
      [path.join(REPO, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
      { cwd: REPO, maxBuffer: 64 * 1024 * 1024 },
    );
  } catch {
    // tsc emits despite type errors elsewhere in the tree; staleOutputs() decides below.
  }
}

/**
 * Makes dist/ (what `bin/keyhold.js` runs) current with main/ and shared/: builds it with
 * tsconfig.build.json when any compiled source is newer than its output, so a test that spawns
 * the CLI runs the source as it is now, not a stale build. Does nothing when dist/ is current
 * (as after `npm run build`, which `npm test` runs first).
 */
export async function ensureFreshBuild(): Promise<void> {
  if (staleOutputs().length === 0) return;
  await withBuildLock(async () => {
    // Another test file may have built it while this one waited for the lock.
    for (let attempt = 0; attempt < 2 && staleOutputs().length > 0; attempt++) await build();
  });
  const stale = staleOutputs();
  if (stale.length > 0) throw new Error(`dist/ is older than ${stale.slice(0, 5).join(', ')} after a build`);
}
