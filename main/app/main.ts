/**
 * The Electron main process: the desktop composition root. It hosts the engine in-process, shows
 * one hardened window with the renderer, and answers the renderer's API calls over IPC.
 */
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, ipcMain, powerMonitor, protocol, session, shell } from 'electron';
import { createEngine } from '../api/handlers.js';
import { createRouter } from '../api/router.js';
import { defaultRendererDir } from '../console/static-files.js';
import { defaultVaultPath } from '../vault/index.js';
import { registerApi } from './ipc.js';
import { serveRenderer } from './static-protocol.js';
import { appEntry, appScheme, isAllowedRequestUrl, isAppUrl, windowOptions } from './security.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const preloadPath = path.resolve(here, '../../preload/index.cjs');

protocol.registerSchemesAsPrivileged([
  { scheme: appScheme, privileges: { standard: true, secure: true, supportFetchAPI: false, corsEnabled: false } },
]);

if (!app.requestSingleInstanceLock()) app.quit();

const engine = createEngine({
  vaultPath: process.env.KEYHOLD_VAULT ?? defaultVaultPath(),
  identity: `desktop:${os.userInfo().username}`,
});
const router = createRouter(engine.handlers, 'ipc');
let mainWindow: BrowserWindow | undefined;

function createWindow(): void {
  const win = new BrowserWindow(windowOptions(preloadPath));
  mainWindow = win;
  win.webContents.on('will-navigate', (e, url) => {
    if (!isAppUrl(url)) e.preventDefault();
  });
  win.webContents.on('will-redirect', (e) => e.preventDefault());
  win.webContents.on('will-attach-webview', (e) => e.preventDefault());
  win.webContents.setWindowOpenHandler(({ url }) => {
    // Links to documentation open in the user's browser, never in a Keyhold window.
    if (url.startsWith('https://')) void shell.openExternal(url);
    return { action: 'deny' };
  });
  win.once('ready-to-show', () => win.show());
  win.on('closed', () => {
    mainWindow = undefined;
  });
  void win.loadURL(appEntry);
}

app.on('web-contents-created', (_e, contents) => {
  contents.on('will-navigate', (e, url) => {
    if (!isAppUrl(url)) e.preventDefault();
  });
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
});

void app.whenReady().then(() => {
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  ses.setDevicePermissionHandler(() => false);
  // No remote content: every request that is not our own scheme is cancelled.
  ses.webRequest.onBeforeRequest((details, callback) => callback({ cancel: !isAllowedRequestUrl(details.url) }));
  serveRenderer(protocol, defaultRendererDir());
  registerApi(ipcMain, router, () => mainWindow);
  // Lock the vault when the screen locks or the machine sleeps; the window follows on its next call.
  powerMonitor.on('lock-screen', () => void engine.session.lock());
  powerMonitor.on('suspend', () => void engine.session.lock());
  createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
});

app.on('second-instance', () => {
  if (mainWindow) {
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  }
});

app.on('window-all-closed', () => {
  void engine.close().finally(() => app.quit());
});
