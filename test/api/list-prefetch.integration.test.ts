import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../main/api/handlers.js';
import { createRouter } from '../../main/api/router.js';
import { firstListPage } from '../../shared/api/index.js';
import type { ObjectSummary, Result } from '../../shared/api/index.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'keyhold-prefetch-'));
const engine = createEngine({
  vaultPath: path.join(dir, 'v.kvault'),
  identity: 'console:test',
  sealOptions: { argon2: { memoryKiB: 1024, iterations: 1, parallelism: 1 } },
  settingsFile: path.join(dir, 'settings.json'),
});
const router = createRouter(engine.handlers, 'http');
const passphrase = 'correct horse battery';
const firstPage = { offset: 0, limit: firstListPage };

afterAll(async () => {
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
});

function value<T>(r: Result<unknown>): T {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.value as T;
}

const generate = () =>
  router.call('keys.generate', {
    kind: 'SymmetricKey',
    algorithm: 'AES',
    cryptographicLength: 256,
    usageMask: ['Encrypt'],
    name: 'k',
    location: 'vault',
  });

describe('the first page read ahead at unlock', () => {
  it('answers the list call after unlock, and is never stale', async () => {
    value(await router.call('vault.create', { passphrase }));
    value(await generate());
    value(await router.call('vault.lock', {}));
    value(await router.call('vault.unlock', { passphrase }));
    expect(value<ObjectSummary[]>(await router.call('objects.list', firstPage))).toHaveLength(1);

    // A change between unlock and the list call: the list shows it.
    value(await router.call('vault.lock', {}));
    value(await router.call('vault.unlock', { passphrase }));
    value(await generate());
    expect(value<ObjectSummary[]>(await router.call('objects.list', firstPage))).toHaveLength(2);

    // Locked between unlock and the list call: no list.
    value(await router.call('vault.unlock', { passphrase }));
    value(await router.call('vault.lock', {}));
    const r = await router.call('objects.list', firstPage);
    expect(r.ok).toBe(false);
  });
});
