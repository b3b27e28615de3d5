import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KeyholdError } from '../../shared/errors.js';
import { Vault } from '../../main/vault/index.js';
import { aesKey, CHEAP_KDF, PASSPHRASE, tempVaultPath } from './helpers.js';

let tmp: ReturnType<typeof tempVaultPath>;

beforeEach(async () => {
  tmp = tempVaultPath();
  const v = await Vault.create(tmp.vaultPath, {
    unlock: { kind: 'passphrase', passphrase: PASSPHRASE },
    sealOptions: CHEAP_KDF,
  });
  await v.insertMany(
    Array.from({ length: 300 }, (_, i) => aesKey(`k${i}`)),
    'test',
  );
  await v.lock();
});

afterEach(() => tmp.cleanup());

const open = (p = tmp.vaultPath, passphrase = PASSPHRASE) =>
  Vault.open(p, { unlock: { kind: 'passphrase', passphrase } });

async function codeOf(p: Promise<Vault>): Promise<string> {
  try {
    const v = await p;
    await v.lock();
    return 'opened';
  } catch (e) {
    if (e instanceof KeyholdError) return e.code;
    throw e;
  }
}

function folderDigest(dir: string): string {
  const h = createHash('sha256');
  for (const f of readdirSync(dir).sort()) {
    h.update(f);
    h.update(readFileSync(path.join(dir, f)));
    h.update(String(statSync(path.join(dir, f)).mtimeMs));
  }
  return h.digest('hex');
}

describe('bad input and faults', () => {
  it('a wrong passphrase is a clear error and writes nothing', async () => {
    const before = folderDigest(tmp.vaultPath);
    await expect(open(tmp.vaultPath, 'wrong')).rejects.toMatchObject({
      code: 'wrong-passphrase',
      message: 'wrong passphrase',
    });
    expect(folderDigest(tmp.vaultPath)).toBe(before);
    expect(await codeOf(open())).toBe('opened');
  });

  it('a missing path, a plain file, an empty folder or a foreign header is not a vault', async () => {
    expect(await codeOf(open(path.join(tmp.dir, 'missing')))).toBe('not-a-vault');
    const file = path.join(tmp.dir, 'file.kvault');
    writeFileSync(file, 'hello');
    expect(await codeOf(open(file))).toBe('not-a-vault');
    const empty = path.join(tmp.dir, 'empty.kvault');
    mkdirSync(empty);
    expect(await codeOf(open(empty))).toBe('not-a-vault');
    writeFileSync(path.join(empty, 'vault.json'), '{"format":"something-else"}');
    expect(await codeOf(open(empty))).toBe('not-a-vault');
  });

  it('a corrupted header, a missing or truncated database is vault-corrupt', async () => {
    const header = path.join(tmp.vaultPath, 'vault.json');
    const good = readFileSync(header, 'utf8');
    writeFileSync(header, good.slice(0, good.length / 2));
    expect(await codeOf(open())).toBe('vault-corrupt');
    writeFileSync(header, good);

    const db = path.join(tmp.vaultPath, 'vault.db');
    const size = statSync(db).size;
    truncateSync(db, size - 100);
    expect(await codeOf(open())).toBe('vault-corrupt');
    truncateSync(db, Math.floor(size / 2 / 4096) * 4096);
    expect(await codeOf(open())).toBe('vault-corrupt');
    truncateSync(db, 0);
    expect(await codeOf(open())).toBe('vault-corrupt');
  });

  it('a tampered key slot or a slot from another vault does not unlock', async () => {
    const header = path.join(tmp.vaultPath, 'vault.json');
    const h = JSON.parse(readFileSync(header, 'utf8')) as {
      slots: { params: { iterations: number } }[];
      vaultId: string;
    };
    const slot = h.slots[0] as { params: { iterations: number } };
    slot.params.iterations = 2; // authenticated as associated data: any change fails the unwrap
    writeFileSync(header, JSON.stringify(h));
    expect(await codeOf(open())).toBe('wrong-passphrase');

    const other = tempVaultPath();
    try {
      const v = await Vault.create(other.vaultPath, {
        unlock: { kind: 'passphrase', passphrase: PASSPHRASE },
        sealOptions: CHEAP_KDF,
      });
      await v.lock();
      // The other vault's header next to this database: unwraps, but the key does not fit.
      writeFileSync(header, readFileSync(path.join(other.vaultPath, 'vault.json')));
      expect(await codeOf(open())).toBe('vault-corrupt');
    } finally {
      other.cleanup();
    }
  });

  it('a corrupted page inside the database is reported, never half-read silently', async () => {
    const db = path.join(tmp.vaultPath, 'vault.db');
    const bytes = readFileSync(db);
    const page = Math.floor(bytes.length / 4096 / 2);
    for (let i = 100; i < 200; i++) bytes[page * 4096 + i] = (bytes[page * 4096 + i] as number) ^ 0xff;
    writeFileSync(db, bytes);
    let problem: string | undefined;
    try {
      const v = await open();
      try {
        const verdict = await v.verify();
        problem = verdict.databaseProblems[0];
      } catch (e) {
        problem = e instanceof KeyholdError ? e.code : String(e);
      } finally {
        await v.lock();
      }
    } catch (e) {
      problem = e instanceof KeyholdError ? e.code : String(e);
    }
    expect(problem).toBeDefined();
  });

  it('a vault from a newer format or schema is vault-too-new', async () => {
    const v = await open();
    await v.unsafeExec('PRAGMA user_version = 99');
    await v.lock();
    expect(await codeOf(open())).toBe('vault-too-new');

    const header = path.join(tmp.vaultPath, 'vault.json');
    const h = JSON.parse(readFileSync(header, 'utf8')) as { formatVersion: number };
    h.formatVersion = 2;
    writeFileSync(header, JSON.stringify(h));
    expect(await codeOf(open())).toBe('vault-too-new');
  });

  it('a second opener of the same vault is told it is in use; lock frees it', async () => {
    const first = await open();
    expect(await codeOf(open())).toBe('vault-in-use');
    await first.lock();
    expect(await codeOf(open())).toBe('opened');
  });

  it('a locked vault refuses every call', async () => {
    const v = await open();
    await v.lock();
    expect(v.locked).toBe(true);
    await expect(v.locate({})).rejects.toMatchObject({ code: 'vault-locked' });
    await expect(v.insert(aesKey('x'), 'test')).rejects.toMatchObject({ code: 'vault-locked' });
  });

  it('init refuses an existing vault and a non-empty folder', async () => {
    const create = (p: string) =>
      Vault.create(p, { unlock: { kind: 'passphrase', passphrase: PASSPHRASE }, sealOptions: CHEAP_KDF });
    await expect(create(tmp.vaultPath)).rejects.toMatchObject({ code: 'invalid-argument' });
    const busy = path.join(tmp.dir, 'busy');
    mkdirSync(busy);
    writeFileSync(path.join(busy, 'notes.txt'), 'x');
    await expect(create(busy)).rejects.toMatchObject({ code: 'invalid-argument' });
  });
});
