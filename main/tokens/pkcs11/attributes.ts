import * as graphene from 'graphene-pk11';

// graphene's template names cover most attributes; the CRT parts of an RSA private key are
// registered here so an imported key carries them (tokens compute faster with them).
// CKA_PRIME_1, CKA_PRIME_2, CKA_EXPONENT_1, CKA_EXPONENT_2 (PKCS#11 2.40 section 2.1.3).
graphene.registerAttribute('prime1', 0x124, 'buffer');
graphene.registerAttribute('prime2', 0x125, 'buffer');
graphene.registerAttribute('exponent1', 0x126, 'buffer');
graphene.registerAttribute('exponent2', 0x127, 'buffer');

/** Named EC curves: their DER-encoded OIDs (CKA_EC_PARAMS) and sizes. */
export const CURVES: Record<string, { params: Buffer; bits: number }> = {
  'P-256': { params: Buffer.from('06082a8648ce3d030107', 'hex'), bits: 256 },
  'P-384': { params: Buffer.from('06052b81040022', 'hex'), bits: 384 },
  'P-521': { params: Buffer.from('06052b81040023', 'hex'), bits: 521 },
};

/** Curve aliases users type. */
const CURVE_ALIASES: Record<string, string> = {
  'P-256': 'P-256',
  P256: 'P-256',
  PRIME256V1: 'P-256',
  SECP256R1: 'P-256',
  'P-384': 'P-384',
  P384: 'P-384',
  SECP384R1: 'P-384',
  'P-521': 'P-521',
  P521: 'P-521',
  SECP521R1: 'P-521',
};

export function normalizeCurve(name: string): string | undefined {
  return CURVE_ALIASES[name.toUpperCase()];
}

export function curveOfParams(params: Buffer): string | undefined {
  return Object.entries(CURVES).find(([, c]) => c.params.equals(params))?.[0];
}
