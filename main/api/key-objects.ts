/**
 * Builds the vault objects for the key generation wizard from main/crypto's generators: a
 * symmetric key or secret (Raw), or a key pair (PKCS#8 private, X.509 SubjectPublicKeyInfo
 * public) linked both ways.
 */
import { randomUUID } from 'node:crypto';
import { KeyholdError } from '../../shared/errors.js';
import type { Request } from '../../shared/api/index.js';
// The narrow crypto modules, not crypto/index.js: X.509 and the file formats load only when used.
import { generateKeyPair, generateSecretData, generateSymmetricKey } from '../crypto/generate.js';
import type { SymmetricKeyAlgorithm } from '../crypto/generate.js';
import { describeKey, exportKeyMaterial } from '../crypto/key-material.js';
import type { Attributes, ManagedObject } from '../vault/model.js';
import type { NewManagedObject } from '../vault/index.js';
import { usageMaskBits } from './views.js';

type KeyRequest = Request<'keys.generate'>;

const symmetricAlgorithm: Record<string, SymmetricKeyAlgorithm> = {
  AES: 'AES',
  HMACSHA256: 'HMAC_SHA256',
  HMACSHA512: 'HMAC_SHA512',
  ChaCha20: 'ChaCha20',
};

const privateSide = ['Sign', 'Decrypt', 'UnwrapKey', 'DeriveKey', 'KeyAgreement', 'CertificateSign', 'CRLSign'];
const publicSide = ['Verify', 'Encrypt', 'WrapKey', 'KeyAgreement'];

function commonAttributes(r: KeyRequest, usage: readonly string[]): Attributes {
  const a: Attributes = { CryptographicUsageMask: [usageMaskBits(usage)] };
  if (r.name) a['Name'] = [{ NameValue: r.name, NameType: 'UninterpretedTextString' }];
  if (r.activationDate) a['ActivationDate'] = [new Date(r.activationDate)];
  return a;
}

export async function buildKeyObjects(r: KeyRequest, owner: string): Promise<NewManagedObject[]> {
  if (r.kind === 'SecretData') {
    const bytes = generateSecretData((r.cryptographicLength ?? 256) / 8);
    return [
      {
        objectType: 'SecretData',
        keyBlock: { keyFormatType: 'Opaque', keyMaterial: bytes },
        attributes: { ...commonAttributes(r, []), SecretDataType: ['Password'] },
        owner,
      },
    ];
  }
  if (r.kind === 'SymmetricKey') {
    const algorithm = symmetricAlgorithm[r.algorithm];
    if (!algorithm) throw new KeyholdError('invalid-argument', `${r.algorithm} is not a symmetric algorithm.`);
    const bytes = generateSymmetricKey(algorithm, r.cryptographicLength);
    return [
      {
        objectType: 'SymmetricKey',
        keyBlock: {
          keyFormatType: 'Raw',
          keyMaterial: bytes,
          cryptographicAlgorithm: algorithm,
          cryptographicLength: bytes.length * 8,
        },
        attributes: {
          ...commonAttributes(r, r.usageMask),
          CryptographicAlgorithm: [algorithm],
          CryptographicLength: [bytes.length * 8],
        },
        owner,
      },
    ];
  }
  const spec =
    r.algorithm === 'RSA'
      ? ({ algorithm: 'RSA', length: r.cryptographicLength ?? 3072 } as const)
      : r.algorithm === 'EC'
        ? ({ algorithm: 'EC', curve: r.curve === 'P384' ? 'P-384' : r.curve === 'P521' ? 'P-521' : 'P-256' } as const)
        : ({ algorithm: 'Ed25519' } as const);
  const pair = await generateKeyPair(spec);
  const desc = describeKey(pair.privateKey);
  const privateId = randomUUID();
  const publicId = randomUUID();
  const shared: Attributes = {
    CryptographicAlgorithm: [desc.cryptographicAlgorithm],
    CryptographicLength: [desc.cryptographicLength],
  };
  if (desc.recommendedCurve) shared['CryptographicDomainParameters'] = [{ RecommendedCurve: desc.recommendedCurve }];
  const pick = (side: string[]) => {
    const chosen = r.usageMask.filter((u) => side.includes(u));
    return chosen.length > 0 ? chosen : r.usageMask;
  };
  const block = (keyFormatType: string, key: typeof pair.privateKey) => ({
    keyFormatType,
    keyMaterial: exportKeyMaterial(key, keyFormatType),
    cryptographicAlgorithm: desc.cryptographicAlgorithm,
    cryptographicLength: desc.cryptographicLength,
  });
  return [
    {
      uniqueIdentifier: privateId,
      objectType: 'PrivateKey',
      keyBlock: block('PKCS_8', pair.privateKey),
      attributes: {
        ...commonAttributes(r, pick(privateSide)),
        ...shared,
        Link: [{ LinkType: 'PublicKeyLink', LinkedObjectIdentifier: publicId }],
      },
      owner,
    },
    {
      uniqueIdentifier: publicId,
      objectType: 'PublicKey',
      keyBlock: block('X_509', pair.publicKey),
      attributes: {
        ...commonAttributes(r, pick(publicSide)),
        ...shared,
        Link: [{ LinkType: 'PrivateKeyLink', LinkedObjectIdentifier: privateId }],
      },
      owner,
    },
  ];
}

/**
 * A fresh key replacing a symmetric key (KMIP Re-key): same algorithm, length, usage and name,
 * new key material, active now, linked back to the key it replaces.
 */
export function rekeyedObject(old: ManagedObject, owner: string): NewManagedObject {
  if (old.objectType !== 'SymmetricKey') {
    throw new KeyholdError('invalid-argument', 'Only symmetric keys can be re-keyed here.', {
      reason: 'Invalid Object Type',
    });
  }
  const algorithm = old.attributes['CryptographicAlgorithm']?.[0];
  const length = old.attributes['CryptographicLength']?.[0];
  if (typeof algorithm !== 'string' || typeof length !== 'number') {
    throw new KeyholdError('illegal-state', 'The key has no algorithm or length to re-key with.');
  }
  const bytes = generateSymmetricKey(algorithm as SymmetricKeyAlgorithm, length);
  const attributes: Attributes = {
    CryptographicAlgorithm: [algorithm],
    CryptographicLength: [length],
    ActivationDate: [new Date()],
    Link: [{ LinkType: 'ReplacedObjectLink', LinkedObjectIdentifier: old.uniqueIdentifier }],
  };
  for (const keep of ['Name', 'CryptographicUsageMask']) {
    const v = old.attributes[keep];
    if (v) attributes[keep] = v;
  }
  return {
    objectType: 'SymmetricKey',
    keyBlock: {
      keyFormatType: 'Raw',
      keyMaterial: bytes,
      cryptographicAlgorithm: algorithm,
      cryptographicLength: length,
    },
    attributes,
    owner,
  };
}
