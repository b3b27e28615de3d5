/**
 * KMIP Cryptographic Parameters -> the mechanism names of the token layer
 * (main/tokens/pkcs11/operations.ts), for keys whose material stays on a PKCS#11 token.
 */
import type { CryptographicParameters } from '../crypto/kmip-names.js';
import { kmipError } from './errors.js';

function hashBits(p: CryptographicParameters): number {
  const named = /SHA_?(\d{3})/.exec(p.HashingAlgorithm ?? '') ?? /SHA(\d{3})/i.exec(p.DigitalSignatureAlgorithm ?? '');
  return named ? Number(named[1]) : 256;
}

function unsupported(what: string): Error {
  return kmipError('CryptographicFailure', `a key on a token cannot do ${what}`, 'unsupported');
}

/** Sign / Signature Verify: ECDSA or RSA PKCS#1 v1.5 with SHA-256/384/512, RSA-PSS with SHA-256. */
export function tokenSignatureMechanism(keyAlgorithm: string, p: CryptographicParameters): string {
  const bits = hashBits(p);
  if (![256, 384, 512].includes(bits)) throw unsupported(`signatures with SHA-${bits}`);
  if (keyAlgorithm === 'EC' || keyAlgorithm === 'ECDSA') return `ECDSA-SHA${bits}`;
  if (keyAlgorithm === 'RSA') {
    const pss = p.PaddingMethod === 'PSS' || /PSS/i.test(p.DigitalSignatureAlgorithm ?? '');
    if (!pss) return `RSA-PKCS1-SHA${bits}`;
    if (bits === 256) return 'RSA-PSS-SHA256';
    throw unsupported(`RSA-PSS with SHA-${bits}`);
  }
  throw unsupported(`signatures with ${keyAlgorithm || 'this key'}`);
}

/** Encrypt / Decrypt: AES-GCM, AES-CBC with PKCS#5 padding, RSA-OAEP (SHA-1/256), RSA PKCS#1 v1.5. */
export function tokenCipherMechanism(keyAlgorithm: string, p: CryptographicParameters): string {
  if (keyAlgorithm === 'AES') {
    if (p.BlockCipherMode === 'GCM') return 'AES-GCM';
    if ((p.BlockCipherMode ?? 'CBC') === 'CBC' && (p.PaddingMethod ?? 'PKCS5') === 'PKCS5') return 'AES-CBC-PAD';
    throw unsupported(`AES ${p.BlockCipherMode ?? ''} ${p.PaddingMethod ?? ''}`.trim());
  }
  if (keyAlgorithm === 'RSA') {
    // KMIP's default for RSA encryption here is OAEP with SHA-1 (as for keys in the vault).
    if ((p.PaddingMethod ?? 'OAEP') === 'OAEP') {
      const bits = /SHA_?(\d+)/.exec(p.HashingAlgorithm ?? 'SHA_1')?.[1];
      if (bits === '1') return 'RSA-OAEP-SHA1';
      if (bits === '256') return 'RSA-OAEP-SHA256';
      throw unsupported(`RSA-OAEP with ${p.HashingAlgorithm ?? ''}`);
    }
    if (p.PaddingMethod === 'PKCS1V1_5') return 'RSA-PKCS1';
  }
  throw unsupported(`encryption with ${keyAlgorithm || 'this key'}`);
}

/** The IV length a token mechanism needs when the client sends none (GCM 12, CBC 16 bytes). */
export function tokenIvLength(mechanism: string): number | undefined {
  return mechanism === 'AES-GCM' ? 12 : mechanism === 'AES-CBC-PAD' ? 16 : undefined;
}

/** Length of the tag the token appends to AES-GCM ciphertext. */
export const TOKEN_GCM_TAG_BYTES = 16;
