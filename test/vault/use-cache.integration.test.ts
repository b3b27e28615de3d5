import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Vault } from '../../main/vault/index.js';
import { aesKey, createTempVault, disposeTempVault, PASSPHRASE, type TempVaultPath } from './helpers.js';

let tmp: TempVaultPath;
let vault: Vault;

beforeEach(async () => {
  ({ tmp, vault } = await createTempVault());
});

afterEach(() => disposeTempVault({ tmp, vault }));

// Uses of an object (Get, Encrypt...) are served from a cache of committed rows: every change,
// and every change rolled back, must show in the next use.
describe('uses of an object see every committed change and nothing else', () => {
  it('after attribute and lifecycle changes', async () => {
    const uid = await vault.insert(aesKey('k'), 'alice');
    expect((await vault.getObjectForUse(uid, 'alice')).attributes['State']).toEqual(['PreActive']);
    await vault.activate(uid, 'alice');
    expect((await vault.getObjectForUse(uid, 'alice')).attributes['State']).toEqual(['Active']);
    await vault.setAttributes(uid, { 'x-app': ['billing'] }, 'alice');
    expect((await vault.getObjectForUse(uid, 'alice')).attributes['x-app']).toEqual(['billing']);
    await vault.archive(uid, 'alice');
    await expect(vault.getObjectForUse(uid, 'alice')).rejects.toMatchObject({ reason: 'Object Archived' });
    await vault.recover(uid, 'alice');
    expect((await vault.getObjectForUse(uid, 'alice')).keyBlock).toBeDefined();
    await vault.revoke(uid, { reason: { RevocationReasonCode: 'CessationOfOperation' } }, 'alice');
    await vault.destroy(uid, 'alice');
    const destroyed = await vault.getObjectForUse(uid, 'alice');
    expect(destroyed.attributes['State']).toEqual(['Destroyed']);
    expect(destroyed.keyBlock).toBeUndefined();
  });

  it('never hands out the kept copy: wiping a used key does not reach the next use', async () => {
    const uid = await vault.insert(aesKey('k'), 'alice');
    const first = await vault.getObjectForUse(uid, 'alice');
    (first.keyBlock?.keyMaterial as Uint8Array).fill(0);
    first.attributes['Fresh'] = [false];
    const second = await vault.getObjectForUse(uid, 'alice');
    expect(Buffer.from(second.keyBlock?.keyMaterial as Uint8Array)).toEqual(Buffer.alloc(32, 7));
    expect(second.attributes['Fresh']).toBeUndefined();
  });

  it('after a change that rolled back, the committed state', async () => {
    const uid = await vault.insert(aesKey('k'), 'alice');
    await vault.getObjectForUse(uid, 'alice');
    await expect(
      vault.transaction(async () => {
        await vault.activate(uid, 'alice');
        // Read inside the change: this row is not committed and must not be kept.
        expect((await vault.getObjectForUse(uid, 'alice')).attributes['State']).toEqual(['Active']);
        throw new Error('abandon');
      }),
    ).rejects.toThrow('abandon');
    expect((await vault.getObjectForUse(uid, 'alice')).attributes['State']).toEqual(['PreActive']);
  });

  it('after lock and reopen, from the database', async () => {
    const uid = await vault.insert(aesKey('k'), 'alice');
    await vault.getObjectForUse(uid, 'alice');
    await vault.activate(uid, 'alice');
    await vault.lock();
    vault = await Vault.open(tmp.vaultPath, { unlock: { kind: 'passphrase', passphrase: PASSPHRASE } });
    expect((await vault.getObjectForUse(uid, 'alice')).attributes['State']).toEqual(['Active']);
  });
});
