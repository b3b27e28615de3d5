import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { NewManagedObject, SealOptions } from '../../main/vault/index.js';

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
