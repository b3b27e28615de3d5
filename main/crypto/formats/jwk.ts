// JSON Web Keys (RFC 7517/7518, OKP from RFC 8037) with x5c chains, via Node's JWK support.
import { createHash, createPrivateKey, createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { formatError, unsupported } from '../errors.js';

export interface Jwk extends JsonWebKey {
  kid?: string;
  x5c?: string[];
  alg?: string;
  use?: string;
}

const REQUIRED: Record<string, string[]> = {
  RSA: ['e', 'kty', 'n'],
  EC: ['crv', 'kty', 'x', 'y'],
  OKP: ['crv', 'kty', 'x'],
  oct: ['k', 'kty'],
};

/** RFC 7638 JWK thumbprint (SHA-256, base64url), used as the kid. */
export function jwkThumbprint(jwk: Jwk): string {
  const members = REQUIRED[jwk.kty ?? ''];
  if (!members) throw unsupported(`JWK key type ${String(jwk.kty)}`);
  const canonical = `{${members.map((m) => `"${m}":${JSON.stringify((jwk as Record<string, unknown>)[m])}`).join(',')}}`;
  return createHash('sha256').update(canonical).digest('base64url');
}

/** A key as a JWK: private keys with d (and CRT fields), public keys without; x5c is DER certificates. */
export function exportJwk(
  key: KeyObject | Uint8Array,
  o: { certificates?: Uint8Array[]; publicOnly?: boolean } = {},
): Jwk {
  let jwk: Jwk;
  if (key instanceof Uint8Array) jwk = { kty: 'oct', k: Buffer.from(key).toString('base64url') };
  else {
    const k = o.publicOnly && key.type === 'private' ? createPublicKey(key) : key;
    try {
      jwk = k.export({ format: 'jwk' }) as Jwk;
    } catch (e) {
      throw unsupported(`JWK for ${String(k.asymmetricKeyType)} keys (${e instanceof Error ? e.message : String(e)})`);
    }
  }
  jwk.kid = jwkThumbprint(jwk);
  if (o.certificates && o.certificates.length > 0)
    jwk.x5c = o.certificates.map((c) => Buffer.from(c).toString('base64'));
  return jwk;
}

export interface ReadJwk {
  privateKey?: KeyObject;
  publicKey?: KeyObject;
  secret?: Buffer;
  certificates: Buffer[];
  kid?: string;
}

/** Reads a JWK, or every key of a JWK Set. */
export function readJwks(text: string): ReadJwk[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw formatError('not JSON (truncated JWK?)', e);
  }
  const list =
    parsed && typeof parsed === 'object' && Array.isArray((parsed as { keys?: unknown }).keys)
      ? (parsed as { keys: unknown[] }).keys
      : [parsed];
  return list.map((j) => readJwk(j));
}

function readJwk(value: unknown): ReadJwk {
  if (!value || typeof value !== 'object' || typeof (value as Jwk).kty !== 'string')
    throw formatError('JSON is not a JWK (no "kty")');
  const jwk = value as Jwk;
  const certificates = (jwk.x5c ?? []).map((c) => Buffer.from(c, 'base64'));
  const kid = jwk.kid;
  if (jwk.kty === 'oct') {
    if (typeof jwk.k !== 'string') throw formatError('oct JWK has no "k"');
    return { secret: Buffer.from(jwk.k, 'base64url'), certificates, kid };
  }
  if (!REQUIRED[jwk.kty ?? '']) throw unsupported(`JWK key type ${jwk.kty}`);
  try {
    if (typeof jwk.d === 'string')
      return { privateKey: createPrivateKey({ key: jwk, format: 'jwk' }), certificates, kid };
    return { publicKey: createPublicKey({ key: jwk, format: 'jwk' }), certificates, kid };
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    if (/Unsupported|unsupported|crv/.test(msg)) throw unsupported(`JWK ${jwk.kty} ${String(jwk.crv ?? '')}: ${msg}`);
    throw formatError(`JWK ${jwk.kty} is missing or has bad members`, e);
  }
}
