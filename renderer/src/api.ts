/**
 * The renderer's API: the preload's `window.keyhold` in the desktop window, or the same calls over
 * HTTP in the web console (the access token travels in an HttpOnly cookie the page cannot read).
 */
import { createApi } from '../../shared/api/index.js';
import type { KeyholdApi, Result, Transport } from '../../shared/api/index.js';

declare global {
  interface Window {
    keyhold?: KeyholdApi;
  }
}

const httpTransport: Transport = async (name, request) => {
  try {
    const res = await fetch(`/api/${name}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      credentials: 'same-origin',
      body: JSON.stringify(request ?? {}),
    });
    if (res.status === 401) {
      return {
        ok: false,
        error: { code: 'permission-denied', message: 'This page’s access token is missing or has expired.' },
      };
    }
    return (await res.json()) as Result<unknown>;
  } catch {
    return { ok: false, error: { code: 'io', message: 'Keyhold is not reachable; is the console still running?' } };
  }
};

export function defaultApi(): KeyholdApi {
  return window.keyhold ?? createApi(httpTransport);
}
