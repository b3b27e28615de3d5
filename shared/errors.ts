/**
 * The one error type that crosses layers. `code` is stable and machine-readable; `reason` is the
 * KMIP Result Reason (by its spec name) a server answers with when the error reaches the wire.
 * Messages never contain key material, passphrases or PINs.
 */
export type KeyholdErrorCode =
  | 'codec'
  | 'invalid-argument'
  | 'not-found'
  | 'permission-denied'
  | 'wrong-passphrase'
  | 'vault-locked'
  | 'vault-in-use'
  | 'vault-corrupt'
  | 'vault-too-new'
  | 'not-a-vault'
  | 'illegal-state'
  | 'unsupported'
  | 'crypto'
  | 'format'
  | 'token'
  | 'tpm'
  | 'io'
  | 'kmip'
  | 'internal';

export interface KeyholdErrorOptions {
  /** KMIP Result Reason name, e.g. "Item Not Found", "Permission Denied". */
  reason?: string;
  cause?: unknown;
}

export class KeyholdError extends Error {
  readonly code: KeyholdErrorCode;
  readonly reason: string | undefined;

  constructor(code: KeyholdErrorCode, message: string, options: KeyholdErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'KeyholdError';
    this.code = code;
    this.reason = options.reason;
  }
}

export function isKeyholdError(e: unknown): e is KeyholdError {
  return e instanceof KeyholdError;
}
