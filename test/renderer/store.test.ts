import { describe, expect, it } from 'vitest';
import type { ObjectSummary, VaultStatus } from '../../shared/api/index.js';
import { createKeyholdStore } from '../../renderer/src/store/index.js';
import { fakeApi } from './fake-api.js';

const locked: VaultStatus = { path: '/v', state: 'locked', autoLockSeconds: 300 };
const unlocked: VaultStatus = { ...locked, state: 'unlocked' };
const objects: ObjectSummary[] = [
  { uniqueIdentifier: 'a', objectType: 'SymmetricKey', state: 'Active', name: 'alpha' },
  { uniqueIdentifier: 'b', objectType: 'PrivateKey', state: 'PreActive', name: 'beta' },
];

describe('the renderer store', () => {
  it('loads the vault state and capabilities', async () => {
    const { api } = fakeApi({
      'system.capabilities': () => ({ ok: true, value: { transport: 'http', calls: { 'vault.unlock': true } } }),
      'vault.status': () => ({ ok: true, value: locked }),
    });
    const store = createKeyholdStore(api);
    await store.getState().loadVault();
    expect(store.getState().vault).toEqual(locked);
    expect(store.getState().capabilities?.calls['vault.unlock']).toBe(true);
    expect(store.getState().objects).toEqual([]);
  });

  it('unlocks, loads the objects, and never keeps the passphrase', async () => {
    const secret = 'my very secret passphrase';
    const { api, calls } = fakeApi({
      'vault.unlock': () => ({ ok: true, value: unlocked }),
      'objects.list': () => ({ ok: true, value: objects }),
    });
    const store = createKeyholdStore(api);
    expect(await store.getState().unlockVault(secret)).toBe(true);
    await new Promise((r) => setTimeout(r, 0));
    expect(store.getState().objects).toEqual(objects);
    expect(calls[0]).toEqual(['vault.unlock', { passphrase: secret }]);
    const state = store.getState();
    const data = Object.fromEntries(Object.entries(state).filter(([, v]) => typeof v !== 'function'));
    expect(JSON.stringify(data)).not.toContain(secret);
  });

  it('records a wrong passphrase as an error the gate can show', async () => {
    const { api } = fakeApi({
      'vault.unlock': () => ({ ok: false, error: { code: 'wrong-passphrase', message: 'wrong passphrase' } }),
    });
    const store = createKeyholdStore(api);
    expect(await store.getState().unlockVault('x')).toBe(false);
    expect(store.getState().vaultStatus).toBe('error');
    expect(store.getState().vaultError?.code).toBe('wrong-passphrase');
  });

  it('follows the engine when a call finds the vault locked (idle or screen lock)', async () => {
    const { api } = fakeApi({
      'vault.unlock': () => ({ ok: true, value: unlocked }),
      'objects.list': () => ({ ok: true, value: objects }),
      'objects.get': () => ({ ok: false, error: { code: 'vault-locked', message: 'locked' } }),
    });
    const store = createKeyholdStore(api);
    await store.getState().unlockVault('p');
    await new Promise((r) => setTimeout(r, 0));
    await store.getState().select('a');
    expect(store.getState().vault?.state).toBe('locked');
    expect(store.getState().objects).toEqual([]);
    expect(store.getState().selectedId).toBeUndefined();
  });

  it('turns an engine error into words and an action', async () => {
    const { api } = fakeApi({
      'objects.activate': () => ({
        ok: false,
        error: { code: 'illegal-state', message: 'Activate is not allowed in state Active' },
      }),
    });
    const store = createKeyholdStore(api);
    expect(await store.getState().runAction('activate', 'a')).toBe(false);
    expect(store.getState().notice).toMatchObject({
      kind: 'error',
      title: 'The object is not in a state that allows this.',
      detail: 'Activate is not allowed in state Active',
    });
  });

  it('keeps filters in the store and resets them', () => {
    const store = createKeyholdStore(fakeApi({}).api);
    store.getState().setFilter({ text: 'be', state: 'PreActive' });
    expect(store.getState().filter).toMatchObject({ text: 'be', state: 'PreActive', objectType: '' });
    store.getState().resetFilter();
    expect(store.getState().filter.text).toBe('');
  });
});

describe('object list paging', () => {
  it('shows the first page, then appends the next pages until a short one', async () => {
    const { firstPage, nextPages } = await import('../../renderer/src/store/objects-slice.js');
    const total = firstPage + nextPages + 3;
    const all: ObjectSummary[] = Array.from({ length: total }, (_, i) => ({
      uniqueIdentifier: `u${i}`,
      objectType: 'SymmetricKey',
      state: 'Active',
    }));
    const { api, calls } = fakeApi({
      'objects.list': (r) => {
        const { offset = 0, limit = total } = r as { offset?: number; limit?: number };
        return { ok: true, value: all.slice(offset, offset + limit) };
      },
    });
    const store = createKeyholdStore(api);
    await store.getState().loadObjects();
    expect(calls.map(([, r]) => r)).toEqual([
      { offset: 0, limit: firstPage },
      { offset: firstPage, limit: nextPages },
      { offset: firstPage + nextPages, limit: nextPages },
    ]);
    expect(store.getState().objects.map((o) => o.uniqueIdentifier)).toEqual(all.map((o) => o.uniqueIdentifier));
    expect(store.getState().objectsStatus).toBe('ready');
  });
});

describe('settings', () => {
  it('loads the saved settings, resolves the system theme, and saves a change', async () => {
    const saved = { autoLockMinutes: 10, clipboardClearSeconds: 45, theme: 'system' as const };
    const { api, calls } = fakeApi({
      'settings.get': () => ({ ok: true, value: saved }),
      'settings.set': (r) => ({ ok: true, value: { ...saved, ...(r as object) } }),
      'vault.status': () => ({ ok: true, value: { ...unlocked, autoLockSeconds: 60 } }),
    });
    const store = createKeyholdStore(api);
    store.getState().setSystemDark(true);
    await store.getState().loadSettings();
    expect(store.getState().settings).toEqual(saved);
    expect(store.getState().theme).toBe('dark');
    expect(await store.getState().saveSettings({ autoLockMinutes: 1, theme: 'light' })).toBe(true);
    expect(store.getState().theme).toBe('light');
    expect(store.getState().settings.autoLockMinutes).toBe(1);
    expect(store.getState().vault?.autoLockSeconds).toBe(60);
    expect(calls).toContainEqual(['settings.set', { autoLockMinutes: 1, theme: 'light' }]);
  });

  it('keeps the defaults when the engine has no settings', async () => {
    const { api } = fakeApi({});
    const store = createKeyholdStore(api);
    await store.getState().loadSettings();
    expect(store.getState().settings.clipboardClearSeconds).toBe(30);
    expect(await store.getState().saveSettings({ theme: 'dark' })).toBe(false);
    expect(store.getState().notice).toBeUndefined();
  });
});

describe('server panel: client Credentials through the store', () => {
  const serverStatus = {
    available: true,
    running: true,
    clients: [],
    connectionCount: 0,
    connections: [],
    requestLog: [],
  };

  it('passes a Credential password through to the engine and keeps it nowhere in the store', async () => {
    const password = 'tangerine orbit 42 lantern';
    const { api, calls } = fakeApi({
      'server.enroll': () => ({
        ok: true,
        value: { fileName: 'vc-kmip-bundle.pem', mediaType: 'application/x-pem-file', data: '' },
      }),
      'server.setCredential': () => ({ ok: true, value: serverStatus }),
      'server.clearCredential': () => ({ ok: true, value: serverStatus }),
      'objects.list': () => ({ ok: true, value: [] }),
    });
    const store = createKeyholdStore(api);
    const credential = { username: 'vcenter', password };
    expect((await store.getState().enrollClient({ name: 'vc', includePrivateKey: true, credential })).ok).toBe(true);
    expect((await store.getState().setClientCredential({ name: 'vc', credential })).ok).toBe(true);
    expect((await store.getState().clearClientCredential({ name: 'vc' })).ok).toBe(true);
    expect(calls).toContainEqual(['server.enroll', { name: 'vc', includePrivateKey: true, credential }]);
    expect(calls).toContainEqual(['server.setCredential', { name: 'vc', credential }]);
    expect(calls).toContainEqual(['server.clearCredential', { name: 'vc' }]);
    await new Promise((r) => setTimeout(r, 0));
    const data = Object.fromEntries(Object.entries(store.getState()).filter(([, v]) => typeof v !== 'function'));
    expect(JSON.stringify(data)).not.toContain(password);
  });

  it('hands an engine refusal back to the form and follows a locked vault', async () => {
    const { api } = fakeApi({
      'server.setCredential': () => ({ ok: false, error: { code: 'not-found', message: 'no enrolled client ghost' } }),
      'server.clearCredential': () => ({ ok: false, error: { code: 'vault-locked', message: 'locked' } }),
    });
    const store = createKeyholdStore(api);
    store.setState({ vault: unlocked });
    const r = await store
      .getState()
      .setClientCredential({ name: 'ghost', credential: { username: 'g', password: 'p' } });
    expect(r).toEqual({ ok: false, error: { code: 'not-found', message: 'no enrolled client ghost' } });
    expect(store.getState().vault?.state).toBe('unlocked');
    expect((await store.getState().clearClientCredential({ name: 'ghost' })).ok).toBe(false);
    expect(store.getState().vault?.state).toBe('locked');
  });
});
