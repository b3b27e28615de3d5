#!/usr/bin/env node
// `npm start`: the desktop app where Electron's runtime is installed, else the web console.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';

const require = createRequire(import.meta.url);

function electronBinary() {
  try {
    const path = require('electron');
    return typeof path === 'string' && existsSync(path) ? path : undefined;
  } catch {
    return undefined;
  }
}

const electron = electronBinary();
if (electron) {
  const child = spawn(electron, ['.'], { stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  console.log("keyhold: Electron's runtime is not installed here; starting the web console instead.");
  const { run } = await import('../dist/main/cli/index.js');
  process.exitCode = await run([process.argv[0], process.argv[1], 'console', ...process.argv.slice(2)]);
}
