import { existsSync } from 'node:fs';

/** The system's TPM resource manager, used when neither --tcti nor KEYHOLD_TCTI names a TPM. */
export const DEFAULT_TCTI = 'device:/dev/tpmrm0';

/** The TCTI to talk to: the option, else KEYHOLD_TCTI, else the kernel's resource manager. */
export function resolveTcti(option?: string): string {
  if (option !== undefined && option !== '') return option;
  const env = process.env.KEYHOLD_TCTI;
  if (env !== undefined && env !== '') return env;
  return DEFAULT_TCTI;
}

/**
 * True when a resource manager sits between us and the TPM (the kernel's /dev/tpmrm*, or
 * tpm2-abrmd): it flushes what each connection loaded. Talking to a TPM directly (swtpm,
 * /dev/tpm0), every tool invocation leaves its transient objects loaded, so Keyhold flushes them.
 */
export function hasResourceManager(tcti: string): boolean {
  return /^device:\/dev\/tpmrm\d+$/.test(tcti) || tcti.startsWith('tabrmd');
}

/** True when the default device exists (a quick check before asking the TPM itself). */
export function defaultDevicePresent(): boolean {
  return existsSync('/dev/tpmrm0');
}
