/**
 * The composition of the API's handlers from the engine parts present in this build. Each engine
 * part contributes the calls it can answer; calls with no handler answer 'unsupported'.
 */
import type { CallName } from '../../shared/api/index.js';
import type { Handler, Handlers } from './router.js';
import type { SealOptions } from '../vault/index.js';
import { VaultSession } from './vault-session.js';
import { serverHandlers } from './server-handlers.js';

/**
 * The calls pki.ts answers. Its module (X.509, PKCS#12, the formats) is loaded on the first of
 * them, not at start: the first screens (unlock, object list) need none of it.
 */
export const pkiCalls = [
  'csr.create',
  'ca.status',
  'ca.create',
  'ca.sign',
  'certificates.inspect',
  'certificates.import',
  'objects.export',
] as const satisfies readonly CallName[];

function lazyPkiHandlers(session: VaultSession): Handlers {
  let loaded: Promise<Handlers> | undefined;
  const load = (): Promise<Handlers> => (loaded ??= import('./pki.js').then((m) => m.pkiHandlers(session)));
  const handlers: Handlers = {};
  const forward = <K extends CallName>(name: K): Handler<K> =>
    (async (request) => {
      const handler = (await load())[name] as Handler<K> | undefined;
      if (handler === undefined) throw new Error(`pki.ts does not answer ${name}`);
      return handler(request);
    }) as Handler<K>;
  for (const name of pkiCalls) (handlers as Record<string, unknown>)[name] = forward(name);
  return handlers;
}

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
    ...lazyPkiHandlers(session),
    ...serverHandlers(),
  };
  return { handlers, session, close: () => session.close() };
}
