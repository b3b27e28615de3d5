import { describe, expect, it } from 'vitest';
import type { BrowserWindow, IpcMainInvokeEvent } from 'electron';
import {
  appResponseHeaders,
  contentSecurityPolicy,
  isAllowedRequestUrl,
  isAppUrl,
  windowOptions,
} from '../../main/app/security.js';
import { isTrustedSender, registerApi } from '../../main/app/ipc.js';
import { createRouter } from '../../main/api/router.js';

function directives(csp: string): Map<string, string[]> {
  return new Map(
    csp.split(';').map((d) => {
      const [name, ...values] = d.trim().split(/\s+/);
      return [name!, values];
    }),
  );
}

describe('desktop window hardening', () => {
  it('uses an isolated, sandboxed renderer without Node', () => {
    const o = windowOptions('/app/preload/index.cjs');
    expect(o.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      preload: '/app/preload/index.cjs',
    });
    expect(o.webPreferences).not.toHaveProperty('enableBlinkFeatures');
  });

  it('has a strict Content-Security-Policy: own scripts only, no inline, no eval, no remote, no framing', () => {
    const d = directives(contentSecurityPolicy);
    expect(d.get('default-src')).toEqual(["'none'"]);
    expect(d.get('script-src')).toEqual(["'self'"]);
    expect(d.get('style-src')).toEqual(["'self'"]);
    expect(d.get('connect-src')).toEqual(["'self'"]);
    expect(d.get('frame-ancestors')).toEqual(["'none'"]);
    expect(d.get('object-src')).toEqual(["'none'"]);
    expect(d.get('base-uri')).toEqual(["'none'"]);
    expect(d.get('form-action')).toEqual(["'none'"]);
    expect(contentSecurityPolicy).not.toMatch(/unsafe-inline|unsafe-eval|https?:|\*/);
    expect(appResponseHeaders['Content-Security-Policy']).toBe(contentSecurityPolicy);
  });

  it('treats only keyhold://app/ as ours, and lets no remote request through', () => {
    expect(isAppUrl('keyhold://app/index.html')).toBe(true);
    for (const url of [
      'https://app/index.html',
      'file:///etc/passwd',
      'keyhold://evil/index.html',
      'keyhold://user:pw@app/',
      'javascript:alert(1)',
      'not a url',
    ]) {
      expect(isAppUrl(url)).toBe(false);
    }
    expect(isAllowedRequestUrl('keyhold://app/assets/index.js')).toBe(true);
    expect(isAllowedRequestUrl('https://example.com/x.js')).toBe(false);
    expect(isAllowedRequestUrl('http://127.0.0.1:5696/')).toBe(false);
  });
});

describe('IPC sender validation', () => {
  const mainFrame = { url: 'keyhold://app/index.html' };
  const webContents = { mainFrame };
  const window = { webContents, isDestroyed: () => false } as unknown as BrowserWindow;
  const event = (over: Partial<{ sender: unknown; senderFrame: unknown }>) =>
    ({ sender: webContents, senderFrame: mainFrame, ...over }) as unknown as IpcMainInvokeEvent;

  it('accepts our own window’s top frame on our page only', () => {
    expect(isTrustedSender(event({}), window)).toBe(true);
    expect(isTrustedSender(event({ senderFrame: { url: 'keyhold://app/index.html' } }), window)).toBe(false);
    expect(isTrustedSender(event({ sender: {} }), window)).toBe(false);
    expect(isTrustedSender(event({ senderFrame: null }), window)).toBe(false);
    expect(isTrustedSender(event({}), undefined)).toBe(false);
    const navigatedAway = { url: 'https://evil.example/' };
    const w2 = { webContents: { mainFrame: navigatedAway }, isDestroyed: () => false } as unknown as BrowserWindow;
    expect(
      isTrustedSender({ sender: w2.webContents, senderFrame: navigatedAway } as unknown as IpcMainInvokeEvent, w2),
    ).toBe(false);
  });

  it('answers untrusted senders with a permission-denied Result and never calls the engine', async () => {
    let calls = 0;
    const router = createRouter(
      { 'vault.status': () => (calls++, { path: '/v', state: 'absent', autoLockSeconds: 0 }) },
      'ipc',
    );
    let handler: ((e: IpcMainInvokeEvent, ...args: unknown[]) => Promise<unknown>) | undefined;
    const ipcMain = { handle: (_c: string, h: typeof handler) => (handler = h) } as unknown as Parameters<
      typeof registerApi
    >[0];
    registerApi(ipcMain, router, () => window);
    expect(await handler!(event({ sender: {} }), 'vault.status', {})).toMatchObject({
      ok: false,
      error: { code: 'permission-denied' },
    });
    expect(calls).toBe(0);
    expect(await handler!(event({}), 'vault.status', {})).toMatchObject({ ok: true, value: { state: 'absent' } });
    expect(calls).toBe(1);
  });
});
