import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DEFAULT_ARGON2, Vault, type NewManagedObject } from '../../main/vault/index.js';
import { encodeAttributes, encodeMaterial } from '../../main/vault/codec.js';
import { initialAttributes } from '../../main/vault/lifecycle.js';
import { deriveKek } from '../../main/vault/passphrase-slot.js';
import { indexRowsOf } from '../../main/vault/rows.js';

/**
 * Vault benchmark: insert rate (batched and one by one), Locate latency by name and by
 * attribute filter, open time without the KDF, file size per object; at 10k and 100k objects
 * filled through the Vault API, and at 1M when KEYHOLD_BENCH_VAULT_1M=1. The step from 100k to
 * 1M is filled by SQL inside SQLCipher (the same rows, index rows and one audit row per object
 * as the API writes, but audit hashes random) because the API fill runs at a few hundred to a
 * few thousand objects/s on the 2-CPU reference machine; KEYHOLD_BENCH_VAULT_1M=api fills
 * through the API instead. Also the Argon2id time of the default passphrase slot parameters.
 */
const PASSPHRASE = 'bench';
const CHEAP = { argon2: { memoryKiB: 64, iterations: 1, parallelism: 1 } };
const BATCH = 5000;

function object(i: number): NewManagedObject {
  return {
    objectType: 'SymmetricKey',
    owner: '',
    keyBlock: {
      keyFormatType: 'Raw',
      keyMaterial: randomBytes(32),
      cryptographicAlgorithm: 'AES',
      cryptographicLength: 256,
    },
    attributes: {
      Name: [{ NameValue: `key-${i}`, NameType: 'UninterpretedTextString' }],
      CryptographicAlgorithm: ['AES'],
      CryptographicLength: [i % 2 === 0 ? 256 : 128],
      CryptographicUsageMask: [12],
      ObjectGroup: [`group-${i % 100}`],
      'x-app': [`app-${i % 1000}`],
    },
  };
}

function stats(ms: number[]): string {
  const s = [...ms].sort((a, b) => a - b);
  const q = (p: number) => (s[Math.min(s.length - 1, Math.floor(p * s.length))] as number).toFixed(3);
  return `median ${q(0.5)} ms, p95 ${q(0.95)} ms, max ${(s[s.length - 1] as number).toFixed(3)} ms (n=${s.length})`;
}

async function timeQueries(n: number, run: (i: number) => Promise<number>): Promise<{ line: string; found: number }> {
  const times: number[] = [];
  let found = 0;
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    found += await run(i);
    times.push(performance.now() - t);
  }
  return { line: stats(times), found };
}

function fileBytes(vaultPath: string): number {
  let total = 0;
  for (const f of ['vault.db', 'vault.db-wal']) {
    try {
      total += statSync(path.join(vaultPath, f)).size;
    } catch {
      // no WAL after a clean lock
    }
  }
  return total;
}

/** SQL text literal. */
function lit(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/**
 * Adds objects [from, to) by SQL, with the API's row shapes: the attributes JSON of object(i),
 * its names, groups and attr_index rows (x-app; Last Change Date is not indexed), and one audit row each.
 */
export async function fillBySql(vault: Vault, from: number, to: number): Promise<void> {
  const now = new Date();
  const template = object(0);
  template.attributes = {
    ...initialAttributes(template.attributes, now),
    Name: [{ NameValue: '@NAME@', NameType: 'UninterpretedTextString' }],
    CryptographicLength: [999999],
    ObjectGroup: ['@GROUP@'],
    'x-app': ['@APP@'],
    LastChangeDate: [now],
  };
  const indexed = indexRowsOf(template.attributes).map((r) => r.name);
  if ([...indexed].sort().join() !== 'x-app') {
    throw new Error(`bench template indexes ${indexed.join()}; update fillBySql`);
  }
  const attributes = encodeAttributes(template.attributes);
  const material =
    encodeMaterial({ keyBlock: template.keyBlock as NonNullable<NewManagedObject['keyBlock']> })?.toString('utf8') ??
    '';
  const step = 100_000;
  for (let a = from; a < to; a += step) {
    const b = Math.min(to, a + step);
    await vault.transaction(async () => {
      await vault.unsafeExec(`CREATE TEMP TABLE IF NOT EXISTS fill_mark (seq INTEGER);
        DELETE FROM fill_mark; INSERT INTO fill_mark SELECT coalesce(max(seq), 0) FROM objects;
        WITH RECURSIVE n(i) AS (SELECT ${a} UNION ALL SELECT i + 1 FROM n WHERE i < ${b - 1})
        INSERT INTO objects (uid, object_type, state, owner, algorithm, length, usage_mask, initial_date, archived, attributes, material)
        SELECT lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-8'
                 || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6))),
               'SymmetricKey', 'PreActive', 'bench', 'AES', CASE WHEN i % 2 = 0 THEN 256 ELSE 128 END, 12, ${now.getTime()}, 0,
               replace(replace(replace(replace(${lit(attributes)}, '@NAME@', 'key-' || i), '@GROUP@', 'group-' || (i % 100)),
                 '@APP@', 'app-' || (i % 1000)), '999999', CASE WHEN i % 2 = 0 THEN '256' ELSE '128' END),
               CAST(${lit(material)} AS BLOB)
        FROM n;
        INSERT INTO names (name, seq) SELECT json_extract(attributes, '$.Name[0].NameValue'), seq FROM objects WHERE seq > (SELECT seq FROM fill_mark);
        INSERT INTO groups (grp, seq) SELECT json_extract(attributes, '$.ObjectGroup[0]'), seq FROM objects WHERE seq > (SELECT seq FROM fill_mark);
        INSERT INTO attr_index (name, value, seq, idx)
          SELECT 'x-app', json_quote(json_extract(attributes, '$."x-app"[0]')), seq, 0 FROM objects WHERE seq > (SELECT seq FROM fill_mark);
        INSERT INTO audit (seq, time, identity, operation, object, result, detail, prev_hash, hash)
          SELECT (SELECT coalesce(max(seq), 0) FROM audit) + row_number() OVER (ORDER BY seq), ${now.getTime()}, 'bench', 'Register', uid,
                 'Success', NULL, lower(hex(randomblob(32))), lower(hex(randomblob(32)))
          FROM objects WHERE seq > (SELECT seq FROM fill_mark);`);
    });
  }
}

export async function bench(): Promise<void> {
  const kdf: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    (await deriveKek(Buffer.from('passphrase'), randomBytes(16), DEFAULT_ARGON2)).fill(0);
    kdf.push(performance.now() - t);
  }
  console.log(
    `Argon2id default (${DEFAULT_ARGON2.memoryKiB} KiB, ${DEFAULT_ARGON2.iterations} passes, p=${DEFAULT_ARGON2.parallelism}): ${kdf
      .map((t) => `${(t / 1000).toFixed(2)} s`)
      .join(', ')}`,
  );

  const sizes = [10_000, 100_000];
  const million = process.env['KEYHOLD_BENCH_VAULT_1M'];
  if (million === '1' || million === 'api') sizes.push(1_000_000);
  const dir = mkdtempSync(path.join(tmpdir(), 'keyhold-vault-bench-'));
  const vaultPath = path.join(dir, 'bench.kvault');
  const open = () => Vault.open(vaultPath, { unlock: { kind: 'passphrase', passphrase: PASSPHRASE } });
  try {
    let vault = await Vault.create(vaultPath, {
      unlock: { kind: 'passphrase', passphrase: PASSPHRASE },
      sealOptions: CHEAP,
    });
    let count = 0;
    for (const size of sizes) {
      const t0 = performance.now();
      const start = count;
      const bySql = size > 100_000 && million !== 'api';
      if (bySql) {
        await fillBySql(vault, count, size);
        count = size;
        // The SQL rows moved the audit head: reopen so the vault reads it again.
        await vault.lock();
        vault = await open();
      }
      while (count < size) {
        const n = Math.min(BATCH, size - count);
        await vault.insertMany(
          Array.from({ length: n }, (_, k) => object(count + k)),
          'bench',
        );
        count += n;
      }
      const fillS = (performance.now() - t0) / 1000;
      console.log(`\n-- ${size} objects --`);
      if (bySql)
        console.log(`filled ${count - start} objects by SQL in ${fillS.toFixed(0)} s (not an API insert rate)`);
      else console.log(`insert, batches of ${BATCH} per transaction: ${Math.round((count - start) / fillS)} objects/s`);

      const singles = 200;
      const t1 = performance.now();
      for (let k = 0; k < singles; k++) await vault.insert(object(10_000_000 + size + k), 'bench');
      console.log(
        `insert, one per transaction (synchronous=FULL): ${Math.round(singles / ((performance.now() - t1) / 1000))} objects/s`,
      );

      const byName = await timeQueries(300, async (i) => {
        const r = await vault.locate({ attributes: { Name: [`key-${(i * 7919) % size}`] } });
        return r.uniqueIdentifiers.length;
      });
      console.log(`Locate by name (exact): ${byName.line}; found ${byName.found}/300`);
      const byPrefix = await timeQueries(100, async (i) => {
        const r = await vault.locate({ attributes: { Name: [`key-${(i * 7919) % size}*`] }, maximumItems: 10 });
        return r.uniqueIdentifiers.length;
      });
      console.log(`Locate by name wildcard "key-N*" (Maximum Items 10): ${byPrefix.line}`);
      const byAttr = await timeQueries(100, async (i) => {
        const r = await vault.locate({
          attributes: { ObjectType: ['SymmetricKey'], CryptographicLength: [256], 'x-app': [`app-${(i * 2) % 1000}`] },
          maximumItems: 10,
        });
        return r.uniqueIdentifiers.length;
      });
      console.log(
        `Locate by type + length + custom attribute (Maximum Items 10): ${byAttr.line}; found ${byAttr.found}`,
      );
      const byGroup = await timeQueries(100, async (i) => {
        const r = await vault.locate({
          attributes: { ObjectGroup: [`group-${i % 100}`], State: ['PreActive'] },
          maximumItems: 10,
        });
        return r.uniqueIdentifiers.length;
      });
      console.log(`Locate by group + state (Maximum Items 10): ${byGroup.line}`);
      // An attribute with no index (rows.ts UNINDEXED) as the only filter, matching no object:
      // the worst case, every object's stored attributes are read.
      const unindexed = await timeQueries(5, async () => {
        const r = await vault.locate({
          attributes: { LastChangeDate: [new Date('2001-01-01T00:00:00Z'), new Date('2001-01-02T00:00:00Z')] },
          maximumItems: 10,
        });
        return r.uniqueIdentifiers.length;
      });
      console.log(`Locate by Last Change Date alone (not indexed, no match: reads every object): ${unindexed.line}`);

      await vault.lock();
      const bytes = fileBytes(vaultPath);
      console.log(
        `file size: ${(bytes / 1024 / 1024).toFixed(1)} MiB, ${Math.round(bytes / (count + singles))} bytes/object`,
      );
      const opens: number[] = [];
      for (let k = 0; k < 5; k++) {
        const t = performance.now();
        vault = await open();
        opens.push(performance.now() - t);
        if (k < 4) await vault.lock();
      }
      console.log(`open (KDF excluded: its slot uses 64 KiB, 1 pass): ${stats(opens)}`);
      count += singles;
    }
    await vault.lock();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
