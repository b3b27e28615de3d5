/**
 * Hardware: the PKCS#11 tokens present, the objects on the one opened with its PIN, and the
 * vault's key slots (unlock methods). PINs are arguments of the calls only: never kept here.
 */
import type { ApiError, TokenList, TokenObject, TokenSummary, VaultSlot } from '../../../shared/api/index.js';
import { describeError } from '../../../shared/api/index.js';
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
  /** Generates a key on the opened token, then lists its objects again. */
  generateOnToken(pin: string, spec: TokenKeySpec): Promise<TokenObject[] | undefined>;
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
  if (/PIN is locked/i.test(m))
    return {
      title: 'The token’s PIN is locked.',
      action: 'Too many wrong PINs were entered. The token’s security officer must reset it (SO PIN).',
    };
  if (/^No TPM found/.test(m))
    return { title: 'No TPM found.', action: m.replace(/^No TPM found( on this computer)?\.\s*/, '') };
  if (/removed or stopped responding/.test(m))
    return { title: 'The token is not there.', action: 'Insert the token (or plug the reader in) and try again.' };
  if (/PCR/.test(m) && error.code === 'tpm')
    return { title: 'The TPM refused.', action: `${m} Unlock with your passphrase instead.` };
  if (error.code === 'vault-locked') return { title: 'The vault is locked.', action: 'Unlock it and try again.' };
  const t = describeError(error);
  return { title: t.title, action: m && m !== t.title ? `${t.action} (${m})` : t.action };
}

export const createTokensSlice: SliceCreator<TokensSlice> = (api) => (set, get) => {
  const tokenOf = (label: string | undefined): TokenSummary | undefined =>
    get().tokenList?.tokens.find((t) => t.label === label);
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
    async generateOnToken(pin, spec) {
      const label = get().openedToken;
      if (label === undefined) return undefined;
      set({ tokenProblem: undefined });
      const r = await api['tokens.generate']({ label, pin, ...spec });
      if (!r.ok) {
        set({ tokenProblem: describeHardwareError(r.error, tokenOf(label)) });
        return undefined;
      }
      const list = await api['tokens.objects']({ label, pin });
      if (list.ok) set({ tokenObjects: list.value });
      return r.value;
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
