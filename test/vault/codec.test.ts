import { describe, expect, it } from 'vitest';
import {
  canonical,
  decodeAttributes,
  decodeMaterial,
  encodeAttributes,
  encodeMaterial,
} from '../../main/vault/codec.js';
import type { Attributes } from '../../main/vault/model.js';

describe('vault value codec', () => {
  it('round-trips every kind of attribute value, multi-instance and custom attributes', () => {
    const attributes: Attributes = {
      Name: [
        { NameValue: 'a', NameType: 'UninterpretedTextString' },
        { NameValue: 'b', NameType: 'URI' },
      ],
      CryptographicLength: [256],
      ActivationDate: [new Date('2026-01-02T03:04:05.678Z')],
      Digest: [{ HashingAlgorithm: 'SHA_256', DigestValue: new Uint8Array([1, 2, 255]) }],
      'x-Vendor-Serial': [12345678901234567890n],
      Sensitive: [true],
      'y-list': [['a', 1]],
    };
    const back = decodeAttributes(encodeAttributes(attributes));
    expect(back).toEqual(attributes);
    expect(back['ActivationDate']?.[0]).toBeInstanceOf(Date);
    expect(back['x-Vendor-Serial']?.[0]).toBe(12345678901234567890n);
  });

  it('round-trips key material, raw and transparent', () => {
    const m = {
      keyBlock: {
        keyFormatType: 'TransparentRSAPrivateKey',
        keyMaterial: { Modulus: 0xc0ffeen, PrivateExponent: 0x10001n },
        keyWrappingData: { WrappingMethod: 'Encrypt', IVCounterNonce: new Uint8Array([9]) },
      },
    };
    expect(decodeMaterial(encodeMaterial(m))).toEqual(m);
    expect(decodeMaterial(null)).toBeUndefined();
  });

  it('gives equal canonical text to equal structures whatever their key order', () => {
    expect(canonical({ b: 1, a: 'x' })).toBe(canonical({ a: 'x', b: 1 }));
    expect(canonical({ a: 1 })).not.toBe(canonical({ a: 2 }));
  });
});
