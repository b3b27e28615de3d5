import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DEFAULT_ARGON2, Vault, type NewManagedObject } from '../../main/vault/index.js';
import { deriveKek } from '../../main/vault/passphrase-slot.js';

/**
 * Vault benchmark: insert rate (batched and one by one), Locate latency by name and by
 * attribute filter, open time without the KDF, file size per object; at 10k and 100k objects,
 * and 1M when KEYHOLD_BENCH_VAULT_1M=1 (about 3-5 minutes more to fill).
 * Also the Argon2id time of the default passphrase slot parameters.
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
  if (process.env['KEYHOLD_BENCH_VAULT_1M'] === '1') sizes.push(1_000_000);
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
      console.log(`insert, batches of ${BATCH} per transaction: ${Math.round((count - start) / fillS)} objects/s`);

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
