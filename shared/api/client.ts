/**
 * The API as the renderer sees it: one async function per call, each returning a Result. Built
 * from any transport (IPC in the window, fetch in the web console) so both are the same type.
 */
import { callNames } from './contract.js';
import type { CallName, Request, Response } from './contract.js';
import type { Result } from './result.js';

export type KeyholdApi = {
  [K in CallName]: (request: Request<K>) => Promise<Result<Response<K>>>;
};

/** Sends one call; must resolve to a Result, never reject. */
export type Transport = (name: CallName, request: unknown) => Promise<Result<unknown>>;

export function createApi(transport: Transport): KeyholdApi {
  const api: Partial<Record<CallName, (request: unknown) => Promise<Result<unknown>>>> = {};
  for (const name of callNames) api[name] = (request: unknown) => transport(name, request);
  return Object.freeze(api) as KeyholdApi;
}
