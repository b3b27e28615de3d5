import { createSign, createVerify, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { findSystemModules } from '../../../main/tokens/pkcs11/modules.js';
import { ecdsaSignatureToDer } from '../../../main/tokens/pkcs11/operations.js';
import { pkcs11Uri } from '../../../main/tokens/pkcs11/reference.js';
import { canonicalJson, fromTaggedJson, toTaggedJson } from '../../../main/tokens/pkcs11/tagged-json.js';

describe('token formats', () => {
  it('turns PKCS#11 r||s ECDSA signatures into the DER X.509 uses', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    for (let i = 0; i < 20; i++) {
      const data = Buffer.from(`message ${i}`);
      const raw = createSign('sha256').update(data).sign({ key: privateKey, dsaEncoding: 'ieee-p1363' });
      const der = ecdsaSignatureToDer(raw);
      expect(createVerify('sha256').update(data).verify(publicKey, Buffer.from(der))).toBe(true);
    }
    // High bit set gets a leading zero; leading zeros are trimmed.
    const raw = Buffer.concat([
      Buffer.from([0x80, ...Array(31).fill(1)]),
      Buffer.from([0, 0, 5, ...Array(29).fill(2)]),
    ]);
    const der = Buffer.from(ecdsaSignatureToDer(raw));
    // r: 0x00 + 32 bytes; s: 30 bytes once its two leading zeros go. 35 + 32 = 67 = 0x43.
    expect(der.subarray(0, 5).toString('hex')).toBe('3043022100');
    expect(der.subarray(37, 40).toString('hex')).toBe('021e05');
    expect(() => ecdsaSignatureToDer(new Uint8Array(3))).toThrow(/two halves/);
  });

  it('round-trips KMIP attribute values through tagged JSON, and canonical JSON sorts keys', () => {
    const v = { b: [new Date(5), new Uint8Array([1, 2]), 12345678901234567890n], a: { NameValue: 'x' }, c: true };
    expect(fromTaggedJson(toTaggedJson(v))).toEqual(v);
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: 3 }] })).toBe('{"a":[{"c":3,"d":2}],"b":1}');
  });

  it('writes RFC 7512 PKCS#11 URIs', () => {
    const uri = pkcs11Uri(
      {
        modulePath: '',
        slotId: 1,
        slotDescription: '',
        label: 'My Token',
        manufacturer: 'ACME; Inc',
        model: 'M1',
        serialNumber: '42',
        flags: [],
        pinPad: false,
      },
      { objectClass: 'PrivateKey', label: 'ca key', id: '0a1b', private: true, usage: [] },
    );
    expect(uri).toBe(
      'pkcs11:manufacturer=ACME%3B%20Inc;model=M1;serial=42;token=My%20Token;object=ca%20key;id=%0A%1B;type=private',
    );
  });

  it('finds one module per product among the candidate paths', () => {
    expect(
      findSystemModules([
        '/nonexistent/libsofthsm2.so',
        '/usr/lib/softhsm/libsofthsm2.so',
        '/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so',
      ]),
    ).toEqual(['/usr/lib/softhsm/libsofthsm2.so']);
  });
});
