import { describe, expect, it } from 'vitest';
import { isRemovalError, tokenError } from '../../../main/tokens/pkcs11/errors.js';

const pkcs11Failure = (name: string) => Object.assign(new Error(name), { code: 1 });

describe('PKCS#11 error mapping', () => {
  it('names PIN problems plainly and never echoes anything but the CKR name', () => {
    expect(tokenError(pkcs11Failure('CKR_PIN_INCORRECT'), 'log in to token "a"').message).toBe(
      'incorrect PIN (log in to token "a")',
    );
    const locked = tokenError(pkcs11Failure('CKR_PIN_LOCKED'), 'log in to token "a"');
    expect(locked.message).toMatch(/^the PIN is locked/);
    expect(locked.code).toBe('token');
    expect(locked.reason).toBe('Permission Denied');
  });

  it('treats a vanished device, session or handle as a removed token', () => {
    for (const n of [
      'CKR_DEVICE_REMOVED',
      'CKR_TOKEN_NOT_PRESENT',
      'CKR_SESSION_HANDLE_INVALID',
      'CKR_GENERAL_ERROR',
    ]) {
      expect(isRemovalError(pkcs11Failure(n))).toBe(true);
      expect(tokenError(pkcs11Failure(n), 'sign').message).toMatch(
        /removed or stopped responding \(sign\); insert it and try again/,
      );
    }
    expect(isRemovalError(pkcs11Failure('CKR_PIN_INCORRECT'))).toBe(false);
    expect(isRemovalError(new Error('something else'))).toBe(false);
  });

  it('explains other failures by name', () => {
    expect(tokenError(pkcs11Failure('CKR_KEY_UNEXTRACTABLE'), 'wrap').message).toBe(
      'wrap: the key is not extractable from the token',
    );
    expect(tokenError(pkcs11Failure('CKR_VENDOR_DEFINED_X'), 'do').message).toBe('do: CKR_VENDOR_DEFINED_X');
  });
});
