/**
 * The API over IPC. Like VS Code's ValidatedIpcMain, each message is handled only when it comes
 * from our own window's top-level frame showing our own page; like Signal, the answer is always a
 * Result value (Electron would pass only an error's message across).
 */
import type { BrowserWindow, IpcMain, IpcMainInvokeEvent } from 'electron';
import { failure } from '../../shared/api/index.js';
import type { Result } from '../../shared/api/index.js';
import type { Router } from '../api/router.js';
import { apiChannel, isAppUrl } from './security.js';

export function isTrustedSender(event: IpcMainInvokeEvent, window: BrowserWindow | undefined): boolean {
  const frame = event.senderFrame;
  if (!window || window.isDestroyed() || !frame) return false;
  return event.sender === window.webContents && frame === window.webContents.mainFrame && isAppUrl(frame.url);
}

export function registerApi(ipcMain: IpcMain, router: Router, window: () => BrowserWindow | undefined): void {
  ipcMain.handle(apiChannel, async (event, name: unknown, request: unknown): Promise<Result<unknown>> => {
    if (!isTrustedSender(event, window())) {
      return failure('permission-denied', 'Calls are accepted only from the Keyhold window.');
    }
    return router.call(name, request);
  });
}
