import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditVerifier, Vault, type AuditEntry } from '../../main/vault/index.js';
import { aesKey, createTempVault, disposeTempVault, PASSPHRASE, type TempVaultPath } from './helpers.js';

let tmp: TempVaultPath;
let vault: Vault;

beforeEach(async () => {
  ({ tmp, vault } = await createTempVault());
  const uid = await vault.insert(aesKey('a'), 'alice');
  await vault.activate(uid, 'alice');
  await vault.getObjectForUse(uid, 'bob', 'Get');
  await vault.recordUse(uid, 'bob', 'Encrypt');
});

afterEach(() => disposeTempVault({ tmp, vault }));

describe('audit chain', () => {
  it('records sequence, time, identity, operation, object, result and the previous hash', async () => {
    const entries = await vault.listAudit();
    expect(entries.map((e) => e.operation)).toEqual(['CreateVault', 'Register', 'Activate', 'Get', 'Encrypt']);
    expect(entries.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    for (let i = 1; i < entries.length; i++) {
      expect(entries[i]?.prevHash).toBe(entries[i - 1]?.hash);
    }
    expect(await vault.verifyAudit()).toEqual({ ok: true, entries: 5 });
  });

  it('reports the first altered entry', async () => {
    await vault.unsafeExec("UPDATE audit SET identity = 'mallory' WHERE seq = 3");
    await vault.unsafeExec("UPDATE audit SET result = 'x' WHERE seq = 4");
    expect(await vault.verifyAudit()).toMatchObject({ ok: false, firstBad: { seq: 3 } });
  });

  it('reports a removed entry and a re-linked chain', async () => {
    await vault.unsafeExec('DELETE FROM audit WHERE seq = 2');
    expect(await vault.verifyAudit()).toMatchObject({ ok: false, firstBad: { seq: 2 } });
  });

  it('exports JSON lines that verify on their own', async () => {
    const lines: string[] = [];
    const n = await vault.exportAudit((l) => {
      lines.push(l);
    });
    expect(n).toBe(5);
    const verifier = new AuditVerifier(vault.vaultId);
    for (const l of lines) {
      expect(l.endsWith('\n')).toBe(true);
      const j = JSON.parse(l) as Omit<AuditEntry, 'time'> & { timeMs: number };
      expect(verifier.check({ ...j, time: new Date(j.timeMs) })).toBe(true);
    }
    // The audit never carries key material.
    expect(lines.join('')).not.toContain(Buffer.alloc(32, 7).toString('base64'));
  });

  it('the chain continues across lock and unlock', async () => {
    await vault.lock();
    vault = await Vault.open(tmp.vaultPath, { unlock: { kind: 'passphrase', passphrase: PASSPHRASE } });
    await vault.insert(aesKey('b'), 'alice');
    expect(await vault.verifyAudit()).toEqual({ ok: true, entries: 6 });
  });
});
