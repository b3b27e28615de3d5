import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  aeadUnwrap,
  aeadWrap,
  registerKeySlotProvider,
  slotAad,
  Vault,
  type KeySlotProvider,
} from '../../main/vault/index.js';
import { KeyholdError } from '../../shared/errors.js';
import { aesKey, CHEAP_KDF, createTempVault, disposeTempVault, PASSPHRASE, type TempVaultPath } from './helpers.js';

let tmp: TempVaultPath;
let vault: Vault;

beforeEach(async () => {
  ({ tmp, vault } = await createTempVault({ label: 'admin' }));
});

afterEach(() => disposeTempVault({ tmp, vault }));

const dbFile = () => path.join(tmp.vaultPath, 'vault.db');
const open = (passphrase: string) => Vault.open(tmp.vaultPath, { unlock: { kind: 'passphrase', passphrase } });

describe('key slots', () => {
  it('adds and removes passphrase slots without re-encrypting the database; the last one stays', async () => {
    const uid = await vault.insert(aesKey('k'), 'test');
    await vault.lock();
    const dbBefore = readFileSync(dbFile());
    vault = await open(PASSPHRASE);
    const added = await vault.addSlot(
      { kind: 'passphrase', passphrase: 'second' },
      { label: 'backup', sealOptions: CHEAP_KDF },
    );
    expect(vault.listSlots().map((s) => s.label)).toEqual(['admin', 'backup']);
    expect(JSON.stringify(vault.listSlots())).not.toContain('wrappedKey');
    await vault.lock();

    vault = await open('second');
    expect((await vault.getObject(uid)).uniqueIdentifier).toBe(uid);
    const first = vault.listSlots()[0]?.id as string;
    await vault.removeSlot(first);
    await expect(vault.removeSlot(added.id)).rejects.toMatchObject({ code: 'invalid-argument' });
    await vault.lock();
    await expect(open(PASSPHRASE)).rejects.toMatchObject({ code: 'wrong-passphrase' });
    // The database pages that hold the object were not rewritten by slot changes.
    const dbAfter = readFileSync(dbFile());
    expect(dbAfter.subarray(0, 16)).toEqual(dbBefore.subarray(0, 16));
    vault = await open('second');
  });

  it('changes a passphrase in place (same slot id, new salt)', async () => {
    const slot = vault.listSlots()[0];
    await vault.changePassphrase(slot?.id as string, 'new one', { sealOptions: CHEAP_KDF });
    expect(vault.listSlots()[0]?.id).toBe(slot?.id);
    expect(vault.listSlots()[0]?.params['salt']).not.toBe(slot?.params['salt']);
    await vault.lock();
    await expect(open(PASSPHRASE)).rejects.toMatchObject({ code: 'wrong-passphrase' });
    vault = await open('new one');
    const ops = (await vault.listAudit()).map((e) => e.operation);
    expect(ops).toContain('ChangePassphrase');
  });

  it('takes a new kind of slot through the provider interface, with no format change', async () => {
    // A stand-in for the TPM provider: the "TPM" holds a KEK; the slot records only its handle.
    const sealedKek = Buffer.alloc(32, 9);
    const fake: KeySlotProvider = {
      kind: 'tpm',
      async seal(dataKey, _method, context) {
        const params = { handle: '0x81000001' };
        return { params, wrappedKey: aeadWrap(sealedKek, dataKey, slotAad(context, 'tpm', params)) };
      },
      async unseal(slot, method, context) {
        if (method.kind !== 'tpm' || method.credential !== 'pin-1234') throw new KeyholdError('tpm', 'TPM refused');
        const key = aeadUnwrap(sealedKek, slot.wrappedKey, slotAad(context, 'tpm', slot.params));
        if (key === undefined) throw new KeyholdError('tpm', 'TPM refused');
        return key;
      },
    };
    registerKeySlotProvider(fake);
    await vault.addSlot({ kind: 'tpm', credential: 'pin-1234' }, { label: 'host TPM' });
    await vault.lock();
    vault = await Vault.open(tmp.vaultPath, { unlock: { kind: 'tpm', credential: 'pin-1234' } });
    expect(vault.listSlots().map((s) => s.kind)).toEqual(['passphrase', 'tpm']);
    await vault.lock();
    await expect(Vault.open(tmp.vaultPath, { unlock: { kind: 'tpm', credential: 'wrong' } })).rejects.toMatchObject({
      code: 'tpm',
    });
    vault = await open(PASSPHRASE);
  });

  it('is one folder: while open it holds the database, its WAL and index, the header and the lock; after lock three files', async () => {
    await vault.insert(aesKey('k'), 'test');
    expect(readdirSync(tmp.vaultPath).sort()).toEqual([
      'vault.db',
      'vault.db-shm',
      'vault.db-wal',
      'vault.json',
      'vault.lock',
    ]);
    await vault.lock();
    expect(readdirSync(tmp.vaultPath).sort()).toEqual(['vault.db', 'vault.json', 'vault.lock']);
    vault = await open(PASSPHRASE);
  });

  it('keeps the database and header private to the user', () => {
    expect(statSync(dbFile()).mode & 0o077).toBe(0);
    for (const f of ['vault.db-wal', 'vault.db-shm', 'vault.lock'])
      expect(statSync(path.join(tmp.vaultPath, f)).mode & 0o077).toBe(0);
    expect(statSync(path.join(tmp.vaultPath, 'vault.json')).mode & 0o077).toBe(0);
    expect(statSync(tmp.vaultPath).mode & 0o077).toBe(0);
  });
});
