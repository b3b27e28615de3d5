/**
 * Results cross IPC and HTTP as values, never as thrown errors (Electron forwards only an error's
 * message; HTTP forwards nothing). The error keeps KeyholdError's code and KMIP reason.
 */
import { isKeyholdError } from '../errors.js';
import type { KeyholdErrorCode } from '../errors.js';

export interface ApiError {
  code: KeyholdErrorCode;
  message: string;
  reason?: string;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: ApiError };

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function failure(code: KeyholdErrorCode, message: string, reason?: string): Result<never> {
  return { ok: false, error: reason === undefined ? { code, message } : { code, message, reason } };
}

/** Turns anything thrown into an ApiError; only KeyholdError messages are shown, others are masked. */
export function toApiError(e: unknown): ApiError {
  if (isKeyholdError(e)) {
    return e.reason === undefined
      ? { code: e.code, message: e.message }
      : { code: e.code, message: e.message, reason: e.reason };
  }
  return { code: 'internal', message: 'An internal error occurred.' };
}
