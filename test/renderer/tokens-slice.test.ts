import { describe, expect, it } from 'vitest';
import type { TokenList, TokenObject, VaultSlot } from '../../shared/api/index.js';
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
});
