import { KeyholdError } from '../../shared/errors.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HEADER_FILE, Vault } from '../vault/index.js';
import { registerHardwareSlotProviders } from './slot-providers.js';

export interface TpmUnlockAttempt {
  /** The vault, unlocked by its TPM slot; undefined when it has none or the TPM refused. */
  vault?: Vault;
  /** Why the TPM slot did not open it (absent when the vault has no TPM slot). */
  failure?: KeyholdError;
}

/** Where an unattended start finds the PIN of a TPM slot that has one. */
export const TPM_PIN_ENV = 'KEYHOLD_TPM_PIN';

/**
 * Tries the vault's TPM slot (unattended: no passphrase). For `keyhold serve` and every CLI
 * command that opens a vault: when this gives no vault, fall back to the passphrase. A vault
 * without a TPM slot gives neither vault nor failure. The TCTI defaults to KEYHOLD_TCTI, else
 * /dev/tpmrm0; the PIN to KEYHOLD_TPM_PIN.
 */
export async function tryOpenVaultWithTpm(
  path: string,
  options: { tcti?: string; pin?: string } = {},
): Promise<TpmUnlockAttempt> {
  if (!hasTpmSlot(path)) return {};
  registerHardwareSlotProviders();
  try {
    const credential: { tcti?: string; pin?: string } = {};
    if (options.tcti !== undefined) credential.tcti = options.tcti;
    if (options.pin !== undefined) credential.pin = options.pin;
    return { vault: await Vault.open(path, { unlock: { kind: 'tpm', credential } }) };
  } catch (e) {
    if (e instanceof KeyholdError && (e.code === 'tpm' || (e.code === 'vault-corrupt' && /key slot/.test(e.message))))
      return { failure: e };
    // No TPM slot, or a problem with the vault itself: the passphrase path reports it as usual.
    return {};
  }
}

/** Whether the vault's plaintext header lists a TPM slot (cheap: no database is opened). */
function hasTpmSlot(path: string): boolean {
  try {
    const header = JSON.parse(readFileSync(join(path, HEADER_FILE), 'utf8')) as { slots?: { kind?: unknown }[] };
    return Array.isArray(header.slots) && header.slots.some((s) => s.kind === 'tpm');
  } catch {
    return false;
  }
}
