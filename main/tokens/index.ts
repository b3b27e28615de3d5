/** Hardware: PKCS#11 tokens and the TPM, and the vault unlock methods built on them. */
export * as pkcs11 from './pkcs11/index.js';
export * as tpm from './tpm/index.js';
export { registerHardwareSlotProviders } from './slot-providers.js';
export { tryOpenVaultWithTpm, type TpmUnlockAttempt } from './vault-unlock.js';
export { tokenKeyReference, PKCS11_URI_ATTRIBUTE } from './pkcs11/reference.js';
