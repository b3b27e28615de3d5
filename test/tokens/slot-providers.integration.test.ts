import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Vault } from '../../main/vault/index.js';
import { registerHardwareSlotProviders } from '../../main/tokens/slot-providers.js';
import { finalizeAllModules } from '../../main/tokens/pkcs11/index.js';
import { SoftHsm } from './softhsm.js';
import { SwTpm } from './swtpm.js';

const PASS = 'correct horse battery staple';
const CHEAP = { argon2: { memoryKiB: 64, iterations: 1, parallelism: 1 } };

describe('vault key slots on hardware', () => {
  let tpm: SwTpm;
  let hsm: SoftHsm;
  let dir: string;
  let tokenDir: string;
  beforeAll(async () => {
    registerHardwareSlotProviders();
    tpm = await SwTpm.start();
    hsm = new SoftHsm();
    tokenDir = hsm.initToken('unlock', '1111', '99999999');
    dir = mkdtempSync(join(tmpdir(), 'keyhold-slots-'));
  });
  afterAll(async () => {
    finalizeAllModules();
    await tpm?.stop();
    hsm?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  async function newVault(name: string): Promise<{ path: string; uid: string }> {
    const path = join(dir, name);
    const v = await Vault.create(path, { unlock: { kind: 'passphrase', passphrase: PASS }, sealOptions: CHEAP });
    const uid = await v.insert(
      {
        objectType: 'SecretData',
        keyBlock: { keyFormatType: 'Opaque', keyMaterial: new Uint8Array([1, 2, 3]) },
        attributes: {},
        owner: 'test',
      },
      'test',
    );
    await v.lock();
    return { path, uid };
  }

  it('unlocks a vault by TPM bound to PCR 7; a PCR change refuses clearly; the passphrase still works; the slot can be removed', async () => {
    const { path, uid } = await newVault('tpm');
    let v = await Vault.open(path, { unlock: { kind: 'passphrase', passphrase: PASS } });
    const slot = await v.addSlot({ kind: 'tpm', credential: { tcti: tpm.tcti, pcrs: [7] } }, { label: 'this machine' });
    expect(slot).toMatchObject({ kind: 'tpm', label: 'this machine' });
    expect(slot.params['pcrs']).toEqual(['7']);
    await v.lock();

    v = await Vault.open(path, { unlock: { kind: 'tpm', credential: { tcti: tpm.tcti } } });
    expect((await v.getObject(uid)).objectType).toBe('SecretData');
    await v.lock();

    await tpm.extendPcr(7);
    await expect(Vault.open(path, { unlock: { kind: 'tpm', credential: { tcti: tpm.tcti } } })).rejects.toThrow(
      /PCR values/,
    );
    v = await Vault.open(path, { unlock: { kind: 'passphrase', passphrase: PASS } });
    await v.removeSlot(slot.id);
    expect(v.listSlots().map((s) => s.kind)).toEqual(['passphrase']);
    await v.lock();
    await expect(Vault.open(path, { unlock: { kind: 'tpm', credential: { tcti: tpm.tcti } } })).rejects.toThrow(
      /no tpm key slot/,
    );
  });

  it('unlocks a vault by TPM with a PIN', async () => {
    const { path } = await newVault('tpm-pin');
    let v = await Vault.open(path, { unlock: { kind: 'passphrase', passphrase: PASS } });
    await v.addSlot({ kind: 'tpm', credential: { tcti: tpm.tcti, pin: '8642' } });
    await v.lock();
    await expect(
      Vault.open(path, { unlock: { kind: 'tpm', credential: { tcti: tpm.tcti, pin: '0000' } } }),
    ).rejects.toThrow(/incorrect TPM PIN/);
    v = await Vault.open(path, { unlock: { kind: 'tpm', credential: { tcti: tpm.tcti, pin: '8642' } } });
    await v.lock();
  });

  it('unlocks a vault by PKCS#11 token; a wrong PIN and a removed token refuse clearly', async () => {
    const { path, uid } = await newVault('token');
    let v = await Vault.open(path, { unlock: { kind: 'passphrase', passphrase: PASS } });
    const slot = await v.addSlot(
      { kind: 'pkcs11', credential: { modules: [hsm.module], selector: { label: 'unlock' }, pin: '1111' } },
      { label: 'token' },
    );
    expect(slot.params).toMatchObject({ tokenLabel: 'unlock', mechanism: 'AES-GCM' });
    await v.lock();
    // The key is on the token, and cannot leave it.
    expect(
      hsm.pkcs11Tool(['--token-label', 'unlock', '--login', '--pin', '1111', '--list-objects', '--type', 'secrkey']),
    ).toMatch(/never extractable|Unwrap|label:\s+keyhold-vault/);

    v = await Vault.open(path, { unlock: { kind: 'pkcs11', credential: { pin: '1111' } } });
    expect((await v.getObject(uid)).objectType).toBe('SecretData');
    await v.lock();
    await expect(Vault.open(path, { unlock: { kind: 'pkcs11', credential: { pin: '2222' } } })).rejects.toThrow(
      /incorrect PIN/,
    );

    hsm.removeToken(tokenDir);
    await expect(Vault.open(path, { unlock: { kind: 'pkcs11', credential: { pin: '1111' } } })).rejects.toThrow(
      /no token .* is present/,
    );
    // Still consistent: the passphrase opens it; after re-inserting, the token does again.
    v = await Vault.open(path, { unlock: { kind: 'passphrase', passphrase: PASS } });
    await v.lock();
    hsm.reinsertToken(tokenDir);
    v = await Vault.open(path, { unlock: { kind: 'pkcs11', credential: { pin: '1111' } } });
    await v.lock();
  });
});
