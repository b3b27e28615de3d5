import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isKeyholdError } from '../../shared/errors.js';
import { SERVER_OWNER } from '../../main/ops/objects.js';
import { enrollClient, ensureServerPki, listClients } from '../../main/server/pki.js';
import type { Vault } from '../../main/vault/index.js';
import { createTempVault, disposeTempVault, type TempVaultPath } from '../vault/helpers.js';

/**
 * The server's PKI in the vault: listing the enrolled clients (the server panel asks every two
 * seconds) reads their certificates as public objects, never decodes the CA's or the server's
 * private key and writes nothing to the audit chain; signing with the CA is an audited use.
 */
let t: { tmp: TempVaultPath; vault: Vault };
const certs = new Map<string, string>();

async function auditLength(): Promise<number> {
  return (await t.vault.listAudit(1, 100_000)).length;
}

beforeAll(async () => {
  t = await createTempVault();
  await ensureServerPki(t.vault, ['127.0.0.1']);
  for (const name of ['array-1', 'hypervisor']) certs.set(name, (await enrollClient(t.vault, name)).certPem);
}, 60_000);

afterAll(async () => {
  if (t) await disposeTempVault(t);
});

describe('server PKI', () => {
  it('lists the enrolled clients from their certificates without auditing a read', async () => {
    const before = await auditLength();
    for (let i = 0; i < 3; i++) {
      const clients = await listClients(t.vault);
      expect(clients.map((c) => c.name).sort()).toEqual(['array-1', 'hypervisor']);
      for (const c of clients) {
        const cert = new X509Certificate(certs.get(c.name) ?? '');
        expect(c.serialNumber).toBe(cert.serialNumber);
        expect(c.fingerprint256).toBe(cert.fingerprint256);
        expect(c.revoked).toBe(false);
      }
    }
    expect(await auditLength()).toBe(before);
  });

  it('refuses to read a private key as a public object', async () => {
    const found = await t.vault.locate({ owner: SERVER_OWNER, storageStatusMask: 7 });
    const types = await Promise.all(found.uniqueIdentifiers.map(async (u) => (await t.vault.getObject(u)).objectType));
    const privateKey = found.uniqueIdentifiers[types.indexOf('PrivateKey')];
    expect(privateKey).toBeDefined();
    const err = await t.vault.getPublicObject(privateKey ?? '').catch((e: unknown) => e);
    expect(isKeyholdError(err) && err.code === 'invalid-argument').toBe(true);
    const cert = found.uniqueIdentifiers[types.indexOf('Certificate')] ?? '';
    expect((await t.vault.getPublicObject(cert)).value?.length).toBeGreaterThan(100);
  });

  it('audits the use of the CA key when a client is enrolled', async () => {
    const before = await t.vault.listAudit(1, 100_000);
    await enrollClient(t.vault, 'database');
    const after = (await t.vault.listAudit(1, 100_000)).slice(before.length);
    expect(after.some((a) => a.operation === 'Read' && a.identity === SERVER_OWNER && a.result === 'Success')).toBe(
      true,
    );
    expect(after.some((a) => a.operation === 'Register')).toBe(true);
  });
});
