import { hkdfSync, pbkdf2Sync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { registerKmip } from '../../main/cli/commands/kmip.js';
import { KmipClient, KmipOperationError } from '../../main/client/kmip-client.js';
import { startVaultServer, type RunningServer } from '../../main/server/serve.js';
import { Vault } from '../../main/vault/index.js';

/**
 * Derive Key, Create Split Key and Join Split Key over mutual TLS against the server `keyhold
 * serve` runs (startVaultServer over a SQLCipher vault on disk, enrolled client certificates),
 * with Keyhold's client in KMIP 2.1 and 1.4, and the `keyhold kmip` subcommands.
 */

const DERIVE = 0x200;
const yesterday = new Date(Date.now() - 86_400_000);

let dir: string;
let vault: Vault;
let running: RunningServer;
let alice: KmipClient;
let alice14: KmipClient;
let bob: KmipClient;
const certFiles: Record<string, { cert: string; key: string; ca: string }> = {};

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'keyhold-derive-split-'));
  vault = await Vault.create(path.join(dir, 'vault'), {
    unlock: { kind: 'passphrase', passphrase: Buffer.from('derive split test') },
    sealOptions: { argon2: { memoryKiB: 64, iterations: 1, parallelism: 1 } },
  });
  running = await startVaultServer(vault, { host: '127.0.0.1', port: 0 });
  const port = running.server.port as number;
  const connect = async (name: string, version?: { major: number; minor: number }) => {
    const b = await running.control.enroll(name);
    const files = {
      cert: path.join(dir, `${name}.crt`),
      key: path.join(dir, `${name}.key`),
      ca: path.join(dir, 'ca.crt'),
    };
    writeFileSync(files.cert, b.certPem);
    writeFileSync(files.key, b.keyPem);
    writeFileSync(files.ca, b.caCertPem);
    certFiles[name] = files;
    return KmipClient.connect({
      host: '127.0.0.1',
      port,
      cert: b.certPem,
      key: b.keyPem,
      ca: b.caCertPem,
      timeoutMs: 20_000,
      ...(version ? { version } : {}),
    });
  };
  alice = await connect('alice');
  alice14 = await connect('alice14', { major: 1, minor: 4 });
  bob = await connect('bob');
}, 120_000);

afterAll(async () => {
  await Promise.all([alice?.close(), alice14?.close(), bob?.close()]);
  await running?.stop();
  await vault?.lock();
  rmSync(dir, { recursive: true, force: true });
});

const material = async (c: KmipClient, uid: string) => Buffer.from((await c.get(uid)).keyMaterial as Uint8Array);

async function registerSecret(c: KmipClient, bytes: Uint8Array, usage = DERIVE): Promise<string> {
  return c.registerKey('SecretData', bytes, { CryptographicUsageMask: [usage], ActivationDate: [yesterday] });
}

describe('Derive Key over TLS against the vault-backed server', () => {
  it('PBKDF2 (2.1) and HKDF: the keys equal node:crypto; links both ways are in the vault', async () => {
    const pw = await registerSecret(alice, Buffer.from('password'));
    const uid = await alice.deriveKey({
      objectType: 'SymmetricKey',
      baseIdentifiers: [pw],
      method: 'PBKDF2',
      parameters: { HashingAlgorithm: 'SHA_256' },
      salt: Buffer.from('NaCl'),
      iterationCount: 1000,
      attributes: { CryptographicAlgorithm: ['AES'], CryptographicLength: [256], CryptographicUsageMask: [12] },
    });
    expect(await material(alice, uid)).toEqual(pbkdf2Sync('password', 'NaCl', 1000, 32, 'sha256'));
    const attrs = await alice.getAttributes(uid);
    expect(attrs['Link']).toEqual([{ LinkType: 'DerivationBaseObjectLink', LinkedObjectIdentifier: pw }]);
    expect((await alice.getAttributes(pw))['Link']).toEqual([
      { LinkType: 'DerivedKeyLink', LinkedObjectIdentifier: uid },
    ]);
    const hk = await alice.deriveKey({
      objectType: 'SecretData',
      baseIdentifiers: [pw],
      method: 'HKDF',
      salt: Buffer.from('salt'),
      derivationData: Buffer.from('info'),
      attributes: { CryptographicLength: [384] },
    });
    expect(await material(alice, hk)).toEqual(
      Buffer.from(hkdfSync('sha256', Buffer.from('password'), 'salt', 'info', 48)),
    );
  });

  it('PBKDF2 in the 1.4 shape gives the RFC 6070 key', async () => {
    const pw = await registerSecret(alice14, Buffer.from('password'));
    const uid = await alice14.deriveKey({
      objectType: 'SecretData',
      baseIdentifiers: [pw],
      method: 'PBKDF2',
      salt: Buffer.from('salt'),
      iterationCount: 4096,
      attributes: { CryptographicLength: [160] },
    });
    expect((await material(alice14, uid)).toString('hex')).toBe('4b007901b765489abead49d926f721d065a429c1');
  });

  it('refuses a base key without Derive Key usage, and another client’s key', async () => {
    const noDerive = await registerSecret(alice, Buffer.from('k'), 12);
    const req = {
      objectType: 'SecretData' as const,
      baseIdentifiers: [noDerive],
      method: 'HASH',
      parameters: { HashingAlgorithm: 'SHA_256' },
      attributes: { CryptographicLength: [128] },
    };
    await expect(alice.deriveKey(req)).rejects.toMatchObject({ resultReason: 'IncompatibleCryptographicUsageMask' });
    await expect(alice14.deriveKey(req)).rejects.toBeInstanceOf(KmipOperationError);
    const mine = await registerSecret(alice, Buffer.from('mine'));
    await expect(bob.deriveKey({ ...req, baseIdentifiers: [mine] })).rejects.toMatchObject({
      resultReason: 'PermissionDenied',
    });
  });
});

describe('Create Split Key and Join Split Key over TLS against the vault-backed server', () => {
  it('splits an AES key 2-of-3 (GF(2^8)); every pair joins to it; one part is refused', async () => {
    const key = Buffer.from('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f', 'hex');
    const original = await alice.registerKey('SymmetricKey', key, { CryptographicUsageMask: [12] });
    const parts = await alice.createSplitKey({
      uniqueIdentifier: original,
      parts: 3,
      threshold: 2,
      method: 'PolynomialSharingGF_2_8',
    });
    expect(parts).toHaveLength(3);
    const got = await alice.get(parts[0] as string);
    expect(got.objectType).toBe('SplitKey');
    for (const pair of [
      [0, 1],
      [0, 2],
      [1, 2],
    ]) {
      const joined = await alice.joinSplitKey({
        objectType: 'SymmetricKey',
        uniqueIdentifiers: pair.map((i) => parts[i] as string),
      });
      expect(await material(alice, joined)).toEqual(key);
    }
    await expect(
      alice.joinSplitKey({ objectType: 'SymmetricKey', uniqueIdentifiers: [parts[2] as string] }),
    ).rejects.toMatchObject({ resultReason: 'CryptographicFailure' });
    await expect(
      bob.joinSplitKey({ objectType: 'SymmetricKey', uniqueIdentifiers: parts.slice(0, 2) }),
    ).rejects.toMatchObject({ resultReason: 'PermissionDenied' });
  });

  it('XOR 3-of-3 of a new key in 1.4; Prime Field is refused with Invalid Field', async () => {
    const parts = await alice14.createSplitKey({
      parts: 3,
      threshold: 3,
      method: 'XOR',
      attributes: { CryptographicAlgorithm: ['AES'], CryptographicLength: [128] },
    });
    const joined = await alice14.joinSplitKey({ objectType: 'SymmetricKey', uniqueIdentifiers: parts });
    const x = Buffer.alloc(16);
    for (const p of parts) (await material(alice14, p)).forEach((b, i) => (x[i] = (x[i] as number) ^ b));
    expect(await material(alice14, joined)).toEqual(x);
    await expect(
      alice.createSplitKey({
        parts: 3,
        threshold: 2,
        method: 'PolynomialSharingPrimeField',
        primeFieldSize: 2n ** 127n - 1n,
        attributes: { CryptographicAlgorithm: ['AES'], CryptographicLength: [128] },
      }),
    ).rejects.toMatchObject({ resultReason: 'InvalidField' });
  });

  it('Query lists the three operations', async () => {
    const q = await alice.query();
    expect(q.operations).toEqual(expect.arrayContaining(['DeriveKey', 'CreateSplitKey', 'JoinSplitKey']));
  });
});

describe('keyhold kmip derive-key / create-split-key / join-split-key', () => {
  async function kh(...args: string[]): Promise<Record<string, unknown>> {
    const f = certFiles['alice'] as { cert: string; key: string; ca: string };
    const program = new Command('keyhold').exitOverride();
    registerKmip(program);
    let out = '';
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out += chunk.toString();
      return true;
    });
    try {
      await program.parseAsync(
        [
          'kmip',
          '--server',
          `127.0.0.1:${running.server.port}`,
          '--cert',
          f.cert,
          '--key',
          f.key,
          '--ca',
          f.ca,
          '--json',
          ...args,
        ],
        { from: 'user' },
      );
    } finally {
      spy.mockRestore();
    }
    return JSON.parse(out) as Record<string, unknown>;
  }

  it('derives with PBKDF2, splits the result 2-of-3 and joins two parts back to it', async () => {
    const pw = await registerSecret(alice, Buffer.from('cli password'));
    const { uniqueIdentifier: derived } = (await kh(
      'derive-key',
      pw,
      '--method',
      'PBKDF2',
      '--hash',
      'SHA_256',
      '--salt',
      '0011223344556677',
      '--iterations',
      '100',
      '--length',
      '128',
    )) as { uniqueIdentifier: string };
    const key = await material(alice, derived);
    expect(key).toEqual(pbkdf2Sync('cli password', Buffer.from('0011223344556677', 'hex'), 100, 16, 'sha256'));
    const { uniqueIdentifiers: parts } = (await kh(
      'create-split-key',
      '--uid',
      derived,
      '--parts',
      '3',
      '--threshold',
      '2',
    )) as { uniqueIdentifiers: string[] };
    expect(parts).toHaveLength(3);
    const { uniqueIdentifier: joined } = (await kh('join-split-key', parts[2] as string, parts[0] as string)) as {
      uniqueIdentifier: string;
    };
    expect(await material(alice, joined)).toEqual(key);
  });
});
