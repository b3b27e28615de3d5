/**
 * The desktop window's security settings, kept apart from the code that imports Electron so a
 * test can check them: an isolated, sandboxed renderer with no Node, our own scheme only, a strict
 * Content-Security-Policy, no navigation, no new windows, no permissions, no remote content.
 */
import type { BrowserWindowConstructorOptions, WebPreferences } from 'electron';
import { apiChannel, contentSecurityPolicy } from '../../shared/api/index.js';

export { apiChannel, contentSecurityPolicy };

/** The renderer is served from keyhold://app/ (a privileged standard scheme), never file:// or http. */
export const appScheme = 'keyhold';
export const appHost = 'app';
export const appEntry = `${appScheme}://${appHost}/index.html`;

export const secureWebPreferences = {
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  webviewTag: false,
  experimentalFeatures: false,
  navigateOnDragDrop: false,
  safeDialogs: true,
  spellcheck: false,
  devTools: false,
} as const satisfies WebPreferences;

export function windowOptions(preloadPath: string): BrowserWindowConstructorOptions {
  return {
    width: 1360,
    height: 860,
    minWidth: 960,
    minHeight: 600,
    show: false,
    title: 'Keyhold',
    backgroundColor: '#f5f6f8',
    autoHideMenuBar: true,
    webPreferences: { ...secureWebPreferences, preload: preloadPath },
  };
}

/** True for our own pages only: keyhold://app/... */
export function isAppUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === `${appScheme}:` && u.host === appHost && u.username === '' && u.password === '';
  } catch {
    return false;
  }
}

/** Response headers for every page and asset the window loads. */
export const appResponseHeaders: Record<string, string> = {
  'Content-Security-Policy': contentSecurityPolicy,
  'X-Content-Type-Options': 'nosniff',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Referrer-Policy': 'no-referrer',
};

/** Which requests the window's session lets through: our scheme and devtools-free internals only. */
export function isAllowedRequestUrl(url: string): boolean {
  return isAppUrl(url) || url.startsWith('data:');
}
