/**
 * The composition of the API's handlers from the engine parts present in this build. Each engine
 * part contributes the calls it can answer; calls with no handler answer 'unsupported'.
 */
import type { CallName } from '../../shared/api/index.js';
import type { Handler, Handlers } from './router.js';
import type { SealOptions } from '../vault/index.js';
import { VaultSession } from './vault-session.js';
import { ServerService } from './server-handlers.js';
import { tokenHandlers } from './token-handlers.js';
import { loadSettings, saveSettings, settingsPath } from './settings.js';

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
  /** Overrides the saved auto-lock setting. */
  autoLockSeconds?: number;
  /** Who acts, for the audit chain: "desktop:<user>" or "console:<user>". */
  identity: string;
  sealOptions?: SealOptions;
  /** The settings file (default: settingsPath(), in the user's config directory). */
  settingsFile?: string;
}

export interface Engine {
  handlers: Handlers;
  session: VaultSession;
  server: ServerService;
  close(): Promise<void>;
}

/** Every handler also notes the call as activity for the session's idle lock. */
function withActivity(handlers: Handlers, session: VaultSession): Handlers {
  const out: Record<string, unknown> = {};
  for (const [name, handler] of Object.entries(handlers) as [string, (r: unknown) => unknown][]) {
    out[name] = async (request: unknown) => {
      session.touch(name);
      try {
        return await handler(request);
      } finally {
        session.touch(name);
      }
    };
  }
  return out as Handlers;
}

export function createEngine(options: EngineOptions): Engine {
  const settingsFile = options.settingsFile ?? settingsPath();
  let settings = loadSettings(settingsFile);
  const session = new VaultSession(options.vaultPath, {
    autoLockSeconds: options.autoLockSeconds ?? settings.autoLockMinutes * 60,
    identity: options.identity,
    ...(options.sealOptions ? { sealOptions: options.sealOptions } : {}),
  });
  const server = new ServerService(session);
  const handlers: Handlers = withActivity(
    {
      ...session.handlers(),
      ...lazyPkiHandlers(session),
      ...server.handlers(),
      ...tokenHandlers(session),
      'settings.get': () => settings,
      'settings.set': (changes) => {
        const next = { ...settings };
        if (changes.autoLockMinutes !== undefined) next.autoLockMinutes = changes.autoLockMinutes;
        if (changes.clipboardClearSeconds !== undefined) next.clipboardClearSeconds = changes.clipboardClearSeconds;
        if (changes.theme !== undefined) next.theme = changes.theme;
        saveSettings(settingsFile, next);
        settings = next;
        if (changes.autoLockMinutes !== undefined) session.setAutoLockSeconds(next.autoLockMinutes * 60);
        return settings;
      },
    },
    session,
  );
  return {
    handlers,
    session,
    server,
    close: async () => {
      await server.close();
      await session.close();
    },
  };
}
