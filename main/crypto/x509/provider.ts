// @peculiar/x509 runs on Node's WebCrypto (OpenSSL underneath); it needs reflect-metadata once.
import 'reflect-metadata';
import { createPublicKey, webcrypto, type KeyObject } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { unsupported } from '../errors.js';
import type { HashName } from '../hash.js';

export type WebCryptoKey = webcrypto.CryptoKey;
type WebAlgorithm =
  webcrypto.Algorithm | webcrypto.EcdsaParams | webcrypto.EcKeyImportParams | webcrypto.RsaHashedImportParams;

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

export { x509 };

const WEB_HASH: Partial<Record<HashName, string>> = {
  sha1: 'SHA-1',
  sha256: 'SHA-256',
  sha384: 'SHA-384',
  sha512: 'SHA-512',
};
const WEB_CURVE: Record<string, string> = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' };

/** The default hash for a signing key: SHA-256, SHA-384 for P-384, SHA-512 for P-521. */
export function defaultSignatureHash(key: KeyObject): HashName {
  const curve = key.asymmetricKeyDetails?.namedCurve;
  if (curve === 'secp384r1') return 'sha384';
  if (curve === 'secp521r1') return 'sha512';
  return 'sha256';
}

export interface WebSigningKeys {
  keys: { privateKey: WebCryptoKey; publicKey: WebCryptoKey };
  signingAlgorithm: WebAlgorithm;
}

/** The WebCrypto algorithm for a Node key, for import and signing. */
function webAlgorithm(key: KeyObject, hash: HashName): { importAlg: WebAlgorithm; signAlg: WebAlgorithm } {
  const webHash = WEB_HASH[hash];
  const t = key.asymmetricKeyType;
  if (t === 'rsa') {
    if (!webHash) throw unsupported(`certificate signatures with ${hash}`);
    const a = { name: 'RSASSA-PKCS1-v1_5', hash: webHash };
    return { importAlg: a, signAlg: a };
  }
  if (t === 'ec') {
    if (!webHash) throw unsupported(`certificate signatures with ${hash}`);
    const namedCurve = WEB_CURVE[key.asymmetricKeyDetails?.namedCurve ?? ''];
    if (!namedCurve) throw unsupported(`EC curve ${key.asymmetricKeyDetails?.namedCurve ?? '?'} in certificates`);
    return { importAlg: { name: 'ECDSA', namedCurve }, signAlg: { name: 'ECDSA', hash: webHash } };
  }
  if (t === 'ed25519' || t === 'ed448') {
    const a = { name: t === 'ed25519' ? 'Ed25519' : 'Ed448' };
    return { importAlg: a, signAlg: a };
  }
  throw unsupported(`certificates with ${String(t)} keys`);
}

/** Imports a Node private key (and its public half) as WebCrypto keys that can sign. */
export async function toWebSigningKeys(
  privateKey: KeyObject,
  hash = defaultSignatureHash(privateKey),
): Promise<WebSigningKeys> {
  const { importAlg, signAlg } = webAlgorithm(privateKey, hash);
  const pkcs8 = privateKey.export({ format: 'der', type: 'pkcs8' });
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  try {
    const priv = await webcrypto.subtle.importKey('pkcs8', pkcs8, importAlg, false, ['sign']);
    const pub = await webcrypto.subtle.importKey('spki', spki, importAlg, true, ['verify']);
    return { keys: { privateKey: priv, publicKey: pub }, signingAlgorithm: signAlg };
  } finally {
    pkcs8.fill(0);
  }
}

/** Imports a public key alone (a CSR's or certificate's subject key) for WebCrypto. */
export async function toWebPublicKey(publicKey: KeyObject): Promise<WebCryptoKey> {
  const { importAlg } = webAlgorithm(publicKey, 'sha256');
  const spki = publicKey.export({ format: 'der', type: 'spki' });
  return webcrypto.subtle.importKey('spki', spki, importAlg, true, ['verify']);
}
