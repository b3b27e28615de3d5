import { KeyholdError, isKeyholdError, type KeyholdErrorCode } from '../../shared/errors.js';
import { ResultReason, type ResultReasonName } from './vocabulary.js';

/** A KMIP operation failure: the Result Reason (by spec name) and a message for Result Message. */
export function kmipError(reason: ResultReasonName, message: string, code: KeyholdErrorCode = 'kmip'): KeyholdError {
  return new KeyholdError(code, message, { reason: spaced(reason) });
}

function spaced(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1 $2');
}

const byCode: Partial<Record<KeyholdErrorCode, ResultReasonName>> = {
  'not-found': 'ItemNotFound',
  'permission-denied': 'PermissionDenied',
  'invalid-argument': 'InvalidField',
  'illegal-state': 'WrongKeyLifecycleState',
  unsupported: 'OperationNotSupported',
  crypto: 'CryptographicFailure',
  codec: 'InvalidMessage',
  format: 'InvalidField',
};

/** Maps any error to the Result Reason and message a response carries; messages never hold key material. */
export function resultOf(e: unknown): { reason: number; message: string } {
  if (isKeyholdError(e)) {
    const named = e.reason?.replace(/[\s-]/g, '') as ResultReasonName | undefined;
    const fromReason = named !== undefined ? ResultReason[named] : undefined;
    const fromCode = byCode[e.code];
    return {
      reason: fromReason ?? (fromCode ? ResultReason[fromCode] : ResultReason.GeneralFailure),
      message: e.message,
    };
  }
  return { reason: ResultReason.GeneralFailure, message: 'internal error' };
}
