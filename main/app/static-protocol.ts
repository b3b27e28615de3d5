/** Serves the built renderer on keyhold://app/ with the strict CSP headers, nothing else. */
import type { Protocol } from 'electron';
import { readStatic } from '../console/static-files.js';
import { appHost, appResponseHeaders, appScheme } from './security.js';

export function serveRenderer(protocol: Protocol, rendererDir: string): void {
  protocol.handle(appScheme, async (request) => {
    const url = new URL(request.url);
    if (url.host !== appHost || request.method !== 'GET') return new Response('Not found', { status: 404 });
    const file = await readStatic(rendererDir, url.pathname);
    if (!file) return new Response('Not found', { status: 404 });
    return new Response(new Uint8Array(file.body), {
      status: 200,
      headers: { ...appResponseHeaders, 'Content-Type': file.mediaType },
    });
  });
}
