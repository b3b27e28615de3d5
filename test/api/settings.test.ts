import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../main/api/handlers.js';
import { createRouter } from '../../main/api/router.js';
import { defaultSettings, loadSettings, saveSettings, settingsPath } from '../../main/api/settings.js';
import type { Result, Settings, VaultStatus } from '../../shared/api/index.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'keyhold-settings-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function value<T>(r: Result<unknown>): T {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.value as T;
}

describe('settings file', () => {
  it('lives in the user config directory of each platform', () => {
    expect(settingsPath({ XDG_CONFIG_HOME: '/x/cfg' }, 'linux')).toBe('/x/cfg/keyhold/settings.json');
    expect(settingsPath({}, 'linux')).toBe(path.join(os.homedir(), '.config', 'keyhold', 'settings.json'));
    expect(settingsPath({ APPDATA: 'C:\\Users\\me\\AppData\\Roaming' }, 'win32')).toContain('keyhold');
    expect(settingsPath({}, 'darwin')).toBe(
      path.join(os.homedir(), 'Library', 'Application Support', 'keyhold', 'settings.json'),
    );
  });

  it('gives the defaults for a missing, broken or out-of-range file', () => {
    const file = path.join(dir, 'a', 'settings.json');
    expect(loadSettings(file)).toEqual(defaultSettings);
    saveSettings(file, { autoLockMinutes: 1, clipboardClearSeconds: 10, theme: 'dark' });
    expect(loadSettings(file)).toEqual({ autoLockMinutes: 1, clipboardClearSeconds: 10, theme: 'dark' });
    expect(statSync(file).mode & 0o077).toBe(0);
    writeFileSync(file, '{"autoLockMinutes": -3, "clipboardClearSeconds": "x", "theme": "pink"}');
    expect(loadSettings(file)).toEqual(defaultSettings);
    writeFileSync(file, 'not json');
    expect(loadSettings(file)).toEqual(defaultSettings);
  });

  it('are read and saved through the API, survive a restart and set the auto-lock delay', async () => {
    const settingsFile = path.join(dir, 'b', 'settings.json');
    const options = { vaultPath: path.join(dir, 'v.kvault'), identity: 'test', settingsFile };
    const first = createEngine(options);
    const router = createRouter(first.handlers, 'http');
    expect(value<Settings>(await router.call('settings.get', {}))).toEqual(defaultSettings);
    expect(value<VaultStatus>(await router.call('vault.status', {})).autoLockSeconds).toBe(300);
    const saved = value<Settings>(await router.call('settings.set', { autoLockMinutes: 2, theme: 'dark' }));
    expect(saved).toEqual({ autoLockMinutes: 2, clipboardClearSeconds: 30, theme: 'dark' });
    expect(value<VaultStatus>(await router.call('vault.status', {})).autoLockSeconds).toBe(120);
    expect((await router.call('settings.set', { theme: 'pink' })).ok).toBe(false);
    expect(JSON.parse(readFileSync(settingsFile, 'utf8'))).toEqual(saved);
    await first.close();

    const second = createEngine(options);
    expect(second.session.status().autoLockSeconds).toBe(120);
    const again = createRouter(second.handlers, 'http');
    expect(value<Settings>(await again.call('settings.get', {}))).toEqual(saved);
    await second.close();
  });
});
