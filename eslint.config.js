// Lint: typescript-eslint's recommended rules plus the layer rules of ../shared/DESIGN.md.
// Each folder's allowed imports are derived from the table there; a native package may only
// be imported by the folder that owns that concern.
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

/** Packages that only one folder may import (native code and transports). */
const owned = [
  { names: ['better-sqlite3-multiple-ciphers', '@journeyapps/sqlcipher'], owner: ['main/vault/**'] },
  { names: ['graphene-pk11', 'pkcs11js'], owner: ['main/tokens/**'] },
  {
    names: ['node:tls', 'tls', 'node:net', 'net', 'node:http', 'http', 'node:https', 'https'],
    owner: ['main/server/**', 'main/client/**', 'main/console/**', 'test/**'],
  },
];

const pathRule = (group, message) => ({ group, message });

function restricted(...patterns) {
  return { 'no-restricted-imports': ['error', { patterns }] };
}

const noElectron = pathRule(['electron', 'electron/*'], 'Only main/app/ may import electron (DESIGN.md layers).');
const noMain = pathRule(['**/main/**', '../main', '../../main'], 'This layer may not import main/ (DESIGN.md layers).');
const noRenderer = pathRule(['**/renderer/**'], 'Only the renderer imports the renderer.');
const noPreload = pathRule(['**/preload/**'], 'Nothing imports preload/.');
const noNode = pathRule(nodeBuiltins, 'This layer runs in a browser: no Node built-ins (DESIGN.md layers).');

const ownedRules = (file) =>
  owned
    .filter((o) => !o.owner.some((glob) => matchesOwner(file, glob)))
    .map((o) => pathRule(o.names, `Only ${o.owner.join(', ')} may import ${o.names[0]}.`));

function matchesOwner(folder, glob) {
  return glob.startsWith(folder) || folder.startsWith(glob.replace('/**', ''));
}

export default tseslint.config(
  {
    ignores: ['dist/**', 'node_modules/**', 'release/**', 'coverage/**', 'renderer/dist/**', '**/*.generated.ts'],
  },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  // shared/: runs anywhere, imports nothing of ours outside shared/.
  { files: ['shared/**/*.{ts,tsx}'], rules: restricted(noMain, noRenderer, noPreload, noElectron, noNode) },
  // renderer/: a browser; shared/ only.
  { files: ['renderer/**/*.{ts,tsx}'], rules: restricted(noMain, noPreload, noElectron, noNode) },
  // preload/: sandboxed; shared/ and electron.
  { files: ['preload/**/*.ts'], rules: restricted(noMain, noRenderer) },
  // main/app/: the Electron composition root; everything in main/.
  { files: ['main/app/**/*.ts'], rules: restricted(noRenderer, noPreload, ...ownedRules('main/app')) },
  // The engine: plain Node.js, never Electron.
  ...['vault', 'tokens', 'server', 'client', 'console', 'kmip', 'ops', 'crypto', 'backup', 'sync', 'api', 'cli'].map(
    (folder) => ({
      files: [`main/${folder}/**/*.ts`],
      rules: restricted(noElectron, noRenderer, noPreload, ...ownedRules(`main/${folder}`)),
    }),
  ),
);
