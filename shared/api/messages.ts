/** Engine errors in words a person understands, with what to do next. */
import type { KeyholdErrorCode } from '../errors.js';
import type { ApiError } from './result.js';

export interface ErrorText {
  title: string;
  action: string;
}

const texts: Record<KeyholdErrorCode, ErrorText> = {
  codec: { title: 'The data could not be read.', action: 'Check that the file is complete and in a supported format.' },
  'invalid-argument': { title: 'Some input is not valid.', action: 'Correct the highlighted field and try again.' },
  'not-found': { title: 'That item no longer exists.', action: 'Refresh the list; it may have been destroyed.' },
  'permission-denied': {
    title: 'This action is not allowed.',
    action: 'Check the object’s state and usage; an administrator may need to allow it.',
  },
  'wrong-passphrase': {
    title: 'The passphrase is not correct.',
    action: 'Check Caps Lock and keyboard layout, then try again.',
  },
  'vault-locked': { title: 'The vault is locked.', action: 'Unlock the vault with its passphrase to continue.' },
  'vault-in-use': {
    title: 'The vault is open in another program.',
    action: 'Close the other Keyhold window or server using it, then try again.',
  },
  'vault-corrupt': {
    title: 'The vault file is damaged.',
    action: 'Restore it from a backup; do not write to this file again.',
  },
  'vault-too-new': {
    title: 'This vault was made by a newer Keyhold.',
    action: 'Update Keyhold to open it.',
  },
  'not-a-vault': {
    title: 'That file is not a Keyhold vault.',
    action: 'Choose a .kvault file, or create a new vault.',
  },
  'illegal-state': {
    title: 'The object is not in a state that allows this.',
    action: 'Look at its lifecycle: for example, activate a Pre-Active key before using it.',
  },
  unsupported: {
    title: 'This is not available in this build yet.',
    action: 'The part of Keyhold that does this is not installed; nothing was changed.',
  },
  crypto: { title: 'A cryptographic operation failed.', action: 'Check the key type and parameters, then try again.' },
  format: { title: 'The file format is not recognised.', action: 'Use PEM, DER, PKCS#8, PKCS#12, JWK or OpenSSH.' },
  token: { title: 'The hardware token did not respond.', action: 'Check that it is plugged in and unlocked.' },
  tpm: { title: 'The TPM could not be used.', action: 'Check that the TPM is enabled and accessible to your user.' },
  io: { title: 'A file could not be read or written.', action: 'Check the path, free disk space and permissions.' },
  kmip: { title: 'The KMIP peer returned an error.', action: 'See the server log for its result reason.' },
  internal: {
    title: 'Something went wrong inside Keyhold.',
    action: 'Try again; if it persists, report it with the steps that led here.',
  },
};

export function describeError(error: ApiError): ErrorText & { detail: string } {
  const text = texts[error.code] ?? texts.internal;
  return { ...text, detail: error.message };
}
