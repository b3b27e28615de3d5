/** The vault: where it is, locked or not, and the calls that change that. Never the passphrase. */
import type { ApiError, Capabilities, VaultStatus } from '../../../shared/api/index.js';
import type { SliceCreator, Status } from './types.js';

export interface VaultSlice {
  vault: VaultStatus | undefined;
  capabilities: Capabilities | undefined;
  vaultStatus: Status | 'working';
  vaultError: ApiError | undefined;
  loadVault(): Promise<void>;
  createVault(passphrase: string): Promise<boolean>;
  openVault(path: string): Promise<boolean>;
  unlockVault(passphrase: string): Promise<boolean>;
  lockVault(): Promise<void>;
  setAutoLock(seconds: number): Promise<void>;
  /** Any call answered 'vault-locked' means the engine locked it (idle, screen lock): follow it. */
  noteLocked(): void;
}

export const createVaultSlice: SliceCreator<VaultSlice> = (api) => (set, get) => {
  async function change(call: () => ReturnType<(typeof api)['vault.unlock']>): Promise<boolean> {
    set({ vaultStatus: 'working', vaultError: undefined });
    const r = await call();
    if (!r.ok) {
      set({ vaultStatus: 'error', vaultError: r.error });
      return false;
    }
    set({ vault: r.value, vaultStatus: 'ready' });
    if (r.value.state === 'unlocked') void get().loadObjects();
    else get().clearObjects();
    return true;
  }
  return {
    vault: undefined,
    capabilities: undefined,
    vaultStatus: 'idle',
    vaultError: undefined,
    async loadVault() {
      set({ vaultStatus: 'loading' });
      const [caps, status] = await Promise.all([api['system.capabilities']({}), api['vault.status']({})]);
      if (caps.ok) set({ capabilities: caps.value });
      if (!status.ok) return set({ vaultStatus: 'error', vaultError: status.error });
      set({ vault: status.value, vaultStatus: 'ready', vaultError: undefined });
      if (status.value.state === 'unlocked') await get().loadObjects();
    },
    createVault: (passphrase) => change(() => api['vault.create']({ passphrase })),
    openVault: (path) => change(() => api['vault.open']({ path })),
    unlockVault: (passphrase) => change(() => api['vault.unlock']({ passphrase })),
    async lockVault() {
      await change(() => api['vault.lock']({}));
    },
    async setAutoLock(seconds) {
      const r = await api['vault.setAutoLock']({ seconds });
      if (r.ok) set({ vault: r.value });
      else get().notifyError(r.error);
    },
    noteLocked() {
      const vault = get().vault;
      if (vault && vault.state === 'unlocked') set({ vault: { ...vault, state: 'locked' } });
      get().clearObjects();
    },
  };
};
