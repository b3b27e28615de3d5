/**
 * The composition of the API's handlers from the engine parts present in this build. Each engine
 * part contributes the calls it can answer; calls with no handler answer 'unsupported'.
 */
import type { Handlers } from './router.js';
import type { SealOptions } from '../vault/index.js';
import { VaultSession } from './vault-session.js';
import { serverHandlers } from './server-handlers.js';
import { pkiHandlers } from './pki.js';

export interface EngineOptions {
  /** The vault the console or window works on. */
  vaultPath: string;
  autoLockSeconds?: number;
  /** Who acts, for the audit chain: "desktop:<user>" or "console:<user>". */
  identity: string;
  sealOptions?: SealOptions;
}

export interface Engine {
  handlers: Handlers;
  session: VaultSession;
  close(): Promise<void>;
}

export function createEngine(options: EngineOptions): Engine {
  const session = new VaultSession(options.vaultPath, {
    autoLockSeconds: options.autoLockSeconds ?? 300,
    identity: options.identity,
    ...(options.sealOptions ? { sealOptions: options.sealOptions } : {}),
  });
  const handlers: Handlers = {
    ...session.handlers(),
    ...pkiHandlers(session),
    ...serverHandlers(),
  };
  return { handlers, session, close: () => session.close() };
}
