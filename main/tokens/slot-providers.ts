import { registerKeySlotProvider } from '../vault/index.js';
import { pkcs11SlotProvider } from './pkcs11/slot-provider.js';
import { tpmSlotProvider } from './tpm/slot-provider.js';

/** Makes the 'tpm' and 'pkcs11' unlock methods available to the vault (idempotent). */
export function registerHardwareSlotProviders(): void {
  registerKeySlotProvider(tpmSlotProvider);
  registerKeySlotProvider(pkcs11SlotProvider);
}
