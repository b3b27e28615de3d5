import { describe, expect, it } from 'vitest';
import { requests } from '../../shared/api/index.js';

describe('per-call request schemas', () => {
  it('accepts a well-formed key generation request and drops nothing', () => {
    const r = requests['keys.generate'].parse({
      kind: 'SymmetricKey',
      algorithm: 'AES',
      cryptographicLength: 256,
      usageMask: ['Encrypt', 'Decrypt'],
      name: 'k',
      location: 'vault',
    });
    expect(r).toEqual({
      kind: 'SymmetricKey',
      algorithm: 'AES',
      cryptographicLength: 256,
      usageMask: ['Encrypt', 'Decrypt'],
      name: 'k',
      location: 'vault',
    });
  });

  it('names the bad field', () => {
    expect(() =>
      requests['keys.generate'].parse({ kind: 'X', algorithm: 'AES', usageMask: [], name: '', location: 'vault' }),
    ).toThrow(/kind must be one of/);
    expect(() =>
      requests['csr.create'].parse({
        keyUniqueIdentifier: 'a',
        subject: { commonName: 'x', country: 'Germany' },
        subjectAlternativeNames: [],
        keyUsage: [],
        extendedKeyUsage: [],
      }),
    ).toThrow(/subject.country/);
    expect(() => requests['vault.unlock'].parse({ passphrase: '' })).toThrow(/passphrase must not be empty/);
    expect(() => requests['certificates.import'].parse({ data: 'not base64!' })).toThrow(/data must be base64/);
  });

  it('refuses non-objects and unknown fields; empty calls take nothing', () => {
    expect(() => requests['vault.open'].parse('x')).toThrow(/must be an object/);
    expect(() => requests['vault.open'].parse({ path: '/a', more: 1 })).toThrow(/more is not a known field/);
    expect(requests['vault.lock'].parse(undefined)).toEqual({});
    expect(() => requests['vault.lock'].parse({ a: 1 })).toThrow(/takes no fields/);
  });

  it('bounds lists and numbers', () => {
    expect(() => requests['vault.setAutoLock'].parse({ seconds: -1 })).toThrow(/between/);
    expect(() => requests['vault.setAutoLock'].parse({ seconds: 1.5 })).toThrow(/whole number/);
    const many = Array.from({ length: 101 }, () => ({ type: 'dns', value: 'a' }));
    expect(() =>
      requests['csr.create'].parse({
        keyUniqueIdentifier: 'a',
        subject: { commonName: 'x' },
        subjectAlternativeNames: many,
        keyUsage: [],
        extendedKeyUsage: [],
      }),
    ).toThrow(/at most 100/);
  });
});
