/**
 * The vault the front door works on: its path, whether it exists, and (once the vault engine is
 * in the build) the open, unlocked vault. Holds no passphrase: it is passed through to the KDF
 * and dropped.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { VaultStatus } from '../../shared/api/index.js';
import type { Handlers } from './router.js';

export class VaultSession {
  #path: string;
  #autoLockSeconds: number;

  constructor(vaultPath: string, autoLockSeconds: number) {
    this.#path = path.resolve(vaultPath);
    this.#autoLockSeconds = autoLockSeconds;
  }

  get path(): string {
    return this.#path;
  }

  status(): VaultStatus {
    return {
      path: this.#path,
      state: existsSync(this.#path) ? 'locked' : 'absent',
      autoLockSeconds: this.#autoLockSeconds,
    };
  }

  handlers(): Handlers {
    return {
      'vault.status': () => this.status(),
      'vault.setAutoLock': ({ seconds }) => {
        this.#autoLockSeconds = seconds;
        return this.status();
      },
    };
  }

  async close(): Promise<void> {}
}
