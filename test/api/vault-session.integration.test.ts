import { describe, expect, it } from 'vitest';
import type { ObjectDetail, ObjectSummary } from '../../shared/api/index.js';
import { tempEngine, value } from './support/temp-engine.js';

const { router } = tempEngine('api');

describe('the API over a real vault (SQLCipher on disk)', () => {
  it('creates, lists, generates, acts on objects, locks and unlocks, and verifies the audit chain', async () => {
    expect(value<{ state: string }>(await router.call('vault.status', {})).state).toBe('absent');
    expect((await router.call('objects.list', {})).ok).toBe(false);
    expect(
      value<{ state: string }>(await router.call('vault.create', { passphrase: 'correct horse battery' })).state,
    ).toBe('unlocked');

    const aes = value<{ uniqueIdentifiers: string[] }>(
      await router.call('keys.generate', {
        kind: 'SymmetricKey',
        algorithm: 'AES',
        cryptographicLength: 256,
        usageMask: ['Encrypt', 'Decrypt'],
        name: 'aes-1',
        location: 'vault',
      }),
    );
    const pair = value<{ uniqueIdentifiers: string[] }>(
      await router.call('keys.generate', {
        kind: 'KeyPair',
        algorithm: 'EC',
        curve: 'P256',
        usageMask: ['Sign', 'Verify'],
        name: 'ec-1',
        location: 'vault',
        activationDate: new Date().toISOString(),
      }),
    );
    expect(pair.uniqueIdentifiers).toHaveLength(2);

    const list = value<ObjectSummary[]>(await router.call('objects.list', {}));
    expect(list.map((o) => o.objectType).sort()).toEqual(['PrivateKey', 'PublicKey', 'SymmetricKey']);
    const key = list.find((o) => o.uniqueIdentifier === aes.uniqueIdentifiers[0])!;
    expect(key).toMatchObject({
      name: 'aes-1',
      cryptographicAlgorithm: 'AES',
      cryptographicLength: 256,
      state: 'PreActive',
    });
    const priv = list.find((o) => o.objectType === 'PrivateKey')!;
    expect(priv).toMatchObject({ cryptographicAlgorithm: 'EC', curve: 'P-256', state: 'Active' });

    const detail = value<ObjectDetail>(await router.call('objects.get', { uniqueIdentifier: priv.uniqueIdentifier }));
    expect(detail.links).toEqual([{ linkType: 'PublicKeyLink', linkedObjectIdentifier: pair.uniqueIdentifiers[1] }]);
    expect(detail.attributes.find((a) => a.name === 'CryptographicUsageMask')?.value).toMatch(/^Sign/);
    expect(JSON.stringify(detail)).not.toMatch(/KeyMaterial/);

    expect(
      value<ObjectSummary>(await router.call('objects.activate', { uniqueIdentifier: key.uniqueIdentifier })).state,
    ).toBe('Active');
    const rekeyed = value<{ uniqueIdentifiers: string[] }>(
      await router.call('objects.rekey', { uniqueIdentifier: key.uniqueIdentifier }),
    );
    const newKey = value<ObjectDetail>(
      await router.call('objects.get', { uniqueIdentifier: rekeyed.uniqueIdentifiers[0] }),
    );
    expect(newKey.summary).toMatchObject({
      name: 'aes-1',
      cryptographicAlgorithm: 'AES',
      cryptographicLength: 256,
      state: 'Active',
    });
    expect(newKey.links).toEqual([{ linkType: 'ReplacedObjectLink', linkedObjectIdentifier: key.uniqueIdentifier }]);
    const oldKey = value<ObjectDetail>(await router.call('objects.get', { uniqueIdentifier: key.uniqueIdentifier }));
    expect(oldKey.links).toEqual([
      { linkType: 'ReplacementObjectLink', linkedObjectIdentifier: newKey.summary.uniqueIdentifier },
    ]);
    expect(await router.call('objects.rekey', { uniqueIdentifier: priv.uniqueIdentifier })).toMatchObject({
      ok: false,
      error: { code: 'invalid-argument' },
    });
    const again = await router.call('objects.activate', { uniqueIdentifier: key.uniqueIdentifier });
    expect(again).toMatchObject({ ok: false, error: { code: 'illegal-state' } });
    expect(
      value<ObjectSummary>(
        await router.call('objects.revoke', { uniqueIdentifier: key.uniqueIdentifier, reason: 'CessationOfOperation' }),
      ).state,
    ).toBe('Deactivated');
    expect(
      value<ObjectSummary>(await router.call('objects.destroy', { uniqueIdentifier: key.uniqueIdentifier })).state,
    ).toBe('Destroyed');
    const keyDetail = value<ObjectDetail>(await router.call('objects.get', { uniqueIdentifier: key.uniqueIdentifier }));
    expect(keyDetail.lifecycle.map((e) => e.event)).toEqual(
      expect.arrayContaining(['InitialDate', 'ActivationDate', 'DeactivationDate', 'DestroyDate']),
    );
    expect(keyDetail.audit.map((e) => e.operation)).toEqual(expect.arrayContaining(['Create']));

    expect(value<{ state: string }>(await router.call('vault.lock', {})).state).toBe('locked');
    expect(await router.call('objects.list', {})).toMatchObject({ ok: false, error: { code: 'vault-locked' } });
    expect(await router.call('vault.unlock', { passphrase: 'wrong passphrase' })).toMatchObject({
      ok: false,
      error: { code: 'wrong-passphrase' },
    });
    expect(
      value<{ state: string }>(await router.call('vault.unlock', { passphrase: 'correct horse battery' })).state,
    ).toBe('unlocked');
    const all = value<ObjectSummary[]>(await router.call('objects.list', {}));
    expect(all).toHaveLength(4);
    const page = value<ObjectSummary[]>(await router.call('objects.list', { offset: 1, limit: 2 }));
    expect(page.map((o) => o.uniqueIdentifier)).toEqual(all.slice(1, 3).map((o) => o.uniqueIdentifier));
    expect((await router.call('objects.list', { limit: 0 })).ok).toBe(false);

    const verification = value<{ valid: boolean; entries: number }>(await router.call('audit.verify', {}));
    expect(verification.valid).toBe(true);
    expect(verification.entries).toBeGreaterThan(4);
  });
});
