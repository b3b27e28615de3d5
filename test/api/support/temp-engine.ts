import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';
import { createEngine, type Engine, type EngineOptions } from '../../../main/api/handlers.js';
import { createRouter } from '../../../main/api/router.js';
import type { Result } from '../../../shared/api/index.js';

/**
 * The console's API engine over a vault file in a fresh temporary folder (fast Argon2 for
 * tests, its settings file in the same folder, never the user's), with the HTTP router over its
 * handlers; closed and removed after the file's (or enclosing block's) tests.
 */
export function tempEngine(label: string, options: Partial<EngineOptions> = {}) {
  const dir = mkdtempSync(path.join(os.tmpdir(), `keyhold-${label}-`));
  const vaultPath = path.join(dir, 'v.kvault');
  const engine: Engine = createEngine({
    vaultPath,
    identity: 'console:test',
    sealOptions: { argon2: { memoryKiB: 1024, iterations: 1, parallelism: 1 } },
    settingsFile: path.join(dir, 'settings.json'),
    ...options,
  });
  const router = createRouter(engine.handlers, 'http');
  afterAll(async () => {
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { dir, vaultPath, engine, router };
}

/** The value of a successful API result; a failure throws with its code and message. */
export function value<T>(r: Result<unknown>): T {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.value as T;
}

/** The failure of an API result (its code and message); a success throws. */
export function failure(r: Result<unknown>): { code: string; message: string } {
  if (r.ok) throw new Error('expected a failure');
  return r.error;
}
