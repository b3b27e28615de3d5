/**
 * The window's settings (auto-lock minutes, clipboard clear seconds, theme). They are needed
 * before unlock, so they live outside the vault, in the user's config directory:
 * $XDG_CONFIG_HOME/keyhold/settings.json (default ~/.config/keyhold/settings.json), on Windows
 * %APPDATA%\keyhold\settings.json, on macOS ~/Library/Application Support/keyhold/settings.json.
 * Nothing secret is in them.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Settings } from '../../shared/api/index.js';

export const defaultSettings: Settings = { autoLockMinutes: 5, clipboardClearSeconds: 30, theme: 'system' };

/** The settings file for this platform and environment. */
export function settingsPath(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): string {
  const home = os.homedir();
  const base =
    platform === 'win32'
      ? (env['APPDATA'] ?? path.join(home, 'AppData', 'Roaming'))
      : platform === 'darwin'
        ? path.join(home, 'Library', 'Application Support')
        : env['XDG_CONFIG_HOME'] || path.join(home, '.config');
  return path.join(base, 'keyhold', 'settings.json');
}

function clampInt(v: unknown, min: number, max: number, fallback: number): number {
  return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max ? v : fallback;
}

/** Reads the settings; a missing or unreadable file (or field) gives the default. */
export function loadSettings(file: string): Settings {
  let raw: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (parsed !== null && typeof parsed === 'object') raw = parsed as Record<string, unknown>;
  } catch {
    // No file yet, or not JSON: the defaults.
  }
  return {
    autoLockMinutes: clampInt(raw['autoLockMinutes'], 0, 1440, defaultSettings.autoLockMinutes),
    clipboardClearSeconds: clampInt(raw['clipboardClearSeconds'], 5, 600, defaultSettings.clipboardClearSeconds),
    theme: raw['theme'] === 'dark' || raw['theme'] === 'light' ? raw['theme'] : 'system',
  };
}

/** Writes the settings atomically (temporary file, then rename). */
export function saveSettings(file: string, settings: Settings): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(settings, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, file);
}
