/**
 * Hardware: the PKCS#11 tokens present, the objects on the one opened with its PIN (import a vault
 * key, back up, restore, delete, change the PIN), and the vault's key slots (unlock methods).
 * PINs are arguments of the calls only: never kept here.
 */
import type {
  ApiError,
  TokenBackup,
  TokenBackupInfo,
  TokenList,
  TokenObject,
  TokenRestore,
  TokenSummary,
  VaultSlot,
} from '../../../shared/api/index.js';
import { describeError, type Result } from '../../../shared/api/index.js';
import type { SliceCreator, Status } from './types.js';

/** A failure in words: what happened and what to do. */
export interface Problem {
  title: string;
  action: string;
}

export interface TokenKeySpec {
  algorithm: 'AES' | 'RSA' | 'EC';
  length?: number;
  curve?: 'P-256' | 'P-384' | 'P-521';
  name: string;
}

/** Back up: which vault objects (none: all), and whether to keep a copy on the token. */
export interface TokenBackupSpec {
  uniqueIdentifiers: string[];
  storeOnToken?: string;
}

/** Restore from an uploaded backup file (base64) or from a backup kept on the token. */
export type TokenRestoreSource = { data: string } | { fromToken: string };

/** Change the user PIN knowing it, or set a new one with the security officer's PIN. */
export type PinChange = { as: 'user'; pin: string; newPin: string } | { as: 'so'; soPin: string; newPin: string };

export interface TokensSlice {
  tokenList: TokenList | undefined;
  tokensStatus: Status;
  /** The token whose objects are shown, by label. */
  openedToken: string | undefined;
  tokenObjects: TokenObject[] | undefined;
  tokenProblem: Problem | undefined;
  slots: VaultSlot[];
  slotsStatus: Status;
  slotProblem: Problem | undefined;
  loadTokens(): Promise<void>;
  /** Logs in with the PIN and lists the token's objects; true when it worked. */
  openToken(label: string, pin: string): Promise<boolean>;
  closeToken(): void;
  /** Forgets the last failure (a new wizard starts clean). */
  clearTokenProblem(): void;
  /** Generates a key on the opened token, then lists its objects again. */
  generateOnToken(pin: string, spec: TokenKeySpec): Promise<TokenObject[] | undefined>;
  /** Puts a vault key onto the opened token, then lists its objects again. */
  importToToken(
    pin: string,
    uniqueIdentifier: string,
    options?: { name?: string; extractable?: boolean },
  ): Promise<TokenObject[] | undefined>;
  /** Backs vault objects up under the opened token's KEK; the file comes back to be saved. */
  backupToToken(pin: string, spec: TokenBackupSpec): Promise<TokenBackup | undefined>;
  /** The backups kept on the opened token. */
  listTokenBackups(pin: string): Promise<TokenBackupInfo[] | undefined>;
  /** Restores a backup into the vault through the opened token, then reloads the object list. */
  restoreFromToken(pin: string, source: TokenRestoreSource): Promise<TokenRestore | undefined>;
  /** Deletes one object from the opened token. */
  deleteFromToken(pin: string, object: TokenObject): Promise<boolean>;
  /** Changes (or, as the security officer, sets) the user PIN of token `label`. */
  changeTokenPin(label: string, change: PinChange): Promise<boolean>;
  loadSlots(): Promise<void>;
  addTpmSlot(pcrs: number[]): Promise<VaultSlot | undefined>;
  addTokenSlot(label: string, pin: string): Promise<VaultSlot | undefined>;
  removeSlot(id: string): Promise<boolean>;
}

/** Turns an engine error about a token or the TPM into words, with tries left when the token says. */
export function describeHardwareError(error: ApiError, token?: TokenSummary): Problem {
  const m = error.message;
  if (/incorrect PIN/i.test(m)) {
    const flags = token?.flags ?? [];
    const tries = flags.includes('USER_PIN_FINAL_TRY')
      ? ' Only one try is left before the token locks.'
      : flags.includes('USER_PIN_COUNT_LOW')
        ? ' Few tries are left before the token locks.'
        : '';
    return { title: 'Wrong PIN.', action: `Check the token’s user PIN and try again.${tries}` };
  }
  if (/PIN (of token .* )?is locked/i.test(m))
    return {
      title: 'The token’s PIN is locked.',
      action:
        'Too many wrong PINs were entered. The token’s security officer can set a new one: Change PIN… › Security officer (SO PIN).',
    };
  if (/^No TPM found/.test(m))
    return { title: 'No TPM found.', action: m.replace(/^No TPM found( on this computer)?\.\s*/, '') };
  if (/removed or stopped responding|is present; insert it/.test(m))
    return { title: 'The token is not there.', action: 'Insert the token (or plug the reader in) and try again.' };
  if (/PCR/.test(m) && error.code === 'tpm')
    return { title: 'The TPM refused.', action: `${m} Unlock with your passphrase instead.` };
  if (/key-encryption key .* is missing or different/.test(m))
    return {
      title: 'This token cannot open that backup.',
      action:
        'It was made with another token’s key-encryption key. Insert the token that made it (or one of its key domain).',
    };
  if (/altered/.test(m))
    return {
      title: 'The backup file was changed.',
      action: 'It does not verify; use an untouched copy of the backup.',
    };
  if (/not a Keyhold token backup|backup file is not JSON|token backup is malformed|backup version/.test(m))
    return {
      title: 'That file is not a Keyhold token backup.',
      action: `Choose the .json file the backup wrote. (${m})`,
    };
  if (/PIN length is outside|PIN contains characters/.test(m))
    return { title: 'The token refused the new PIN.', action: `Choose another PIN: ${m.replace(/ \(.*\)$/, '')}.` };
  if (error.code === 'vault-locked') return { title: 'The vault is locked.', action: 'Unlock it and try again.' };
  const t = describeError(error);
  return { title: t.title, action: m && m !== t.title ? `${t.action} (${m})` : t.action };
}

export const createTokensSlice: SliceCreator<TokensSlice> = (api) => (set, get) => {
  const tokenOf = (label: string | undefined): TokenSummary | undefined =>
    get().tokenList?.tokens.find((t) => t.label === label);
  /** One call on the opened token; a failure becomes the panel's problem and gives undefined. */
  const onOpenedToken = async <T>(
    call: (label: string) => Promise<Result<T>>,
  ): Promise<{ label: string; value: T } | undefined> => {
    const label = get().openedToken;
    if (label === undefined) return undefined;
    set({ tokenProblem: undefined });
    const r = await call(label);
    if (!r.ok) {
      set({ tokenProblem: describeHardwareError(r.error, tokenOf(label)) });
      return undefined;
    }
    return { label, value: r.value };
  };
  /** Lists the opened token's objects again after a call that added some. */
  const relistTokenObjects = async (label: string, pin: string): Promise<void> => {
    const list = await api['tokens.objects']({ label, pin });
    if (list.ok) set({ tokenObjects: list.value });
  };
  return {
    tokenList: undefined,
    tokensStatus: 'idle',
    openedToken: undefined,
    tokenObjects: undefined,
    tokenProblem: undefined,
    slots: [],
    slotsStatus: 'idle',
    slotProblem: undefined,
    async loadTokens() {
      set({ tokensStatus: 'loading', tokenProblem: undefined });
      const r = await api['tokens.list']({});
      if (!r.ok) return set({ tokensStatus: 'error', tokenProblem: describeHardwareError(r.error) });
      set({ tokenList: r.value, tokensStatus: 'ready' });
    },
    async openToken(label, pin) {
      set({ tokenProblem: undefined });
      const r = await api['tokens.objects']({ label, pin });
      if (!r.ok) {
        // The flags (tries left) change with a failed login: read them again before wording it.
        const fresh = await api['tokens.list']({});
        if (fresh.ok) set({ tokenList: fresh.value });
        set({ tokenProblem: describeHardwareError(r.error, tokenOf(label)) });
        return false;
      }
      set({ openedToken: label, tokenObjects: r.value });
      // A good login resets the tries-left flags.
      const fresh = await api['tokens.list']({});
      if (fresh.ok) set({ tokenList: fresh.value });
      return true;
    },
    closeToken: () => set({ openedToken: undefined, tokenObjects: undefined, tokenProblem: undefined }),
    clearTokenProblem: () => set({ tokenProblem: undefined }),
    async generateOnToken(pin, spec) {
      const done = await onOpenedToken((label) => api['tokens.generate']({ label, pin, ...spec }));
      if (done) await relistTokenObjects(done.label, pin);
      return done?.value;
    },
    async importToToken(pin, uniqueIdentifier, options = {}) {
      const done = await onOpenedToken((label) => api['tokens.import']({ label, pin, uniqueIdentifier, ...options }));
      if (done) await relistTokenObjects(done.label, pin);
      return done?.value;
    },
    async backupToToken(pin, spec) {
      const done = await onOpenedToken((label) => api['tokens.backup']({ label, pin, ...spec }));
      // The KEK (first backup) and a copy kept on the token are new objects.
      if (done) await relistTokenObjects(done.label, pin);
      return done?.value;
    },
    async listTokenBackups(pin) {
      const label = get().openedToken;
      if (label === undefined) return undefined;
      const r = await api['tokens.backups']({ label, pin });
      if (!r.ok) {
        set({ tokenProblem: describeHardwareError(r.error, tokenOf(label)) });
        return undefined;
      }
      return r.value;
    },
    async restoreFromToken(pin, source) {
      const done = await onOpenedToken((label) => api['tokens.restore']({ label, pin, ...source }));
      if (done && done.value.added.length > 0) await get().loadObjects();
      return done?.value;
    },
    async deleteFromToken(pin, object) {
      const label = get().openedToken;
      if (label === undefined) return false;
      set({ tokenProblem: undefined });
      const r = await api['tokens.delete']({
        label,
        pin,
        objectClass: object.objectClass as 'SecretKey' | 'PrivateKey' | 'PublicKey' | 'Certificate' | 'Data',
        id: object.id,
        objectLabel: object.label,
      });
      if (!r.ok) {
        set({ tokenProblem: describeHardwareError(r.error, tokenOf(label)) });
        return false;
      }
      set({ tokenObjects: r.value });
      return true;
    },
    async changeTokenPin(label, change) {
      set({ tokenProblem: undefined });
      const r =
        change.as === 'user'
          ? await api['tokens.changePin']({ label, pin: change.pin, newPin: change.newPin })
          : await api['tokens.initPin']({ label, soPin: change.soPin, newPin: change.newPin });
      // Tries left and the locked flag change either way.
      const fresh = await api['tokens.list']({});
      if (fresh.ok) set({ tokenList: fresh.value });
      if (!r.ok) {
        const problem = describeHardwareError(r.error, tokenOf(label));
        set({
          tokenProblem:
            change.as === 'so' && problem.title === 'Wrong PIN.'
              ? {
                  title: 'Wrong SO PIN.',
                  action: 'Check the security officer’s PIN and try again. Each wrong try counts.',
                }
              : problem,
        });
        return false;
      }
      return true;
    },
    async loadSlots() {
      set({ slotsStatus: 'loading', slotProblem: undefined });
      const r = await api['vault.slots.list']({});
      if (!r.ok) return set({ slotsStatus: 'error', slotProblem: describeHardwareError(r.error) });
      set({ slots: r.value, slotsStatus: 'ready' });
    },
    async addTpmSlot(pcrs) {
      set({ slotProblem: undefined });
      const r = await api['vault.slots.addTpm']({ pcrs });
      if (!r.ok) {
        set({ slotProblem: describeHardwareError(r.error) });
        return undefined;
      }
      set({ slots: [...get().slots, r.value] });
      return r.value;
    },
    async addTokenSlot(label, pin) {
      set({ slotProblem: undefined });
      const r = await api['vault.slots.addToken']({ label, pin });
      if (!r.ok) {
        set({ slotProblem: describeHardwareError(r.error, tokenOf(label)) });
        return undefined;
      }
      set({ slots: [...get().slots, r.value] });
      return r.value;
    },
    async removeSlot(id) {
      set({ slotProblem: undefined });
      const r = await api['vault.slots.remove']({ id });
      if (!r.ok) {
        set({ slotProblem: describeHardwareError(r.error) });
        return false;
      }
      set({ slots: r.value });
      return true;
    },
  };
};
