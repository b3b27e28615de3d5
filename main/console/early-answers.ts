/**
 * The page's first calls (system.capabilities, vault.status, settings.get) answered while the
 * engine's modules still load, so the unlock form does not wait for SQLCipher and the rest.
 * Before the engine is ready nothing can have changed the vault (every change goes through the
 * engine), so these answers are the ones the engine would give: the vault file's presence, the
 * saved settings, and every call supported. test/console/early-answers.test.ts holds them equal
 * to the engine's. Once the engine is ready every call goes to it.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { callNames, ok, requests, toApiError } from '../../shared/api/index.js';
import type { Settings, VaultStatus } from '../../shared/api/index.js';
import { loadSettings, settingsPath } from '../api/settings.js';
import { deferredRouter } from '../api/router.js';
import type { Router } from '../api/router.js';
import { HEADER_FILE } from '../vault/header.js';

export interface EarlyAnswerOptions {
  vaultPath: string;
  /** The --auto-lock override, as the engine gets it. */
  autoLockSeconds?: number;
  /** The settings file (default: settingsPath()). */
  settingsFile?: string;
}

/** The calls answered before the engine is ready. */
export const earlyCalls = ['system.capabilities', 'vault.status', 'settings.get'] as const;

/** The engine's router once loaded; until then the first read-only calls are answered here. */
export function withEarlyAnswers(engine: Promise<Router>, options: EarlyAnswerOptions): Router {
  const deferred = deferredRouter(engine);
  let ready = false;
  void engine.then(
    () => (ready = true),
    () => undefined,
  );
  const vaultPath = path.resolve(options.vaultPath);
  const settings = (): Settings => loadSettings(options.settingsFile ?? settingsPath());
  const early: Record<string, () => unknown> = {
    'system.capabilities': () => ({ transport: 'http', calls: Object.fromEntries(callNames.map((n) => [n, true])) }),
    'vault.status': (): VaultStatus => ({
      path: vaultPath,
      state: existsSync(path.join(vaultPath, HEADER_FILE)) ? 'locked' : 'absent',
      autoLockSeconds: options.autoLockSeconds ?? settings().autoLockMinutes * 60,
    }),
    'settings.get': settings,
  };
  return {
    call: async (name, request) => {
      const answer = !ready && typeof name === 'string' && Object.hasOwn(early, name) ? early[name] : undefined;
      if (answer === undefined) return deferred.call(name, request);
      try {
        if (name !== 'system.capabilities') requests[name as 'vault.status' | 'settings.get'].parse(request);
        return ok(answer());
      } catch (e) {
        return { ok: false, error: toApiError(e) };
      }
    },
    supports: (name) => deferred.supports(name),
  };
}
