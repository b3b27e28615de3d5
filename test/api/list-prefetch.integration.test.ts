import { describe, expect, it } from 'vitest';
import { firstListPage } from '../../shared/api/index.js';
import type { ObjectSummary } from '../../shared/api/index.js';
import { tempEngine, value } from './support/temp-engine.js';

const { router } = tempEngine('prefetch');
const passphrase = 'correct horse battery';
const firstPage = { offset: 0, limit: firstListPage };

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
