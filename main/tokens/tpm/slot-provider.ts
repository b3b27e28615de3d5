import { randomBytes } from 'node:crypto';
import { KeyholdError } from '../../../shared/errors.js';
import {
  aeadUnwrap,
  aeadWrap,
  slotAad,
  type KeySlot,
  type KeySlotProvider,
  type SealOptions as VaultSealOptions,
  type SlotContext,
  type SlotParams,
  type UnlockMethod,
} from '../../vault/index.js';
import { seal, unseal, type SealedBlob } from './seal.js';

/** What `{ kind: 'tpm', credential }` carries to unlock or add a TPM slot. */
export interface TpmCredential {
  /** TCTI (default KEYHOLD_TCTI, else /dev/tpmrm0). */
  tcti?: string;
  /** The slot's PIN, when it has one (or is being created with one). */
  pin?: string;
  /** When adding a slot: PCRs to bind (sha256 bank), e.g. [7]. */
  pcrs?: number[];
}

function credentialOf(method: UnlockMethod): TpmCredential {
  if (method.kind !== 'tpm') throw new KeyholdError('invalid-argument', 'a TPM slot needs a TPM unlock method');
  const c = (method.credential ?? {}) as Record<string, unknown>;
  const out: TpmCredential = {};
  if (typeof c['tcti'] === 'string') out.tcti = c['tcti'];
  if (typeof c['pin'] === 'string') out.pin = c['pin'];
  if (Array.isArray(c['pcrs'])) out.pcrs = c['pcrs'].map(Number);
  return out;
}

function blobOf(slot: KeySlot): SealedBlob {
  const b = slot.params['sealed'] as unknown as SealedBlob | undefined;
  if (b === undefined || typeof b !== 'object' || b.format !== 'keyhold-tpm-sealed')
    throw new KeyholdError('vault-corrupt', `key slot ${slot.id} has no TPM-sealed key`);
  return b;
}

/**
 * The 'tpm' unlock method: a random 256-bit key-encryption key is sealed by the TPM (storage
 * hierarchy; optionally bound to PCRs and a PIN) and wraps the vault's data key with
 * AES-256-GCM bound to the vault and slot, like the passphrase slot does with its Argon2id key.
 * The sealed blob sits in the slot's params; only this machine's TPM can unseal it.
 */
export const tpmSlotProvider: KeySlotProvider = {
  kind: 'tpm',

  async seal(
    dataKey: Uint8Array,
    method: UnlockMethod,
    context: SlotContext,
    options?: VaultSealOptions,
    onProgress?: (m: string) => void,
  ) {
    const cred = credentialOf(method);
    const pcrs = cred.pcrs ?? (Array.isArray(options?.['pcrs']) ? (options['pcrs'] as unknown[]).map(Number) : []);
    const kek = randomBytes(32);
    try {
      onProgress?.(`sealing the unlock key to the TPM${pcrs.length > 0 ? ` (PCR ${pcrs.join(',')})` : ''}...`);
      const sealed = await seal(kek, { tcti: cred.tcti, pcrs, pin: cred.pin });
      const params: SlotParams = { sealed: sealed as unknown as SlotParams, pcrs: pcrs.map(String), pin: sealed.pin };
      return { params, wrappedKey: aeadWrap(kek, dataKey, slotAad(context, 'tpm', params)) };
    } finally {
      kek.fill(0);
    }
  },

  async unseal(slot: KeySlot, method: UnlockMethod, context: SlotContext) {
    const cred = credentialOf(method);
    const kek = await unseal(blobOf(slot), { tcti: cred.tcti, pin: cred.pin });
    try {
      const key = aeadUnwrap(kek, slot.wrappedKey, slotAad(context, 'tpm', slot.params));
      if (key === undefined)
        throw new KeyholdError('vault-corrupt', `key slot ${slot.id}: the TPM-sealed key does not open this vault`);
      return key;
    } finally {
      kek.fill(0);
    }
  },
};

/** True when a TPM slot needs a PIN (so an unattended start cannot use it). */
export function tpmSlotNeedsPin(slot: { kind: string; params: SlotParams }): boolean {
  return slot.kind === 'tpm' && slot.params['pin'] === true;
}
