#!/usr/bin/env node
// `npm start`: the desktop app where Electron's runtime is installed, else the web console.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Electron's binary if it was downloaded; never triggers a download (requiring 'electron' would). */
function electronBinary() {
  try {
    const dir = path.dirname(require.resolve('electron/package.json'));
    const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
    const pathFile = path.join(dir, 'path.txt');
    if (!existsSync(pathFile)) return undefined;
    const exe = override
      ? path.join(override, readFileSync(pathFile, 'utf8'))
      : path.join(dir, 'dist', readFileSync(pathFile, 'utf8'));
    return existsSync(exe) ? exe : undefined;
  } catch {
    return undefined;
  }
}

const electron = electronBinary();
const desktopBuilt =
  existsSync(path.join(root, 'dist', 'main', 'app', 'main.js')) &&
  existsSync(path.join(root, 'dist', 'preload', 'index.cjs'));
if (electron && desktopBuilt) {
  const child = spawn(electron, [root, ...process.argv.slice(2)], { stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  console.log(
    electron
      ? 'keyhold: the desktop app is not built (run `npm run build:desktop`); starting the web console instead.'
      : "keyhold: Electron's runtime is not installed here; starting the web console instead.",
  );
  const { run } = await import('../dist/main/cli/index.js');
  process.exitCode = await run([process.argv[0], process.argv[1], 'console', ...process.argv.slice(2)]);
}
