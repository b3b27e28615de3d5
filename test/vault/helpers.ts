import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { databasePath, readHeader } from '../../main/vault/header.js';
import { passphraseSlotProvider } from '../../main/vault/passphrase-slot.js';
import { Vault, type CreateVaultOptions, type NewManagedObject, type SealOptions } from '../../main/vault/index.js';

/** Cheap Argon2id for tests only (production defaults are in passphrase-slot.ts). */
export const CHEAP_KDF: SealOptions = { argon2: { memoryKiB: 64, iterations: 1, parallelism: 1 } };

export const PASSPHRASE = 'correct horse battery staple';

/** A fresh folder path for a vault, and a cleanup. */
export function tempVaultPath(): { vaultPath: string; dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'keyhold-vault-test-'));
  return {
    dir,
    vaultPath: path.join(dir, 'test.kvault'),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export type TempVaultPath = ReturnType<typeof tempVaultPath>;

/** A vault created in a fresh folder with PASSPHRASE and CHEAP_KDF (plus `options`). */
export async function createTempVault(
  options: Partial<CreateVaultOptions> = {},
): Promise<{ tmp: TempVaultPath; vault: Vault }> {
  const tmp = tempVaultPath();
  const vault = await Vault.create(tmp.vaultPath, {
    unlock: { kind: 'passphrase', passphrase: PASSPHRASE },
    sealOptions: CHEAP_KDF,
    ...options,
  });
  return { tmp, vault };
}

/** Locks the vault (the one last opened there) and removes its folder. */
export async function disposeTempVault(t: { tmp: TempVaultPath; vault: Vault }): Promise<void> {
  await t.vault.lock();
  t.tmp.cleanup();
}

/**
 * Inserts 1,200 keys (60 batches of 20, names `${prefix}<batch>-<i>`) and waits up to 10 s for the
 * database file to grow: true once a checkpoint has taken the WAL in. SQLite's own
 * auto-checkpoint is off, so without the vault's the file would not grow until lock.
 */
export async function checkpointedAfterInserts(vault: Vault, vaultPath: string, prefix: string): Promise<boolean> {
  const db = databasePath(vaultPath);
  const before = statSync(db).size;
  for (let b = 0; b < 60; b++) {
    await Promise.all(Array.from({ length: 20 }, (_, i) => vault.insert(aesKey(`${prefix}${b}-${i}`), 'alice')));
  }
  const deadline = Date.now() + 10_000;
  while (statSync(db).size <= before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  return statSync(db).size > before;
}

export function aesKey(name: string, extra: NewManagedObject['attributes'] = {}): NewManagedObject {
  return {
    objectType: 'SymmetricKey',
    owner: '',
    keyBlock: {
      keyFormatType: 'Raw',
      keyMaterial: new Uint8Array(32).fill(7),
      cryptographicAlgorithm: 'AES',
      cryptographicLength: 256,
    },
    attributes: {
      Name: [{ NameValue: name, NameType: 'UninterpretedTextString' }],
      CryptographicAlgorithm: ['AES'],
      CryptographicLength: [256],
      CryptographicUsageMask: [12],
      ...extra,
    },
  };
}

/** The raw data key of a vault made with PASSPHRASE, unwrapped from its first slot as an unlock does. */
export async function rawDataKey(vaultPath: string): Promise<Buffer> {
  const header = readHeader(vaultPath);
  const slot = header.slots[0];
  if (slot === undefined) throw new Error('no slot');
  return passphraseSlotProvider.unseal(
    slot,
    { kind: 'passphrase', passphrase: PASSPHRASE },
    { vaultId: header.vaultId, slotId: slot.id },
  );
}
