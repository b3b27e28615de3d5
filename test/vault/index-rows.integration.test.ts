import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { databasePath } from '../../main/vault/header.js';
import { UNINDEXED } from '../../main/vault/rows.js';
import { SqliteConnection, type SqlValue } from '../../main/vault/sqlite.js';
import { Vault } from '../../main/vault/index.js';
import { aesKey, createTempVault, PASSPHRASE, rawDataKey, type TempVaultPath } from './helpers.js';

/**
 * Attributes the server sets on every object (rows.ts UNINDEXED) have no attr_index rows:
 * Locate matches them in the stored attributes JSON, with the rules of the indexed ones.
 */
let tmp: TempVaultPath;
let vault: Vault;

beforeEach(async () => {
  ({ tmp, vault } = await createTempVault());
});

afterEach(async () => {
  await vault.lock();
  tmp.cleanup();
});

const day = (d: number) => new Date(Date.UTC(2026, 0, d));

/** Two keys that differ in every UNINDEXED attribute a Create sets. */
async function twoKeys(): Promise<{ a: string; b: string }> {
  const a = await vault.insert(
    aesKey('a', {
      Sensitive: [true],
      AlwaysSensitive: [true],
      Extractable: [false],
      NeverExtractable: [true],
      Fresh: [true],
      KeyFormatType: ['Raw'],
      LeaseTime: [3600],
      ProtectionStorageMask: [1],
      RandomNumberGenerator: [{ RNGAlgorithm: 'DRBG', CryptographicAlgorithm: 'AES', CryptographicLength: 256 }],
      OriginalCreationDate: [day(1)],
      Digest: [{ HashingAlgorithm: 'SHA_256', DigestValue: new Uint8Array([1, 2, 3]), KeyFormatType: 'Raw' }],
      ShortUniqueIdentifier: [new Uint8Array([0xa1, 0xa2])],
      Link: [{ LinkType: 'PublicKeyLink', LinkedObjectIdentifier: 'pub-a' }],
    }),
    'alice',
  );
  const b = await vault.insert(
    aesKey('b', {
      Sensitive: [false],
      AlwaysSensitive: [false],
      Extractable: [true],
      NeverExtractable: [false],
      Fresh: [false],
      KeyFormatType: ['TransparentSymmetricKey'],
      LeaseTime: [60],
      ProtectionStorageMask: [2],
      RandomNumberGenerator: [{ RNGAlgorithm: 'ANSIX931', CryptographicAlgorithm: 'AES', CryptographicLength: 128 }],
      OriginalCreationDate: [day(3)],
      Digest: [{ HashingAlgorithm: 'SHA_256', DigestValue: new Uint8Array([4, 5, 6]), KeyFormatType: 'Raw' }],
      ShortUniqueIdentifier: [new Uint8Array([0xb1, 0xb2])],
    }),
    'alice',
  );
  return { a, b };
}

const ids = async (attributes: Record<string, unknown[]>, extra: object = {}) =>
  (await vault.locate({ attributes: attributes as never, ...extra })).uniqueIdentifiers;

/** Runs `work` on the locked vault's database, opened with the raw key. */
async function withDatabase<T>(work: (conn: SqliteConnection) => Promise<T>): Promise<T> {
  const key = await rawDataKey(tmp.vaultPath);
  const conn = await SqliteConnection.open(databasePath(tmp.vaultPath), false);
  try {
    await conn.key(key);
    return await work(conn);
  } finally {
    key.fill(0);
    await conn.close();
  }
}

async function indexNames(): Promise<string[]> {
  await vault.lock();
  const rows = await withDatabase((conn) => conn.all<{ name: string }>('SELECT DISTINCT name FROM attr_index'));
  vault = await Vault.open(tmp.vaultPath, { unlock: { kind: 'passphrase', passphrase: PASSPHRASE } });
  return rows.map((r) => r.name).sort();
}

describe('attributes without index rows', () => {
  it('are found by Locate with the rules of the indexed ones', async () => {
    const { a, b } = await twoKeys();
    expect(await ids({ Sensitive: [true] })).toEqual([a]);
    expect(await ids({ Sensitive: [false] })).toEqual([b]);
    expect(await ids({ AlwaysSensitive: [true], NeverExtractable: [true], Extractable: [false] })).toEqual([a]);
    expect(await ids({ Fresh: [false] })).toEqual([b]);
    expect(await ids({ KeyFormatType: ['Raw'] })).toEqual([a]);
    expect(await ids({ LeaseTime: [60] })).toEqual([b]);
    expect(await ids({ ProtectionStorageMask: [1] })).toEqual([a]);
    // Types are kept: a number is not its text, a boolean not the number 1.
    expect(await ids({ LeaseTime: ['60'] })).toEqual([]);
    expect(await ids({ ProtectionStorageMask: [true] })).toEqual([]);
    expect(await ids({ Sensitive: [1] })).toEqual([]);
    // A structure matches on the fields given, all in one instance; no field: any instance.
    expect(await ids({ RandomNumberGenerator: [{ RNGAlgorithm: 'DRBG' }] })).toEqual([a]);
    expect(await ids({ RandomNumberGenerator: [{ CryptographicLength: 128 }] })).toEqual([b]);
    expect(await ids({ RandomNumberGenerator: [{ RNGAlgorithm: 'DRBG', CryptographicLength: 128 }] })).toEqual([]);
    expect(await ids({ RandomNumberGenerator: [{}] })).toEqual([b, a]);
    // Byte Strings, alone and as a structure's field.
    expect(await ids({ ShortUniqueIdentifier: [new Uint8Array([0xb1, 0xb2])] })).toEqual([b]);
    expect(await ids({ ShortUniqueIdentifier: [new Uint8Array([0xb1])] })).toEqual([]);
    expect(await ids({ Digest: [{ DigestValue: new Uint8Array([1, 2, 3]) }] })).toEqual([a]);
    expect(await ids({ Digest: [{ HashingAlgorithm: 'SHA_256', DigestValue: new Uint8Array([4, 5, 6]) }] })).toEqual([
      b,
    ]);
    expect(await ids({ Digest: [{ HashingAlgorithm: 'SHA_1', DigestValue: new Uint8Array([4, 5, 6]) }] })).toEqual([]);
    // One date is equality, two a range with the limits included.
    expect(await ids({ OriginalCreationDate: [day(1)] })).toEqual([a]);
    expect(await ids({ OriginalCreationDate: [day(2)] })).toEqual([]);
    expect(await ids({ OriginalCreationDate: [day(3), day(1)] })).toEqual([b, a]);
    expect(await ids({ OriginalCreationDate: [day(2), day(4)] })).toEqual([b]);
    // The vault sets Last Change Date on every write.
    const later = new Date(Date.now() + 60_000);
    expect(await ids({ LastChangeDate: [day(1), later] })).toEqual([b, a]);
    expect(await ids({ LastChangeDate: [day(1), day(4)] })).toEqual([]);
    // Together with indexed filters, owner and paging.
    expect(await ids({ Name: ['a'], Sensitive: [true] })).toEqual([a]);
    expect(await ids({ Name: ['a'], Sensitive: [false] })).toEqual([]);
    expect(await ids({ Sensitive: [true] }, { owner: 'bob' })).toEqual([]);
    expect(await vault.locate({ attributes: { Fresh: [true, true] } as never, countLocated: true })).toEqual({
      uniqueIdentifiers: [a],
      locatedItems: 1,
    });
    expect(await ids({ AlwaysSensitive: [{ x: 1 }] })).toEqual([]);
  });

  it('are never written to attr_index, and a structure is indexed by its fields only', async () => {
    const { a } = await twoKeys();
    const names = await indexNames();
    expect(names.filter((n) => UNINDEXED.has(n.split('.')[0]!))).toEqual([]);
    expect(names).toEqual(['Link.LinkType', 'Link.LinkedObjectIdentifier']);
    // Still found by the fields and by "has a Link".
    expect(await ids({ Link: [{ LinkedObjectIdentifier: 'pub-a' }] })).toEqual([a]);
    expect(await ids({ Link: [{}] })).toEqual([a]);
  });

  it('keeps the index rows right when an update adds, changes and removes instances', async () => {
    const { a, b } = await twoKeys();
    await vault.setAttributes(
      a,
      {
        'x-app': ['billing', 'audit'],
        Name: [{ NameValue: 'a2', NameType: 'UninterpretedTextString' }],
        ObjectGroup: ['g'],
        Fresh: [false],
      },
      'alice',
    );
    expect(await ids({ 'x-app': ['audit'] })).toEqual([a]);
    expect(await ids({ Name: ['a'] })).toEqual([]);
    expect(await ids({ Name: ['a2'] })).toEqual([a]);
    expect(await ids({ ObjectGroup: ['g'] })).toEqual([a]);
    expect(await ids({ Fresh: [false] })).toEqual([b, a]);
    await vault.setAttributes(a, { 'x-app': ['audit'], ObjectGroup: [], Link: [] }, 'alice');
    expect(await ids({ 'x-app': ['billing'] })).toEqual([]);
    // The remaining instance moved from index 1 to 0: found, and only once.
    expect(await ids({ 'x-app': ['audit'] })).toEqual([a]);
    expect(await ids({ ObjectGroup: ['g'] })).toEqual([]);
    expect(await ids({ Link: [{}] })).toEqual([]);
    expect(await indexNames()).toEqual(['x-app']);
  });

  it('are dropped from attr_index when a schema 1 vault opens, and still found', async () => {
    const a = await vault.insert(
      aesKey('a', {
        Sensitive: [true],
        RandomNumberGenerator: [{ RNGAlgorithm: 'DRBG' }],
        Link: [{ LinkType: 'PublicKeyLink', LinkedObjectIdentifier: 'pub-a' }],
        'x-blob': [new Uint8Array([1, 2])],
        'x-struct-only-whole': [{}],
      }),
      'alice',
    );
    await vault.lock();
    // The rows schema 1 wrote for this object.
    await withDatabase(async (conn) => {
      const seq = (await conn.get<{ seq: number }>('SELECT seq FROM objects WHERE uid = ?', [a]))!.seq;
      const old: SqlValue[][] = [
        ['UniqueIdentifier', JSON.stringify(a)],
        ['ObjectType', '"SymmetricKey"'],
        ['Sensitive', 'true'],
        ['RandomNumberGenerator', '{"RNGAlgorithm":"DRBG"}'],
        ['RandomNumberGenerator.RNGAlgorithm', '"DRBG"'],
        ['Link', '{"LinkType":"PublicKeyLink","LinkedObjectIdentifier":"pub-a"}'],
        ['LastChangeDate', 'd:000001767225600'],
        ['Digest.HashingAlgorithm', '"SHA_256"'],
        ['ShortUniqueIdentifier', '{"$bytes":"AQI="}'],
      ];
      for (const [name, value] of old) {
        await conn.run('INSERT INTO attr_index (name, value, seq, idx) VALUES (?, ?, ?, 0)', [name!, value!, seq]);
      }
      await conn.exec('PRAGMA user_version = 1');
    });
    vault = await Vault.open(tmp.vaultPath, { unlock: { kind: 'passphrase', passphrase: PASSPHRASE } });
    await vault.lock();
    const rows = await withDatabase((conn) =>
      conn.all<{ name: string; value: string }>('SELECT name, value FROM attr_index ORDER BY name'),
    );
    expect(rows.map((r) => r.name)).toEqual([
      'Link.LinkType',
      'Link.LinkedObjectIdentifier',
      'x-blob',
      'x-struct-only-whole',
    ]);
    expect(await withDatabase((conn) => conn.once<{ user_version: number }>('PRAGMA user_version'))).toEqual([
      { user_version: 2 },
    ]);
    vault = await Vault.open(tmp.vaultPath, { unlock: { kind: 'passphrase', passphrase: PASSPHRASE } });
    expect(await ids({ Sensitive: [true] })).toEqual([a]);
    expect(await ids({ RandomNumberGenerator: [{ RNGAlgorithm: 'DRBG' }] })).toEqual([a]);
    expect(await ids({ Link: [{ LinkType: 'PublicKeyLink' }] })).toEqual([a]);
    expect(await ids({ 'x-blob': [new Uint8Array([1, 2])] })).toEqual([a]);
    expect(await ids({ 'x-struct-only-whole': [{}] })).toEqual([a]);
  });

  it('keeps only dated objects in the activation and deactivation indexes, which date filters use', async () => {
    const dated = await vault.insert(
      aesKey('dated', { ActivationDate: [day(2)], DeactivationDate: [day(5)] }),
      'alice',
    );
    await vault.insert(aesKey('undated'), 'alice');
    for (const name of ['ActivationDate', 'DeactivationDate']) {
      const range = { attributes: { [name]: [day(1), day(9)] } as never };
      expect((await vault.locate(range)).uniqueIdentifiers).toEqual([dated]);
      const index = name === 'ActivationDate' ? 'objects_activation' : 'objects_deactivation';
      expect((await vault.explainLocate(range)).join('\n')).toContain(index);
    }
    await vault.lock();
    const counts = await withDatabase(async (conn) => [
      await conn.all(
        'SELECT count(*) AS n FROM objects INDEXED BY objects_activation WHERE activation_date IS NOT NULL',
      ),
      await conn.all(
        "SELECT sql FROM sqlite_master WHERE name IN ('objects_activation', 'objects_deactivation') ORDER BY name",
      ),
    ]);
    vault = await Vault.open(tmp.vaultPath, { unlock: { kind: 'passphrase', passphrase: PASSPHRASE } });
    expect(counts[0]).toEqual([{ n: 1 }]);
    expect(counts[1]!.map((r) => String(r['sql']))).toEqual([
      expect.stringContaining('WHERE activation_date IS NOT NULL'),
      expect.stringContaining('WHERE deactivation_date IS NOT NULL'),
    ]);
  });
});
