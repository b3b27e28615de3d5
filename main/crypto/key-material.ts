import { createECDH, createPrivateKey, createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { isKeyholdError } from '../../shared/errors.js';
import type { KeyMaterial } from '../vault/model.js';
import { formatError, invalidArgument, unsupported } from './errors.js';

/** Asymmetric key types, by the name Node's KeyObject gives them. */
export type AsymmetricKeyType = 'rsa' | 'rsa-pss' | 'ec' | 'ed25519' | 'ed448' | 'x25519' | 'x448';

/** What a key is, in KMIP's words. */
export interface KeyDescription {
  /** KMIP Cryptographic Algorithm: RSA, EC, Ed25519, Ed448, ECDH (X25519/X448). */
  cryptographicAlgorithm: 'RSA' | 'EC' | 'Ed25519' | 'Ed448' | 'ECDH';
  /** KMIP Cryptographic Length in bits (modulus length, field size). */
  cryptographicLength: number;
  /** KMIP Recommended Curve (normalized name), for EC, X25519 and X448 keys. */
  recommendedCurve?: string;
  keyType: AsymmetricKeyType;
}

const CURVE_BY_NODE: Record<string, { kmip: string; bits: number; jwk: string; node: string }> = {
  prime256v1: { kmip: 'P_256', bits: 256, jwk: 'P-256', node: 'prime256v1' },
  secp384r1: { kmip: 'P_384', bits: 384, jwk: 'P-384', node: 'secp384r1' },
  secp521r1: { kmip: 'P_521', bits: 521, jwk: 'P-521', node: 'secp521r1' },
  secp256k1: { kmip: 'SECP256K1', bits: 256, jwk: 'secp256k1', node: 'secp256k1' },
};

/** Describes an asymmetric key: algorithm, length, curve. */
export function describeKey(key: KeyObject): KeyDescription {
  const t = key.asymmetricKeyType as AsymmetricKeyType | undefined;
  const d = key.asymmetricKeyDetails ?? {};
  switch (t) {
    case 'rsa':
    case 'rsa-pss':
      return { cryptographicAlgorithm: 'RSA', cryptographicLength: d.modulusLength ?? 0, keyType: t };
    case 'ec': {
      const c = CURVE_BY_NODE[d.namedCurve ?? ''];
      if (!c) throw unsupported(`EC curve ${d.namedCurve ?? 'unknown'}`);
      return { cryptographicAlgorithm: 'EC', cryptographicLength: c.bits, recommendedCurve: c.kmip, keyType: t };
    }
    case 'ed25519':
      return {
        cryptographicAlgorithm: 'Ed25519',
        cryptographicLength: 256,
        recommendedCurve: 'CURVE25519',
        keyType: t,
      };
    case 'ed448':
      return { cryptographicAlgorithm: 'Ed448', cryptographicLength: 448, recommendedCurve: 'CURVE448', keyType: t };
    case 'x25519':
      return { cryptographicAlgorithm: 'ECDH', cryptographicLength: 256, recommendedCurve: 'CURVE25519', keyType: t };
    case 'x448':
      return { cryptographicAlgorithm: 'ECDH', cryptographicLength: 448, recommendedCurve: 'CURVE448', keyType: t };
    default:
      throw unsupported(`asymmetric key type ${String(t)}`);
  }
}

// DER prefixes of PKCS#8 / SubjectPublicKeyInfo for the RFC 8410 curves; the raw key follows.
const RFC8410: Record<string, { oid: string; len: number }> = {
  ed25519: { oid: '2b6570', len: 32 },
  x25519: { oid: '2b656e', len: 32 },
  ed448: { oid: '2b6571', len: 57 },
  x448: { oid: '2b656f', len: 56 },
};

function rfc8410Private(type: string, raw: Uint8Array): Buffer {
  const c = RFC8410[type];
  if (!c || raw.length !== c.len) throw formatError(`raw ${type} private key must be ${c?.len ?? '?'} bytes`);
  const inner = Buffer.concat([Buffer.from([0x04, c.len]), raw]);
  const alg = Buffer.from(`30050603${c.oid}`, 'hex');
  const body = Buffer.concat([Buffer.from('020100', 'hex'), alg, Buffer.from([0x04, inner.length]), inner]);
  return Buffer.concat([Buffer.from([0x30, body.length]), body]);
}

function rfc8410Public(type: string, raw: Uint8Array): Buffer {
  const c = RFC8410[type];
  if (!c || raw.length !== c.len) throw formatError(`raw ${type} public key must be ${c?.len ?? '?'} bytes`);
  const alg = Buffer.from(`30050603${c.oid}`, 'hex');
  const bits = Buffer.concat([Buffer.from([0x03, c.len + 1, 0x00]), raw]);
  const body = Buffer.concat([alg, bits]);
  return Buffer.concat([Buffer.from([0x30, body.length]), body]);
}

const b64u = (s: string | undefined): Buffer => Buffer.from(s ?? '', 'base64url');
const toBig = (s: string | undefined): bigint => {
  const b = b64u(s);
  return b.length === 0 ? 0n : BigInt(`0x${b.toString('hex')}`);
};
function fromBig(v: unknown, name: string, len?: number): string {
  if (typeof v !== 'bigint' || v < 0n)
    throw formatError(`transparent key field ${name} must be a non-negative Big Integer`);
  let hex = v.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  let b = Buffer.from(hex, 'hex');
  if (len !== undefined && b.length < len) b = Buffer.concat([Buffer.alloc(len - b.length), b]);
  return b.toString('base64url');
}

/**
 * Key material of an asymmetric key in a KMIP Key Format Type: PKCS_1, PKCS_8, X_509,
 * ECPrivateKey, Raw (RFC 8410 curves), TransparentRSAPrivateKey/PublicKey, TransparentECPrivateKey/PublicKey.
 */
export function exportKeyMaterial(key: KeyObject, keyFormatType: string): KeyMaterial {
  const t = key.asymmetricKeyType ?? '';
  const priv = key.type === 'private';
  switch (keyFormatType) {
    case 'PKCS_1':
      if (t !== 'rsa') throw unsupported('PKCS#1 holds RSA keys only', 'Key Format Type Not Supported');
      return key.export({ format: 'der', type: 'pkcs1' });
    case 'PKCS_8':
      if (!priv) throw invalidArgument('PKCS#8 holds private keys');
      return key.export({ format: 'der', type: 'pkcs8' });
    case 'X_509':
      if (priv) throw invalidArgument('X.509 SubjectPublicKeyInfo holds public keys');
      return key.export({ format: 'der', type: 'spki' });
    case 'ECPrivateKey':
      if (t !== 'ec' || !priv)
        throw unsupported('ECPrivateKey holds EC private keys only', 'Key Format Type Not Supported');
      return key.export({ format: 'der', type: 'sec1' });
    case 'Raw': {
      if (!RFC8410[t]) throw unsupported(`Raw format for ${t} keys`, 'Key Format Type Not Supported');
      const jwk = key.export({ format: 'jwk' });
      return b64u(priv ? jwk.d : jwk.x);
    }
    case 'TransparentRSAPrivateKey':
    case 'TransparentRSAPublicKey': {
      if (t !== 'rsa') throw unsupported('transparent RSA format for a non-RSA key', 'Key Format Type Not Supported');
      const j = key.export({ format: 'jwk' });
      if (keyFormatType === 'TransparentRSAPublicKey') return { Modulus: toBig(j.n), PublicExponent: toBig(j.e) };
      if (!priv) throw invalidArgument('TransparentRSAPrivateKey needs a private key');
      return {
        Modulus: toBig(j.n),
        PrivateExponent: toBig(j.d),
        PublicExponent: toBig(j.e),
        P: toBig(j.p),
        Q: toBig(j.q),
        PrimeExponentP: toBig(j.dp),
        PrimeExponentQ: toBig(j.dq),
        CRTCoefficient: toBig(j.qi),
      };
    }
    case 'TransparentECPrivateKey':
    case 'TransparentECPublicKey': {
      const desc = describeKey(key);
      if (t !== 'ec') throw unsupported('transparent EC format for a non-EC key', 'Key Format Type Not Supported');
      const j = key.export({ format: 'jwk' });
      if (keyFormatType === 'TransparentECPrivateKey') {
        if (!priv) throw invalidArgument('TransparentECPrivateKey needs a private key');
        return { RecommendedCurve: desc.recommendedCurve ?? '', D: toBig(j.d) };
      }
      return {
        RecommendedCurve: desc.recommendedCurve ?? '',
        QString: Buffer.concat([Buffer.from([0x04]), b64u(j.x), b64u(j.y)]),
      };
    }
    default:
      throw unsupported(`key format type ${keyFormatType}`, 'Key Format Type Not Supported');
  }
}

/**
 * Rebuilds a Node KeyObject from KMIP key material. `algorithm` (KMIP Cryptographic Algorithm)
 * is needed for Raw keys, and `curve` (KMIP Recommended Curve) for Raw X25519/X448.
 */
export function importKeyMaterial(
  objectType: 'PrivateKey' | 'PublicKey',
  keyFormatType: string,
  material: KeyMaterial,
  algorithm?: string,
  curve?: string,
): KeyObject {
  const priv = objectType === 'PrivateKey';
  try {
    if (material instanceof Uint8Array) {
      const der = Buffer.from(material);
      switch (keyFormatType) {
        case 'PKCS_1':
          return priv
            ? createPrivateKey({ key: der, format: 'der', type: 'pkcs1' })
            : createPublicKey({ key: der, format: 'der', type: 'pkcs1' });
        case 'PKCS_8':
          if (!priv) throw invalidArgument('PKCS#8 holds private keys');
          return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
        case 'X_509':
          if (priv) throw invalidArgument('X.509 SubjectPublicKeyInfo holds public keys');
          return createPublicKey({ key: der, format: 'der', type: 'spki' });
        case 'ECPrivateKey':
          return createPrivateKey({ key: der, format: 'der', type: 'sec1' });
        case 'Raw': {
          const type = rawType(algorithm, curve);
          return priv
            ? createPrivateKey({ key: rfc8410Private(type, der), format: 'der', type: 'pkcs8' })
            : createPublicKey({ key: rfc8410Public(type, der), format: 'der', type: 'spki' });
        }
        default:
          throw unsupported(`key format type ${keyFormatType}`, 'Key Format Type Not Supported');
      }
    }
    const m = material;
    switch (keyFormatType) {
      case 'TransparentRSAPrivateKey': {
        const n = fromBig(m.Modulus, 'Modulus');
        const jwk: JsonWebKey = {
          kty: 'RSA',
          n,
          e: fromBig(m.PublicExponent, 'PublicExponent'),
          d: fromBig(m.PrivateExponent, 'PrivateExponent'),
          p: fromBig(m.P, 'P'),
          q: fromBig(m.Q, 'Q'),
          dp: fromBig(m.PrimeExponentP, 'PrimeExponentP'),
          dq: fromBig(m.PrimeExponentQ, 'PrimeExponentQ'),
          qi: fromBig(m.CRTCoefficient, 'CRTCoefficient'),
        };
        return createPrivateKey({ key: jwk, format: 'jwk' });
      }
      case 'TransparentRSAPublicKey':
        return createPublicKey({
          key: { kty: 'RSA', n: fromBig(m.Modulus, 'Modulus'), e: fromBig(m.PublicExponent, 'PublicExponent') },
          format: 'jwk',
        });
      case 'TransparentECPrivateKey':
      case 'TransparentECPublicKey': {
        const c = Object.values(CURVE_BY_NODE).find((x) => x.kmip === m.RecommendedCurve);
        if (!c) throw unsupported(`recommended curve ${String(m.RecommendedCurve)}`);
        const size = Math.ceil(c.bits / 8);
        let point: Buffer;
        let d: string | undefined;
        if (keyFormatType === 'TransparentECPrivateKey') {
          d = fromBig(m.D, 'D', size);
          const ecdh = createECDH(c.node);
          ecdh.setPrivateKey(Buffer.from(d, 'base64url'));
          point = ecdh.getPublicKey();
        } else {
          if (!(m.QString instanceof Uint8Array)) throw formatError('TransparentECPublicKey needs a Q String');
          point = Buffer.from(m.QString);
        }
        if (point[0] !== 0x04 || point.length !== 1 + 2 * size) throw formatError('EC point must be uncompressed');
        const jwk: JsonWebKey = {
          kty: 'EC',
          crv: c.jwk,
          x: point.subarray(1, 1 + size).toString('base64url'),
          y: point.subarray(1 + size).toString('base64url'),
        };
        if (d) return createPrivateKey({ key: { ...jwk, d }, format: 'jwk' });
        return createPublicKey({ key: jwk, format: 'jwk' });
      }
      default:
        throw unsupported(`key format type ${keyFormatType}`, 'Key Format Type Not Supported');
    }
  } catch (e) {
    if (isKeyholdError(e)) throw e;
    throw formatError(`key material is not a valid ${keyFormatType} ${priv ? 'private' : 'public'} key`, e);
  }
}

function rawType(algorithm: string | undefined, curve: string | undefined): string {
  if (algorithm === 'Ed25519') return 'ed25519';
  if (algorithm === 'Ed448') return 'ed448';
  if (curve === 'CURVE25519') return 'x25519';
  if (curve === 'CURVE448') return 'x448';
  throw unsupported(`Raw key material for ${algorithm ?? 'an unknown algorithm'}`, 'Key Format Type Not Supported');
}
