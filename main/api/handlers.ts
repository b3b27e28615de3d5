/**
 * The composition of the API's handlers from the engine parts present in this build. Each engine
 * part contributes the calls it can answer; calls with no handler answer 'unsupported'.
 */
import type { Handlers } from './router.js';
import { VaultSession } from './vault-session.js';
import { serverHandlers } from './server-handlers.js';

export interface EngineOptions {
  /** The vault file the console or window works on. */
  vaultPath: string;
  autoLockSeconds?: number;
}

export interface Engine {
  handlers: Handlers;
  session: VaultSession;
  close(): Promise<void>;
}

export function createEngine(options: EngineOptions): Engine {
  const session = new VaultSession(options.vaultPath, options.autoLockSeconds ?? 300);
  const handlers: Handlers = {
    ...session.handlers(),
    ...serverHandlers(),
  };
  return { handlers, session, close: () => session.close() };
}
