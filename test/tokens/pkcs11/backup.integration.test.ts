import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ManagedObject } from '../../../main/vault/model.js';
import {
  backupObjects,
  copyKeysBetweenTokens,
  createKeyDomain,
  decrypt,
  encrypt,
  ensureKek,
  exportCapability,
  finalizeAllModules,
  generateKey,
  listBackupsOnToken,
  listObjects,
  openEscrow,
  openModule,
  parseBackup,
  provisionWithEscrow,
  restoreObjects,
  sign,
  storeBackupOnToken,
  verify,
  withTokenSession,
  type Pkcs11Module,
  type SessionOptions,
} from '../../../main/tokens/pkcs11/index.js';
import { SoftHsm } from '../softhsm.js';

const PIN = '1234';
const opts: SessionOptions = { pin: PIN };

describe('backup to tokens and key domains (SoftHSM2)', () => {
  let hsm: SoftHsm;
  let modules: Pkcs11Module[];
  const aesKey = randomBytes(32);
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const objects: ManagedObject[] = [
    {
      uniqueIdentifier: 'aes-1',
      objectType: 'SymmetricKey',
      owner: 'desktop:test',
      keyBlock: {
        keyFormatType: 'Raw',
        keyMaterial: new Uint8Array(aesKey),
        cryptographicAlgorithm: 'AES',
        cryptographicLength: 256,
      },
      attributes: {
        Name: [{ NameValue: 'db key', NameType: 'UninterpretedTextString' }],
        InitialDate: [new Date(1700000000000)],
        CryptographicUsageMask: [12],
      },
    },
    {
      uniqueIdentifier: 'rsa-1',
      objectType: 'PrivateKey',
      owner: 'desktop:test',
      keyBlock: {
        keyFormatType: 'PKCS8',
        keyMaterial: new Uint8Array(rsa.privateKey.export({ format: 'der', type: 'pkcs8' })),
        cryptographicAlgorithm: 'RSA',
        cryptographicLength: 2048,
      },
      attributes: { Serial: [123456789012345678901234567890n] },
    },
    {
      uniqueIdentifier: 'secret-1',
      objectType: 'SecretData',
      owner: 'desktop:test',
      keyBlock: { keyFormatType: 'TransparentSymmetricKey', keyMaterial: { Key: new Uint8Array([9, 8, 7]) } },
      attributes: {},
    },
    {
      uniqueIdentifier: 'cert-1',
      objectType: 'Certificate',
      owner: 'x',
      value: new Uint8Array([0x30, 0x03, 1, 2, 3]),
      valueType: 'X509',
      attributes: {},
    },
  ];

  beforeAll(() => {
    hsm = new SoftHsm();
    for (const l of ['one', 'two', 'other']) hsm.initToken(l, PIN, '12345678');
    modules = [openModule(hsm.module)];
  });
  afterAll(() => {
    finalizeAllModules();
    hsm.dispose();
  });

  it('backs vault objects up under an on-token KEK and restores them exactly; a changed byte is refused', async () => {
    const file = await withTokenSession(modules, { label: 'one' }, opts, (s) => {
      expect(exportCapability(s)).toMatchObject({ wrap: true, mode: 'wrap' });
      ensureKek(s);
      return backupObjects(s, objects);
    });
    const text = JSON.stringify(file, null, 2);
    expect(text).not.toContain(aesKey.toString('base64'));
    const parsed = parseBackup(text);
    expect(parsed).toMatchObject({
      format: 'keyhold-token-backup',
      version: 1,
      token: { label: 'one' },
      kek: { label: 'keyhold-kek' },
    });

    const restored = await withTokenSession(modules, { label: 'one' }, opts, (s) => restoreObjects(s, parsed));
    expect(restored).toEqual(objects);

    const tampered = parseBackup(text.replace('"db key"', '"dB key"'));
    await expect(withTokenSession(modules, { label: 'one' }, opts, (s) => restoreObjects(s, tampered))).rejects.toThrow(
      /altered/,
    );
    const dropped = { ...parsed, entries: parsed.entries.slice(1) };
    await expect(withTokenSession(modules, { label: 'one' }, opts, (s) => restoreObjects(s, dropped))).rejects.toThrow(
      /altered/,
    );
    expect(() => parseBackup(text.replace('"version": 1', '"version": 2'))).toThrow(/version 2 is not supported/);

    // A token without that KEK cannot open it.
    await withTokenSession(modules, { label: 'other' }, opts, (s) => void ensureKek(s));
    await expect(withTokenSession(modules, { label: 'other' }, opts, (s) => restoreObjects(s, parsed))).rejects.toThrow(
      /cannot open this backup/,
    );

    // Kept on the token as a data object, and read back.
    await withTokenSession(modules, { label: 'one' }, opts, (s) => storeBackupOnToken(s, file, 'backup-1'));
    const onToken = await withTokenSession(modules, { label: 'one' }, opts, (s) => listBackupsOnToken(s));
    expect(onToken.map((b) => b.label)).toEqual(['backup-1']);
    expect(await withTokenSession(modules, { label: 'one' }, opts, (s) => restoreObjects(s, onToken[0]!.file))).toEqual(
      objects,
    );
  });

  it('shares a KEK between two tokens (key domain): a backup from one restores on the other, and keys copy across', async () => {
    await createKeyDomain(
      modules,
      [
        { selector: { label: 'two' }, options: opts },
        { selector: { label: 'other' }, options: opts },
      ],
      'domain-kek',
    );
    const kekInfo = await withTokenSession(modules, { label: 'two' }, opts, (s) =>
      listObjects(s, { label: 'domain-kek' }),
    );
    expect(kekInfo[0]).toMatchObject({ extractable: false, sensitive: true });
    expect(kekInfo[0]!.usage).toEqual(expect.arrayContaining(['wrap', 'unwrap']));
    expect(kekInfo[0]!.usage).not.toContain('decrypt');

    const file = await withTokenSession(modules, { label: 'two' }, opts, (s) =>
      backupObjects(s, objects.slice(0, 1), 'domain-kek'),
    );
    expect(await withTokenSession(modules, { label: 'other' }, opts, (s) => restoreObjects(s, file))).toEqual(
      objects.slice(0, 1),
    );

    await withTokenSession(modules, { label: 'two' }, opts, (s) => {
      generateKey(s, { algorithm: 'EC', label: 'shared-ec', extractable: true });
      generateKey(s, { algorithm: 'AES', label: 'shared-aes', extractable: true });
      generateKey(s, { algorithm: 'AES', label: 'stuck', extractable: false });
    });
    const copied = await copyKeysBetweenTokens(
      modules,
      { selector: { label: 'two' }, options: opts },
      { selector: { label: 'other' }, options: opts },
      { label: 'shared-ec' },
      'domain-kek',
    );
    expect(copied).toEqual(['shared-ec']);
    await copyKeysBetweenTokens(
      modules,
      { selector: { label: 'two' }, options: opts },
      { selector: { label: 'other' }, options: opts },
      { label: 'shared-aes' },
      'domain-kek',
    );
    // The copy signs; the original verifies: the same key.
    const data = Buffer.from('same key on two tokens');
    const sig = await withTokenSession(modules, { label: 'other' }, opts, (s) =>
      sign(s, { label: 'shared-ec' }, 'ECDSA-SHA256', data),
    );
    expect(
      await withTokenSession(modules, { label: 'two' }, opts, (s) =>
        verify(s, { label: 'shared-ec' }, 'ECDSA-SHA256', data, sig),
      ),
    ).toBe(true);
    const copiedInfo = await withTokenSession(modules, { label: 'other' }, opts, (s) =>
      listObjects(s, { label: 'shared-aes' }),
    );
    expect(copiedInfo[0]).toMatchObject({ keyType: 'AES', sensitive: true });
    const iv = randomBytes(12);
    const ct = await withTokenSession(modules, { label: 'other' }, opts, (s) =>
      encrypt(s, { label: 'shared-aes' }, 'AES-GCM', data, iv),
    );
    const pt = await withTokenSession(modules, { label: 'two' }, opts, (s) =>
      decrypt(s, { label: 'shared-aes' }, 'AES-GCM', ct, iv),
    );
    expect(Buffer.from(pt).equals(data)).toBe(true);
    await expect(
      copyKeysBetweenTokens(
        modules,
        { selector: { label: 'two' }, options: opts },
        { selector: { label: 'other' }, options: opts },
        { label: 'stuck' },
        'domain-kek',
      ),
    ).rejects.toThrow(/not extractable/);
  });

  it('provisions the same key into two tokens with an encrypted escrow (the path for tokens that cannot export)', async () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const der = ec.privateKey.export({ format: 'der', type: 'pkcs8' });
    const { escrow, imported } = await provisionWithEscrow(
      modules,
      [
        { selector: { label: 'one' }, options: opts },
        { selector: { label: 'two' }, options: opts },
      ],
      { kind: 'pkcs8', der },
      { label: 'escrowed' },
      'escrow passphrase',
    );
    expect(imported.filter((i) => i.objectClass === 'PrivateKey').every((i) => i.extractable === false)).toBe(true);
    expect(escrow.tokens.map((t) => t.label)).toEqual(['one', 'two']);
    expect(JSON.stringify(escrow)).not.toContain(der.toString('base64').slice(40, 80));
    const back = await openEscrow(escrow, 'escrow passphrase');
    expect(back.kind === 'pkcs8' && Buffer.from(back.der).equals(der)).toBe(true);
    await expect(openEscrow(escrow, 'wrong passphrase')).rejects.toThrow(/wrong escrow passphrase/);
  });
});
