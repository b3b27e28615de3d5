/**
 * The page's first calls (capabilities, vault status, settings), sent as soon as the script
 * starts, before React and the app's modules evaluate: main.tsx imports this module first, so
 * the answers travel while the rest of the script runs. The store's first ask of each call gets
 * the answer already on its way; every later ask is a new call. Nothing can change the vault
 * between the two moments but this page, which has not rendered yet.
 */
import { defaultApi } from './api.js';
import type { KeyholdApi } from '../../shared/api/index.js';

const api = defaultApi();
const pending: Partial<Record<keyof KeyholdApi, Promise<unknown>>> = {
  'system.capabilities': api['system.capabilities']({}),
  'vault.status': api['vault.status']({}),
  'settings.get': api['settings.get']({}),
};

/** The API, whose first ask of each first call returns the answer already requested. */
export function apiWithFirstCalls(): KeyholdApi {
  const out: Record<string, unknown> = { ...api };
  for (const name of Object.keys(pending) as (keyof KeyholdApi)[]) {
    const call = api[name] as (request: unknown) => Promise<unknown>;
    out[name] = (request: unknown) => {
      const answer = pending[name];
      delete pending[name];
      return answer ?? call(request);
    };
  }
  return out as KeyholdApi;
}
