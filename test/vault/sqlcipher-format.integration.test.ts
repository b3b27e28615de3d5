import { readFileSync, writeFileSync } from 'node:fs';
import sqlcipher from '@journeyapps/sqlcipher';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { databasePath } from '../../main/vault/header.js';
import { Vault } from '../../main/vault/index.js';
import { aesKey, createTempVault, PASSPHRASE, rawDataKey, type TempVaultPath } from './helpers.js';

/**
 * The vault's database is the SQLCipher 4 format, checked against SQLCipher itself (the
 * @journeyapps/sqlcipher build of SQLCipher 4 community, a dev dependency kept for this): it
 * reads what Keyhold writes, and Keyhold reads what it writes (vaults made before Keyhold moved
 * to its synchronous binding).
 */
let tmp: TempVaultPath;

beforeEach(async () => {
  const t = await createTempVault();
  tmp = t.tmp;
  for (let i = 0; i < 20; i++) await t.vault.insert(aesKey(`k${i}`), 'alice');
  await t.vault.lock();
});

afterEach(() => tmp.cleanup());

/** Runs statements in order on the vault's database opened by SQLCipher with the raw key. */
async function withSqlcipher(statements: string[]): Promise<unknown[][]> {
  const key = await rawDataKey(tmp.vaultPath);
  const db = new sqlcipher.Database(databasePath(tmp.vaultPath));
  const all = (sql: string) =>
    new Promise<unknown[]>((resolve, reject) =>
      db.all(sql, (e: Error | null, rows: unknown[]) => (e ? reject(e) : resolve(rows))),
    );
  try {
    await all(`PRAGMA key = "x'${key.toString('hex')}'"`);
    const out: unknown[][] = [];
    for (const s of statements) out.push(await all(s));
    return out;
  } finally {
    key.fill(0);
    await new Promise<void>((resolve) => db.close(() => resolve()));
  }
}

describe('the vault database and SQLCipher 4', () => {
  it('SQLCipher reads a database Keyhold wrote, and finds every page authentic', async () => {
    const [integrity, objects, audit] = await withSqlcipher([
      'PRAGMA cipher_integrity_check',
      'SELECT count(*) AS n FROM objects',
      'SELECT count(*) AS n FROM audit',
    ]);
    expect(integrity).toEqual([]);
    expect(objects).toEqual([{ n: 20 }]);
    expect((audit?.[0] as { n: number }).n).toBeGreaterThanOrEqual(21);
  });

  it('Keyhold opens a database SQLCipher rewrote page by page, chain intact', async () => {
    // VACUUM makes SQLCipher write every page afresh (new IVs and HMACs).
    await withSqlcipher(['VACUUM']);
    const vault = await Vault.open(tmp.vaultPath, { unlock: { kind: 'passphrase', passphrase: PASSPHRASE } });
    try {
      expect((await vault.locate({ attributes: { Name: ['k*'] } })).uniqueIdentifiers).toHaveLength(20);
      expect((await vault.verifyAudit()).ok).toBe(true);
      expect((await vault.verify()).databaseProblems).toEqual([]);
    } finally {
      await vault.lock();
    }
  });

  it('a database keyed with another key is refused by SQLCipher too', async () => {
    const db = new sqlcipher.Database(databasePath(tmp.vaultPath));
    const run = (sql: string) =>
      new Promise<void>((resolve, reject) => db.all(sql, (e: Error | null) => (e ? reject(e) : resolve())));
    try {
      await run(`PRAGMA key = "x'${'00'.repeat(32)}'"`);
      await expect(run('SELECT count(*) FROM objects')).rejects.toThrow(/not a database/);
    } finally {
      await new Promise<void>((resolve) => db.close(() => resolve()));
    }
  });
});

describe('verify checks every page of the file, free ones too', () => {
  it('finds a damaged free page exactly where SQLCipher cipher_integrity_check does', async () => {
    let vault = await Vault.open(tmp.vaultPath, { unlock: { kind: 'passphrase', passphrase: PASSPHRASE } });
    // A table filled and dropped leaves its pages at the end of the file, on the free list:
    // SQLite's quick_check never reads them.
    await vault.unsafeExec(
      'CREATE TABLE filler (b BLOB); ' +
        'WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 60) ' +
        'INSERT INTO filler SELECT randomblob(3000) FROM n; DROP TABLE filler',
    );
    await vault.lock();
    const file = databasePath(tmp.vaultPath);
    const bytes = readFileSync(file);
    const lastPage = bytes.length / 4096;
    bytes[bytes.length - 200] = (bytes[bytes.length - 200] as number) ^ 0x01;
    writeFileSync(file, bytes);

    const [sqlcipherSays] = await withSqlcipher(['PRAGMA cipher_integrity_check']);
    expect(JSON.stringify(sqlcipherSays)).toContain(`page ${lastPage}`);

    vault = await Vault.open(tmp.vaultPath, { unlock: { kind: 'passphrase', passphrase: PASSPHRASE } });
    try {
      expect((await vault.locate({ attributes: { Name: ['k*'] } })).uniqueIdentifiers).toHaveLength(20);
      expect((await vault.verify()).databaseProblems).toEqual([`page ${lastPage}: HMAC check failed`]);
    } finally {
      await vault.lock();
    }
  });
});
