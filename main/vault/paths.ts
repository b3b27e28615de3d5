import os from 'node:os';
import path from 'node:path';

/**
 * Where the default vault lives: the platform's per-user data folder (XDG_DATA_HOME on Linux,
 * ~/Library/Application Support on macOS, %APPDATA% on Windows) + keyhold/default.kvault.
 */
export function defaultVaultPath(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): string {
  return path.join(dataHome(env, platform), 'keyhold', 'default.kvault');
}

function dataHome(env: NodeJS.ProcessEnv, platform: NodeJS.Platform): string {
  const home = env['HOME'] ?? os.homedir();
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support');
  if (platform === 'win32') return env['APPDATA'] ?? path.join(home, 'AppData', 'Roaming');
  const xdg = env['XDG_DATA_HOME'];
  // XDG Base Directory spec: a relative XDG_DATA_HOME is invalid and ignored.
  return xdg !== undefined && path.isAbsolute(xdg) ? xdg : path.join(home, '.local', 'share');
}
