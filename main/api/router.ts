/**
 * The router behind both front doors (IPC in the desktop window, HTTP in the web console): it
 * checks the call name, validates the request with that call's schema, then calls the engine
 * handler. It always resolves to a Result; an engine part that is not present answers
 * 'unsupported' instead of inventing data.
 */
import { KeyholdError } from '../../shared/errors.js';
import { callNames, failure, isCallName, ok, requests, toApiError } from '../../shared/api/index.js';
import type { CallName, Request, Response, Result } from '../../shared/api/index.js';

export type Handler<K extends CallName> = (request: Request<K>) => Promise<Response<K>> | Response<K>;
export type Handlers = { [K in CallName]?: Handler<K> };

export interface Router {
  call(name: unknown, request: unknown): Promise<Result<unknown>>;
  supports(name: CallName): boolean;
}

export function createRouter(handlers: Handlers, transport: 'ipc' | 'http'): Router {
  const supports = (name: CallName): boolean => name === 'system.capabilities' || handlers[name] !== undefined;

  async function call(name: unknown, request: unknown): Promise<Result<unknown>> {
    if (!isCallName(name)) return failure('invalid-argument', 'Unknown call.');
    if (name === 'system.capabilities') {
      return ok({ transport, calls: Object.fromEntries(callNames.map((n) => [n, supports(n)])) });
    }
    try {
      const parsed = requests[name].parse(request);
      const handler = handlers[name] as ((r: unknown) => Promise<unknown> | unknown) | undefined;
      if (!handler) {
        throw new KeyholdError('unsupported', `“${name}” needs a part of Keyhold that is not in this build yet.`, {
          reason: 'Operation Not Supported',
        });
      }
      return ok(await handler(parsed));
    } catch (e) {
      return { ok: false, error: toApiError(e) };
    }
  }

  return { call, supports };
}

/**
 * A router whose engine is still loading: calls wait for it. Lets the web console listen (and the
 * browser fetch the page) while the engine's modules load.
 */
export function deferredRouter(load: Promise<Router>): Router {
  let ready: Router | undefined;
  void load.then(
    (r) => (ready = r),
    () => undefined,
  );
  return {
    call: async (name, request) => {
      try {
        return await (ready ?? (await load)).call(name, request);
      } catch (e) {
        return { ok: false, error: toApiError(e) };
      }
    },
    supports: (name) => ready?.supports(name) ?? false,
  };
}
