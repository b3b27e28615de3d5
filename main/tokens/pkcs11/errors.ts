import { KeyholdError } from '../../../shared/errors.js';

/** Return values that mean the token (or its reader) went away under us. */
const REMOVED = new Set([
  'CKR_DEVICE_REMOVED',
  'CKR_TOKEN_NOT_PRESENT',
  'CKR_DEVICE_ERROR',
  'CKR_SESSION_HANDLE_INVALID',
  'CKR_SESSION_CLOSED',
  'CKR_GENERAL_ERROR',
  'CKR_OBJECT_HANDLE_INVALID',
  'CKR_KEY_HANDLE_INVALID',
  'CKR_SLOT_ID_INVALID',
  'CKR_CRYPTOKI_NOT_INITIALIZED',
  'CKR_TOKEN_NOT_RECOGNIZED',
]);

const MESSAGES: Record<string, string> = {
  CKR_PIN_INCORRECT: 'incorrect PIN',
  CKR_PIN_LOCKED: 'the PIN is locked (too many wrong attempts); the security officer must reset it',
  CKR_PIN_INVALID: 'the new PIN contains characters the token does not accept',
  CKR_PIN_LEN_RANGE: 'the PIN length is outside the range the token accepts',
  CKR_PIN_EXPIRED: 'the PIN has expired; change it first',
  CKR_USER_NOT_LOGGED_IN: 'this operation needs a login to the token',
  CKR_USER_PIN_NOT_INITIALIZED: 'the user PIN of this token is not initialized',
  CKR_USER_ALREADY_LOGGED_IN: 'another login to this token is already active',
  CKR_USER_ANOTHER_ALREADY_LOGGED_IN: 'another user is logged in to this token',
  CKR_TOKEN_WRITE_PROTECTED: 'the token is write-protected',
  CKR_MECHANISM_INVALID: 'the token does not support this mechanism',
  CKR_KEY_UNEXTRACTABLE: 'the key is not extractable from the token',
  CKR_KEY_FUNCTION_NOT_PERMITTED: 'the key does not permit this operation',
  CKR_KEY_TYPE_INCONSISTENT: 'the key type does not fit this mechanism',
  CKR_WRAPPED_KEY_INVALID: 'the wrapped key is invalid or was wrapped under another key',
  CKR_ENCRYPTED_DATA_INVALID: 'the encrypted data is invalid or was encrypted under another key',
  CKR_SIGNATURE_INVALID: 'the signature is invalid',
  CKR_TEMPLATE_INCONSISTENT: 'the token refused the key attributes',
  CKR_ATTRIBUTE_VALUE_INVALID: 'the token refused an attribute value',
  CKR_DEVICE_MEMORY: 'the token is out of memory',
};

function codeName(e: unknown): string | undefined {
  if (!(e instanceof Error)) return undefined;
  const m = /CKR_[A-Z_]+/.exec(e.message);
  return m?.[0];
}

/** True when a PKCS#11 failure means the token was removed or the module lost its state. */
export function isRemovalError(e: unknown): boolean {
  const name = codeName(e);
  return name !== undefined && REMOVED.has(name);
}

/** The CKR_ name of a PKCS#11 failure, if it is one. */
export function pkcs11Code(e: unknown): string | undefined {
  return codeName(e);
}

/**
 * Turns a PKCS#11 failure into a KeyholdError('token'). `what` says what we were doing, e.g.
 * "log in to token \"A\"". Never includes a PIN: pkcs11js messages carry only the CKR_ name.
 */
export function tokenError(e: unknown, what: string): KeyholdError {
  if (e instanceof KeyholdError) return e;
  const name = codeName(e);
  if (name === 'CKR_PIN_INCORRECT')
    return new KeyholdError('token', `incorrect PIN (${what})`, { reason: 'Authentication Not Successful', cause: e });
  if (name === 'CKR_PIN_LOCKED')
    return new KeyholdError('token', `${MESSAGES[name]} (${what})`, { reason: 'Permission Denied', cause: e });
  if (name !== undefined && REMOVED.has(name))
    return new KeyholdError('token', `the token was removed or stopped responding (${what}); insert it and try again`, {
      reason: 'Cryptographic Failure',
      cause: e,
    });
  const text = name !== undefined ? (MESSAGES[name] ?? name) : e instanceof Error ? e.message : String(e);
  return new KeyholdError('token', `${what}: ${text}`, { reason: 'Cryptographic Failure', cause: e });
}
