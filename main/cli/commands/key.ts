import type { Command } from 'commander';
import { KeyholdError } from '../../../shared/errors.js';
import {
  generateKeyPair,
  generateSymmetricKey,
  keyPairObjects,
  symmetricKeyObject,
  type SymmetricKeyAlgorithm,
} from '../../crypto/index.js';
import { cliIdentity, withVault, withVaultOptions, type VaultCliOptions } from '../vault-options.js';
import { keyPairSpec, withProgress } from './support.js';

const SYMMETRIC: Record<string, SymmetricKeyAlgorithm> = {
  AES: 'AES',
  'HMAC-SHA1': 'HMAC_SHA1',
  'HMAC-SHA256': 'HMAC_SHA256',
  'HMAC-SHA384': 'HMAC_SHA384',
  'HMAC-SHA512': 'HMAC_SHA512',
  CHACHA20: 'ChaCha20',
};

interface KeyCreateOptions extends VaultCliOptions {
  alg: string;
  length?: string;
  curve?: string;
  name?: string;
}

function parseLength(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0)
    throw new KeyholdError('invalid-argument', `--length ${v} is not a positive whole number`);
  return n;
}

/** `keyhold key create`: a symmetric key or a key pair in the vault; prints the Unique Identifiers. */
export function registerKey(program: Command): void {
  const key = program.command('key').description('Generate keys in the vault');
  withVaultOptions(
    key
      .command('create')
      .description('Generate a key; prints its Unique Identifier (a key pair: private, then public)')
      .requiredOption('--alg <alg>', 'AES, HMAC-SHA256 (HMAC-SHA1/384/512), RSA, EC, Ed25519, X25519, Ed448, X448')
      .option('--length <bits>', 'key length (AES 128/192/256, RSA 2048/3072/4096, HMAC key bits)')
      .option('--curve <curve>', 'EC curve: P-256, P-384, P-521')
      .option('--name <name>', 'KMIP Name of the new object'),
  ).action(async (o: KeyCreateOptions) => {
    const length = parseLength(o.length);
    const spec = keyPairSpec(o.alg, length, o.curve);
    const activationDate = new Date();
    if (spec) {
      const label = `generating ${spec.algorithm}${'length' in spec ? `-${spec.length}` : 'curve' in spec ? ` ${spec.curve}` : ''} key pair`;
      const pair = await withProgress(label, () => generateKeyPair(spec));
      const objects = keyPairObjects(pair.privateKey, { name: o.name, activationDate });
      const ids = await withVault(o, (v) => v.insertMany(objects, cliIdentity(), 'CreateKeyPair'));
      process.stdout.write(`${ids.join('\n')}\n`);
      return;
    }
    const algorithm = SYMMETRIC[o.alg.toUpperCase()];
    if (!algorithm)
      throw new KeyholdError(
        'invalid-argument',
        `--alg ${o.alg} is not one of AES, HMAC-SHA256, RSA, EC, Ed25519, X25519`,
      );
    const bytes = generateSymmetricKey(algorithm, length);
    try {
      const object = symmetricKeyObject(bytes, algorithm, { name: o.name, activationDate });
      const id = await withVault(o, (v) => v.insert(object, cliIdentity(), 'Create'));
      process.stdout.write(`${id}\n`);
    } finally {
      bytes.fill(0);
    }
  });
}
