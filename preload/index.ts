/**
 * The preload: one object, `window.keyhold`, built from the shared contract (one function per
 * call, each sending the call over the one IPC channel). It exposes no Electron or Node object.
 * Bundled to one CommonJS file (sandboxed preloads cannot load modules).
 */
import { contextBridge, ipcRenderer } from 'electron';
import { apiChannel, createApi } from '../shared/api/index.js';
import type { KeyholdApi, Result } from '../shared/api/index.js';

export const keyhold: KeyholdApi = createApi(
  (name, request) => ipcRenderer.invoke(apiChannel, name, request) as Promise<Result<unknown>>,
);

contextBridge.exposeInMainWorld('keyhold', keyhold);
