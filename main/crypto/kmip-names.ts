/**
 * The one table from KMIP's names to Keyhold's primitives, so the KMIP layer is a lookup.
 * Names are the normalized enumeration names of the KMIP XML encoding (Additional Message
 * Encodings 1.0 section 6.1.3) as the OASIS test cases write them ("SHA_256", "PKCS5",
 * "ChaCha20Poly1305"). Where KMIP 1.4 and 2.1 spell a value differently (1.4 "SHA-3-256" ->
 * SHA_3_256, 2.1 "SHA3-256" -> SHA3_256; 1.4 "SHA-256 with RSA Encryption (PKCS#1 v1.5)" ->
 * SHA_256WithRSAEncryptionPKCS_1V1_5, 2.1 "SHA-256 with RSA Encryption" -> SHA_256WithRSAEncryption)
 * both spellings are listed.
 */
import { HMAC_HASH } from './generate.js';
import { invalidArgument, unsupported } from './errors.js';
import type { NamedCurve } from './generate.js';
import type { HashName } from './hash.js';
import type { RsaEncryptionParameters } from './rsa-encryption.js';
import type { SignatureParameters } from './signature.js';
import type { CipherMode, CipherPadding, SymmetricAlgorithm, SymmetricParameters } from './symmetric.js';

/** KMIP Hashing Algorithm (spec 1.4 table 304, 2.1 table 454) -> OpenSSL hash. */
export const HASHING_ALGORITHM: Readonly<Record<string, HashName>> = {
  MD5: 'md5',
  SHA_1: 'sha1',
  SHA_224: 'sha224',
  SHA_256: 'sha256',
  SHA_384: 'sha384',
  SHA_512: 'sha512',
  SHA_512_224: 'sha512-224',
  SHA_512_256: 'sha512-256',
  SHA_3_224: 'sha3-224',
  SHA_3_256: 'sha3-256',
  SHA_3_384: 'sha3-384',
  SHA_3_512: 'sha3-512',
  SHA3_224: 'sha3-224',
  SHA3_256: 'sha3-256',
  SHA3_384: 'sha3-384',
  SHA3_512: 'sha3-512',
};

/** The KMIP 2.1 Hashing Algorithm name of an OpenSSL hash (for writing attributes). */
export function hashingAlgorithmName(hash: HashName): string {
  const names: Record<HashName, string> = {
    md5: 'MD5',
    sha1: 'SHA_1',
    sha224: 'SHA_224',
    sha256: 'SHA_256',
    sha384: 'SHA_384',
    sha512: 'SHA_512',
    'sha512-224': 'SHA_512_224',
    'sha512-256': 'SHA_512_256',
    'sha3-224': 'SHA3_224',
    'sha3-256': 'SHA3_256',
    'sha3-384': 'SHA3_384',
    'sha3-512': 'SHA3_512',
  };
  return names[hash];
}

/** KMIP Cryptographic Algorithm values that hash (KMIP 2.1 lists SHA3-* as algorithms too). */
export const HASH_ALGORITHM: Readonly<Record<string, HashName>> = {
  SHA3_224: 'sha3-224',
  SHA3_256: 'sha3-256',
  SHA3_384: 'sha3-384',
  SHA3_512: 'sha3-512',
};

/** KMIP Cryptographic Algorithm (HMAC_*) -> the hash HMAC runs on. */
export const HMAC_ALGORITHM: Readonly<Record<string, HashName>> = HMAC_HASH;

/** KMIP Cryptographic Algorithm -> symmetric cipher. */
export const SYMMETRIC_ALGORITHM: Readonly<Record<string, SymmetricAlgorithm>> = {
  AES: 'AES',
  DES3: 'DES3',
  ChaCha20: 'ChaCha20',
  ChaCha20Poly1305: 'ChaCha20Poly1305',
};

/** KMIP Block Cipher Mode (spec 1.4 table 302) -> mode; key-wrap modes are in WRAP_MODE. */
export const BLOCK_CIPHER_MODE: Readonly<Record<string, CipherMode>> = {
  CBC: 'CBC',
  ECB: 'ECB',
  CTR: 'CTR',
  GCM: 'GCM',
  CFB: 'CFB',
  OFB: 'OFB',
  XTS: 'XTS',
  AEAD: 'AEAD',
};

/** KMIP Block Cipher Mode values that are key wrapping (spec 1.4 table 302). */
export const WRAP_MODE: Readonly<Record<string, 'NISTKeyWrap' | 'AESKeyWrapPadding'>> = {
  NISTKeyWrap: 'NISTKeyWrap',
  AESKeyWrapPadding: 'AESKeyWrapPadding',
};

/** KMIP Padding Method (spec 1.4 table 303) -> padding, for block ciphers and RSA. */
export const PADDING_METHOD: Readonly<Record<string, CipherPadding | 'OAEP' | 'PKCS1V1_5' | 'PSS'>> = {
  None: 'None',
  PKCS5: 'PKCS5',
  OAEP: 'OAEP',
  PKCS1V1_5: 'PKCS1V1_5',
  PSS: 'PSS',
};

export interface SignatureAlgorithm {
  keyAlgorithm: 'RSA' | 'EC' | 'Ed25519' | 'Ed448';
  /** Absent for EdDSA and for RSASSA-PSS (whose hash comes from Hashing Algorithm). */
  hash?: HashName;
  padding?: 'PKCS1V1_5' | 'PSS';
  /** X.509 AlgorithmIdentifier OID name, for certificates. */
  x509Name?: string;
}

const rsa = (hash: HashName): SignatureAlgorithm => ({ keyAlgorithm: 'RSA', hash, padding: 'PKCS1V1_5' });
const ecdsa = (hash: HashName): SignatureAlgorithm => ({ keyAlgorithm: 'EC', hash });

/** KMIP Digital Signature Algorithm (spec 1.4 table 295, 2.1 table 447) -> signature scheme. */
export const DIGITAL_SIGNATURE_ALGORITHM: Readonly<Record<string, SignatureAlgorithm>> = {
  MD5WithRSAEncryptionPKCS_1V1_5: rsa('md5'),
  MD5WithRSAEncryption: rsa('md5'),
  SHA_1WithRSAEncryptionPKCS_1V1_5: rsa('sha1'),
  SHA_1WithRSAEncryption: rsa('sha1'),
  SHA_224WithRSAEncryptionPKCS_1V1_5: rsa('sha224'),
  SHA_224WithRSAEncryption: rsa('sha224'),
  SHA_256WithRSAEncryptionPKCS_1V1_5: rsa('sha256'),
  SHA_256WithRSAEncryption: rsa('sha256'),
  SHA_384WithRSAEncryptionPKCS_1V1_5: rsa('sha384'),
  SHA_384WithRSAEncryption: rsa('sha384'),
  SHA_512WithRSAEncryptionPKCS_1V1_5: rsa('sha512'),
  SHA_512WithRSAEncryption: rsa('sha512'),
  SHA3_256WithRSAEncryption: rsa('sha3-256'),
  SHA3_384WithRSAEncryption: rsa('sha3-384'),
  SHA3_512WithRSAEncryption: rsa('sha3-512'),
  RSASSA_PSSPKCS_1V2_1: { keyAlgorithm: 'RSA', padding: 'PSS' },
  RSASSA_PSS: { keyAlgorithm: 'RSA', padding: 'PSS' },
  ECDSAWithSHA_1: ecdsa('sha1'),
  ECDSAWithSHA224: ecdsa('sha224'),
  ECDSAWithSHA256: ecdsa('sha256'),
  ECDSAWithSHA384: ecdsa('sha384'),
  ECDSAWithSHA512: ecdsa('sha512'),
};

/** KMIP Recommended Curve -> curve Keyhold generates. */
export const RECOMMENDED_CURVE: Readonly<Record<string, NamedCurve>> = {
  P_256: 'P-256',
  P_384: 'P-384',
  P_521: 'P-521',
};

/** KMIP Cryptographic Usage Mask bits (spec 1.4 table 325). */
export const USAGE_MASK = {
  Sign: 0x1,
  Verify: 0x2,
  Encrypt: 0x4,
  Decrypt: 0x8,
  WrapKey: 0x10,
  UnwrapKey: 0x20,
  Export: 0x40,
  MACGenerate: 0x80,
  MACVerify: 0x100,
  DeriveKey: 0x200,
  ContentCommitment: 0x400,
  KeyAgreement: 0x800,
  CertificateSign: 0x1000,
  CRLSign: 0x2000,
} as const;

/**
 * KMIP Cryptographic Parameters, fields by tag name, as the ops layer holds them (a subset:
 * those that choose a primitive).
 */
export interface CryptographicParameters {
  BlockCipherMode?: string;
  PaddingMethod?: string;
  HashingAlgorithm?: string;
  CryptographicAlgorithm?: string;
  DigitalSignatureAlgorithm?: string;
  MaskGeneratorHashingAlgorithm?: string;
  SaltLength?: number;
  TagLength?: number;
  IVLength?: number;
}

function lookup<T>(table: Readonly<Record<string, T>>, value: string, what: string): T {
  const v = table[value];
  if (v === undefined) throw unsupported(`${what} ${value}`);
  return v;
}

/** Symmetric Encrypt/Decrypt parameters from a key's algorithm and the Cryptographic Parameters. */
export function symmetricParameters(
  keyAlgorithm: string,
  p: CryptographicParameters,
  extra: { iv?: Uint8Array; aad?: Uint8Array } = {},
): SymmetricParameters {
  const algorithm = lookup(SYMMETRIC_ALGORITHM, p.CryptographicAlgorithm ?? keyAlgorithm, 'cryptographic algorithm');
  const out: SymmetricParameters = { algorithm, iv: extra.iv, aad: extra.aad };
  if (p.BlockCipherMode !== undefined && algorithm !== 'ChaCha20Poly1305' && algorithm !== 'ChaCha20') {
    out.mode = lookup(BLOCK_CIPHER_MODE, p.BlockCipherMode, 'block cipher mode');
  }
  if (p.PaddingMethod !== undefined) {
    const pad = lookup(PADDING_METHOD, p.PaddingMethod, 'padding method');
    if (pad !== 'None' && pad !== 'PKCS5') throw unsupported(`padding method ${p.PaddingMethod} with ${algorithm}`);
    out.padding = pad;
  } else {
    // KMIP names no default padding; the OASIS CS-BC cases (ECB, 16 bytes in, 16 out) expect none.
    out.padding = 'None';
  }
  if (p.TagLength !== undefined) out.tagLength = p.TagLength;
  return out;
}

/** RSA Encrypt/Decrypt parameters from Cryptographic Parameters (default OAEP with SHA-1). */
export function rsaEncryptionParameters(p: CryptographicParameters): RsaEncryptionParameters {
  const pad = p.PaddingMethod === undefined ? 'OAEP' : lookup(PADDING_METHOD, p.PaddingMethod, 'padding method');
  if (pad !== 'OAEP' && pad !== 'PKCS1V1_5')
    throw unsupported(`padding method ${String(p.PaddingMethod)} for RSA encryption`);
  const out: RsaEncryptionParameters = { padding: pad };
  if (p.HashingAlgorithm !== undefined) out.hash = lookup(HASHING_ALGORITHM, p.HashingAlgorithm, 'hashing algorithm');
  if (p.MaskGeneratorHashingAlgorithm !== undefined) {
    out.mgf1Hash = lookup(HASHING_ALGORITHM, p.MaskGeneratorHashingAlgorithm, 'mask generator hashing algorithm');
  }
  return out;
}

/**
 * Sign/Signature Verify parameters. Digital Signature Algorithm wins when given; else
 * Padding Method and Hashing Algorithm (as the OASIS CS-AC test cases send them).
 */
export function signatureParameters(keyAlgorithm: string, p: CryptographicParameters): SignatureParameters {
  const out: SignatureParameters = {};
  if (p.DigitalSignatureAlgorithm !== undefined) {
    const s = lookup(DIGITAL_SIGNATURE_ALGORITHM, p.DigitalSignatureAlgorithm, 'digital signature algorithm');
    if (s.keyAlgorithm !== keyAlgorithm && !(s.keyAlgorithm === 'EC' && keyAlgorithm === 'ECDSA')) {
      throw invalidArgument(
        `digital signature algorithm ${p.DigitalSignatureAlgorithm} does not fit a ${keyAlgorithm} key`,
      );
    }
    if (s.hash) out.hash = s.hash;
    if (s.padding) out.padding = s.padding;
  }
  if (p.HashingAlgorithm !== undefined && out.hash === undefined) {
    out.hash = lookup(HASHING_ALGORITHM, p.HashingAlgorithm, 'hashing algorithm');
  }
  if (p.PaddingMethod !== undefined && keyAlgorithm === 'RSA') {
    const pad = lookup(PADDING_METHOD, p.PaddingMethod, 'padding method');
    if (pad !== 'PSS' && pad !== 'PKCS1V1_5') throw unsupported(`padding method ${p.PaddingMethod} for RSA signatures`);
    out.padding ??= pad;
  }
  if (p.SaltLength !== undefined) out.saltLength = p.SaltLength;
  return out;
}
