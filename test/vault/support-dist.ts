import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Builds dist/ when it is missing (npm test builds it first; a lone vitest run may not have). */
export function ensureBuilt(): void {
  if (existsSync(path.join(REPO, 'dist/main/vault/index.js')) && existsSync(path.join(REPO, 'dist/main/cli/index.js')))
    return;
  try {
    execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: REPO, stdio: 'ignore' });
  } catch {
    // tsc emits despite type errors elsewhere in the tree; the check below decides.
  }
  if (!existsSync(path.join(REPO, 'dist/main/vault/index.js')))
    throw new Error('could not build dist/ (npm run build)');
}
