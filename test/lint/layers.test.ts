import { describe, expect, it } from 'vitest';
import { ESLint } from 'eslint';
import path from 'node:path';

// The layer rules of ../shared/DESIGN.md, enforced by eslint.config.js. Each case lints a
// one-line file at a virtual path in the layer under test.
const eslint = new ESLint({ cwd: path.resolve(import.meta.dirname, '../..') });

async function violations(file: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath: file });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('layer rules', () => {
  it.each([
    ['renderer/x.ts', "import fs from 'node:fs';"],
    ['renderer/x.ts', "import { openVault } from '../main/vault/index.js';"],
    ['renderer/x.ts', "import { ipcRenderer } from 'electron';"],
    ['shared/x.ts', "import crypto from 'node:crypto';"],
    ['shared/x.ts', "import { x } from '../main/kmip/index.js';"],
    ['main/vault/x.ts', "import { app } from 'electron';"],
    ['main/kmip/x.ts', "import tls from 'node:tls';"],
    ['main/crypto/x.ts', "import sqlite from 'better-sqlite3-multiple-ciphers';"],
    ['main/vault/x.ts', "import { Module } from 'graphene-pk11';"],
    ['preload/x.ts', "import { Vault } from '../main/vault/index.js';"],
  ])('%s may not: %s', async (file, source) => {
    expect(await violations(file, `${source}\nexport {};\n`)).not.toEqual([]);
  });

  it.each([
    ['renderer/x.ts', "import { KeyholdError } from '../shared/errors.js';"],
    ['main/app/x.ts', "import { app } from 'electron';"],
    ['main/vault/x.ts', "import sqlite from 'better-sqlite3-multiple-ciphers';"],
    ['main/tokens/pkcs11/x.ts', "import { Module } from 'graphene-pk11';"],
    ['main/server/x.ts', "import tls from 'node:tls';"],
    ['main/crypto/x.ts', "import crypto from 'node:crypto';"],
    ['preload/x.ts', "import { contextBridge } from 'electron';"],
  ])('%s may: %s', async (file, source) => {
    expect(await violations(file, `${source}\nexport {};\n`)).toEqual([]);
  });
});
