import { describe, expect, it } from 'vitest';
import type { ObjectSummary, TokenBackup, TokenList, TokenObject, VaultSlot } from '../../shared/api/index.js';
import { createKeyholdStore } from '../../renderer/src/store/index.js';
import { describeHardwareError } from '../../renderer/src/store/tokens-slice.js';
import { fakeApi } from './fake-api.js';

const list: TokenList = {
  modules: [
    { path: '/usr/lib/softhsm/libsofthsm2.so', manufacturer: 'SoftHSM', description: 'Implementation of PKCS11' },
  ],
  tokens: [
    {
      modulePath: '/usr/lib/softhsm/libsofthsm2.so',
      slotId: 7,
      label: 'Desk',
      manufacturer: 'SoftHSM project',
      model: 'SoftHSM v2',
      serialNumber: 'abc',
      flags: ['LOGIN_REQUIRED', 'TOKEN_INITIALIZED', 'USER_PIN_FINAL_TRY'],
      pinPad: false,
    },
  ],
};
const key: TokenObject = {
  objectClass: 'SecretKey',
  label: 'k',
  id: '01',
  keyType: 'AES',
  bits: 256,
  private: true,
  usage: [],
};
const passphrase: VaultSlot = {
  id: 's1',
  kind: 'passphrase',
  label: 'passphrase',
  createdAt: '2026-11-28T00:00:00Z',
  detail: 'Typed at each unlock',
};
const tpm: VaultSlot = {
  id: 's2',
  kind: 'tpm',
  label: 'tpm',
  createdAt: '2026-11-28T00:00:00Z',
  detail: 'TPM, bound to PCR 7',
};

describe('the tokens slice', () => {
  it('lists tokens, opens one with the PIN and never keeps the PIN', async () => {
    const pin = '246810';
    const { api, calls } = fakeApi({
      'tokens.list': () => ({ ok: true, value: list }),
      'tokens.objects': () => ({ ok: true, value: [key] }),
    });
    const store = createKeyholdStore(api);
    await store.getState().loadTokens();
    expect(store.getState().tokenList?.tokens[0]?.label).toBe('Desk');
    expect(await store.getState().openToken('Desk', pin)).toBe(true);
    expect(store.getState().openedToken).toBe('Desk');
    expect(store.getState().tokenObjects).toEqual([key]);
    expect(calls.find((c) => c[0] === 'tokens.objects')).toEqual(['tokens.objects', { label: 'Desk', pin }]);
    expect(JSON.stringify(store.getState())).not.toContain(pin);
    store.getState().closeToken();
    expect(store.getState().tokenObjects).toBeUndefined();
  });

  it('a wrong PIN says so, with the last try the token reports', async () => {
    const { api } = fakeApi({
      'tokens.list': () => ({ ok: true, value: list }),
      'tokens.objects': () => ({
        ok: false,
        error: { code: 'token', message: 'incorrect PIN (log in to token "Desk")' },
      }),
    });
    const store = createKeyholdStore(api);
    await store.getState().loadTokens();
    expect(await store.getState().openToken('Desk', 'nope')).toBe(false);
    expect(store.getState().openedToken).toBeUndefined();
    expect(store.getState().tokenProblem?.title).toBe('Wrong PIN.');
    expect(store.getState().tokenProblem?.action).toMatch(/one try is left/);
  });

  it('generates on the opened token and lists its objects again', async () => {
    const made: TokenObject = {
      objectClass: 'PrivateKey',
      label: 'sig',
      id: '02',
      keyType: 'EC',
      private: true,
      usage: ['sign'],
    };
    let objects: TokenObject[] = [key];
    const { api, calls } = fakeApi({
      'tokens.objects': () => ({ ok: true, value: objects }),
      'tokens.generate': () => {
        objects = [key, made];
        return { ok: true, value: [made] };
      },
    });
    const store = createKeyholdStore(api);
    await store.getState().openToken('Desk', '1234');
    const r = await store.getState().generateOnToken('1234', { algorithm: 'EC', curve: 'P-256', name: 'sig' });
    expect(r).toEqual([made]);
    expect(store.getState().tokenObjects).toEqual([key, made]);
    expect(calls.find((c) => c[0] === 'tokens.generate')?.[1]).toEqual({
      label: 'Desk',
      pin: '1234',
      algorithm: 'EC',
      curve: 'P-256',
      name: 'sig',
    });
  });

  it('lists, adds and removes key slots', async () => {
    let slots = [passphrase];
    const { api } = fakeApi({
      'vault.slots.list': () => ({ ok: true, value: slots }),
      'vault.slots.addTpm': () => {
        slots = [passphrase, tpm];
        return { ok: true, value: tpm };
      },
      'vault.slots.remove': () => {
        slots = [passphrase];
        return { ok: true, value: slots };
      },
    });
    const store = createKeyholdStore(api);
    await store.getState().loadSlots();
    expect(store.getState().slots).toEqual([passphrase]);
    expect(await store.getState().addTpmSlot([7])).toEqual(tpm);
    expect(store.getState().slots).toEqual([passphrase, tpm]);
    expect(await store.getState().removeSlot('s2')).toBe(true);
    expect(store.getState().slots).toEqual([passphrase]);
  });

  it('"No TPM found" keeps its advice', async () => {
    const { api } = fakeApi({
      'vault.slots.addTpm': () => ({
        ok: false,
        error: {
          code: 'not-found',
          message: 'No TPM found on this computer. Turn on the TPM in the firmware settings.',
        },
      }),
    });
    const store = createKeyholdStore(api);
    expect(await store.getState().addTpmSlot([])).toBeUndefined();
    expect(store.getState().slotProblem).toEqual({
      title: 'No TPM found.',
      action: 'Turn on the TPM in the firmware settings.',
    });
  });

  it('words a removed token and a locked PIN', () => {
    expect(
      describeHardwareError({ code: 'token', message: 'the token was removed or stopped responding (x); insert it' })
        .title,
    ).toBe('The token is not there.');
    expect(describeHardwareError({ code: 'token', message: 'the PIN is locked (too many wrong attempts)' }).title).toBe(
      'The token’s PIN is locked.',
    );
  });

  it('words what the engine says when the SO must reset a locked PIN, the token is gone, or the backup needs another token', () => {
    const words = (message: string) => describeHardwareError({ code: 'token', message }).title;
    expect(
      words('the PIN of token "Desk" is locked (too many wrong attempts); the security officer must reset it'),
    ).toBe('The token’s PIN is locked.');
    expect(words('no token labelled "Desk" is present; insert it and try again')).toBe('The token is not there.');
    expect(
      words('token "Spare" cannot open this backup: its key-encryption key "keyhold-kek" is missing or different'),
    ).toBe('This token cannot open that backup.');
    expect(describeHardwareError({ code: 'format', message: 'not a Keyhold token backup' }).title).toBe(
      'That file is not a Keyhold token backup.',
    );
    expect(
      describeHardwareError({ code: 'format', message: 'the backup file was altered (its MAC does not verify)' }).title,
    ).toBe('The backup file was changed.');
  });
});

describe('the tokens slice: import, backup, restore, delete, PIN', () => {
  const pin = '246810';
  const aesKey: TokenObject = { ...key, label: 'payroll-db', id: '0a' };

  it('puts a vault key on the opened token and lists the objects again, never keeping the PIN', async () => {
    let objects: TokenObject[] = [key];
    const { api, calls } = fakeApi({
      'tokens.list': () => ({ ok: true, value: list }),
      'tokens.objects': () => ({ ok: true, value: objects }),
      'tokens.import': () => {
        objects = [key, aesKey];
        return { ok: true, value: [aesKey] };
      },
    });
    const store = createKeyholdStore(api);
    await store.getState().openToken('Desk', pin);
    expect(await store.getState().importToToken(pin, 'uid-1', { name: 'payroll-db' })).toEqual([aesKey]);
    expect(calls.find((c) => c[0] === 'tokens.import')?.[1]).toEqual({
      label: 'Desk',
      pin,
      uniqueIdentifier: 'uid-1',
      name: 'payroll-db',
    });
    expect(store.getState().tokenObjects).toEqual([key, aesKey]);
    expect(JSON.stringify(store.getState())).not.toContain(pin);
  });

  it('does nothing on a token that is not open', async () => {
    const { api, calls } = fakeApi({});
    const store = createKeyholdStore(api);
    expect(await store.getState().importToToken(pin, 'uid-1')).toBeUndefined();
    expect(await store.getState().backupToToken(pin, { uniqueIdentifiers: [] })).toBeUndefined();
    expect(await store.getState().restoreFromToken(pin, { fromToken: 'x' })).toBeUndefined();
    expect(await store.getState().deleteFromToken(pin, key)).toBe(false);
    expect(calls).toEqual([]);
  });

  it('backs up: returns the file to save and keeps neither it nor the PIN', async () => {
    const backup: TokenBackup = {
      file: { fileName: 'keyhold-token-backup-Desk-2026-11-29.json', mediaType: 'application/json', data: 'e30=' },
      count: 2,
      token: 'Desk',
      kek: 'keyhold-kek',
      storedOnToken: 'nightly',
    };
    const { api, calls } = fakeApi({
      'tokens.list': () => ({ ok: true, value: list }),
      'tokens.objects': () => ({ ok: true, value: [key] }),
      'tokens.backup': () => ({ ok: true, value: backup }),
    });
    const store = createKeyholdStore(api);
    await store.getState().openToken('Desk', pin);
    const r = await store.getState().backupToToken(pin, { uniqueIdentifiers: ['a', 'b'], storeOnToken: 'nightly' });
    expect(r).toEqual(backup);
    expect(calls.find((c) => c[0] === 'tokens.backup')?.[1]).toEqual({
      label: 'Desk',
      pin,
      uniqueIdentifiers: ['a', 'b'],
      storeOnToken: 'nightly',
    });
    const state = JSON.stringify(store.getState());
    expect(state).not.toContain(pin);
    expect(state).not.toContain(backup.file.fileName);
  });

  it('restores and reloads the vault object list when something was added', async () => {
    const restored: ObjectSummary = { uniqueIdentifier: 'u1', objectType: 'SymmetricKey', state: 'Active' };
    const { api, calls } = fakeApi({
      'tokens.list': () => ({ ok: true, value: list }),
      'tokens.objects': () => ({ ok: true, value: [key] }),
      'tokens.restore': () => ({ ok: true, value: { added: ['u1'], skipped: ['u0'] } }),
      'objects.list': () => ({ ok: true, value: [restored] }),
    });
    const store = createKeyholdStore(api);
    await store.getState().openToken('Desk', pin);
    expect(await store.getState().restoreFromToken(pin, { data: 'e30=' })).toEqual({ added: ['u1'], skipped: ['u0'] });
    expect(calls.find((c) => c[0] === 'tokens.restore')?.[1]).toEqual({ label: 'Desk', pin, data: 'e30=' });
    expect(store.getState().objects).toEqual([restored]);
  });

  it('a restore the token cannot open says which token to insert', async () => {
    const { api } = fakeApi({
      'tokens.list': () => ({ ok: true, value: list }),
      'tokens.objects': () => ({ ok: true, value: [key] }),
      'tokens.restore': () => ({
        ok: false,
        error: {
          code: 'token',
          message: 'token "Desk" cannot open this backup: its key-encryption key "keyhold-kek" is missing or different',
        },
      }),
    });
    const store = createKeyholdStore(api);
    await store.getState().openToken('Desk', pin);
    expect(await store.getState().restoreFromToken(pin, { fromToken: 'nightly' })).toBeUndefined();
    expect(store.getState().tokenProblem?.action).toMatch(/Insert the token that made it/);
  });

  it('deletes an object and shows what is left', async () => {
    const { api, calls } = fakeApi({
      'tokens.list': () => ({ ok: true, value: list }),
      'tokens.objects': () => ({ ok: true, value: [key, aesKey] }),
      'tokens.delete': () => ({ ok: true, value: [key] }),
    });
    const store = createKeyholdStore(api);
    await store.getState().openToken('Desk', pin);
    expect(await store.getState().deleteFromToken(pin, aesKey)).toBe(true);
    expect(calls.find((c) => c[0] === 'tokens.delete')?.[1]).toEqual({
      label: 'Desk',
      pin,
      objectClass: 'SecretKey',
      id: '0a',
      objectLabel: 'payroll-db',
    });
    expect(store.getState().tokenObjects).toEqual([key]);
  });

  it('changes the PIN as the user, or sets one as the security officer; a wrong SO PIN says so', async () => {
    let soFails = true;
    const { api, calls } = fakeApi({
      'tokens.list': () => ({ ok: true, value: list }),
      'tokens.changePin': () => ({ ok: true, value: { changed: true } }),
      'tokens.initPin': () =>
        soFails
          ? { ok: false, error: { code: 'token', message: 'incorrect PIN (log in to token "Desk")' } }
          : { ok: true, value: { changed: true } },
    });
    const store = createKeyholdStore(api);
    expect(await store.getState().changeTokenPin('Desk', { as: 'user', pin: '1111', newPin: '2222' })).toBe(true);
    expect(calls.find((c) => c[0] === 'tokens.changePin')?.[1]).toEqual({ label: 'Desk', pin: '1111', newPin: '2222' });
    expect(await store.getState().changeTokenPin('Desk', { as: 'so', soPin: '9999', newPin: '3333' })).toBe(false);
    expect(store.getState().tokenProblem?.title).toBe('Wrong SO PIN.');
    soFails = false;
    expect(await store.getState().changeTokenPin('Desk', { as: 'so', soPin: '8888', newPin: '3333' })).toBe(true);
    expect(store.getState().tokenProblem).toBeUndefined();
    const state = JSON.stringify(store.getState());
    for (const p of ['1111', '2222', '3333', '8888', '9999']) expect(state).not.toContain(p);
  });
});
