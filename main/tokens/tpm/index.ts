/** TPM 2.0 through tpm2-tools: detection, PCRs, sealing a secret to this machine. */
export { DEFAULT_TCTI, resolveTcti, hasResourceManager } from './tcti.js';
export { detectTpm, readPcrs, type TpmInfo } from './detect.js';
export { seal, unseal, type SealedBlob, type SealOptions, type UnsealOptions } from './seal.js';
export { explainTpmFailure } from './tools.js';
export { tpmSlotProvider, tpmSlotNeedsPin, type TpmCredential } from './slot-provider.js';
