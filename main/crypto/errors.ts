import { KeyholdError } from '../../shared/errors.js';

/** A cryptographic operation failed (bad tag, bad signature input, wrong key type...). */
export function cryptoError(message: string, cause?: unknown): KeyholdError {
  return new KeyholdError('crypto', message, { reason: 'Cryptographic Failure', cause });
}

/** Input bytes are not in the format we were told (truncated, wrong structure, wrong password). */
export function formatError(message: string, cause?: unknown): KeyholdError {
  return new KeyholdError('format', message, { reason: 'Invalid Message', cause });
}

/** An algorithm, mode or format that Keyhold (or the OpenSSL under Node) does not provide. */
export function unsupported(message: string, reason = 'Feature Not Supported'): KeyholdError {
  return new KeyholdError('unsupported', message, { reason });
}

/** A caller passed a bad parameter; names the parameter, never its (possibly secret) value. */
export function invalidArgument(message: string): KeyholdError {
  return new KeyholdError('invalid-argument', message, { reason: 'Invalid Field' });
}

/** Zeroes secret bytes once they are no longer needed. */
export function wipe(...buffers: (Uint8Array | undefined)[]): void {
  for (const b of buffers) b?.fill(0);
}
