import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { credentialToWire } from '../../main/server/control-credentials.js';
import { ControlClient, controlSocketPath } from '../../main/server/control-socket.js';
import { hashClientPassword } from '../../main/server/credentials.js';
import { startVaultServer, type RunningServer } from '../../main/server/serve.js';
import { Vault } from '../../main/vault/index.js';
import { e, op, RawSession, request, type Response, type Version } from '../interop/client-profiles/support/wire.js';

/**
 * The optional per-client Credential (INTEROP-NOTES 4) on the vault-backed server over mutual
 * TLS: stored with the enrollment record (hash only), set and cleared live through the control
 * socket, checked for the connection's identity, audited when refused.
 */
const V14: Version = [1, 4];
let dir: string;
let vaultDir: string;
let vault: Vault;
let running: RunningServer;
let control: ControlClient;
let session: RawSession;

const query = (credential?: { username: string; password: string }): Promise<Response> =>
  session.send(request(V14, [op('Query', [e('QueryFunction', 'QueryOperations')])], credential ? { credential } : {}));

async function setPassword(name: string, username: string, password: string): Promise<void> {
  const c = await hashClientPassword(username, Buffer.from(password, 'utf8'));
  await control.call('clients.password', { name, credential: credentialToWire(c) });
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'keyhold-cred-'));
  vaultDir = path.join(dir, 'vault');
  vault = await Vault.create(vaultDir, {
    unlock: { kind: 'passphrase', passphrase: Buffer.from('credential test') },
    sealOptions: { argon2: { memoryKiB: 64, iterations: 1, parallelism: 1 } },
  });
  running = await startVaultServer(vault, { host: '127.0.0.1', port: 0, controlSocket: controlSocketPath(vaultDir) });
  const b = await running.control.enroll('vcenter');
  session = await RawSession.open(running.server.port, { cert: b.certPem, key: b.keyPem, ca: b.caCertPem });
  const c = await ControlClient.connect(controlSocketPath(vaultDir));
  if (!c) throw new Error('no control socket');
  control = c;
}, 120_000);

afterAll(async () => {
  session?.close();
  control?.close();
  await running?.stop();
  await vault?.lock();
  rmSync(dir, { recursive: true, force: true });
});

describe('per-client Credential over mutual TLS', () => {
  it('without a credential set, any Credential (or none) is accepted and not checked', async () => {
    expect((await query()).items[0]?.status).toBe('Success');
    expect((await query({ username: 'x', password: 'y' })).items[0]?.status).toBe('Success');
    expect(running.control.credentials.scryptRuns).toBe(0);
  });

  it('set live through the control socket: missing and wrong are refused (audited), right works and is verified once', async () => {
    await setPassword('vcenter', 'vc-admin', 'vc-secret');
    const listed = (await control.call('clients.list', {})) as Array<Record<string, unknown>>;
    const rec = listed.find((c) => c['name'] === 'vcenter');
    expect(rec).toMatchObject({ credentialRequired: true, credentialUsername: 'vc-admin' });
    expect(JSON.stringify(listed)).not.toMatch(/hash|salt/i);

    for (const bad of [
      undefined,
      { username: 'vc-admin', password: 'not-the-pw-77' },
      { username: 'other', password: 'vc-secret' },
    ]) {
      const r = await query(bad);
      expect(r.items[0]?.status).toBe('OperationFailed');
      expect(r.items[0]?.reason).toBe('AuthenticationNotSuccessful');
    }
    const audit = await vault.listAudit(1, 10_000);
    const refused = audit.filter((a) => a.identity === 'vcenter' && a.operation === 'Authentication');
    expect(refused.length).toBe(3);
    expect(refused.every((a) => a.result !== 'Success')).toBe(true);
    expect(JSON.stringify(audit)).not.toContain('vc-secret');
    expect(JSON.stringify(audit)).not.toContain('not-the-pw-77');

    const runs = running.control.credentials.scryptRuns;
    for (let n = 0; n < 3; n++) {
      expect((await query({ username: 'vc-admin', password: 'vc-secret' })).items[0]?.status).toBe('Success');
    }
    expect(running.control.credentials.scryptRuns).toBe(runs + 1);

    // Stored with the enrollment record: the hash, never the password.
    const records = await vault.locate({ owner: 'keyhold:server', storageStatusMask: 7 });
    let stored = '';
    for (const uid of records.uniqueIdentifiers) stored += JSON.stringify((await vault.getObject(uid)).attributes);
    expect(stored).toContain('x-keyhold-credential');
    expect(stored).toContain('vc-admin');
    expect(stored).not.toContain('vc-secret');
  });

  it('a new password takes effect at once (the old one cached is refused); survives a reload from the vault', async () => {
    await setPassword('vcenter', 'vc-admin', 'second-secret');
    const old = await query({ username: 'vc-admin', password: 'vc-secret' });
    expect(old.items[0]?.reason).toBe('AuthenticationNotSuccessful');
    expect((await query({ username: 'vc-admin', password: 'second-secret' })).items[0]?.status).toBe('Success');

    const { ServerControl } = await import('../../main/server/control-engine.js');
    const reloaded = await ServerControl.load(vault);
    await expect(reloaded.credentials.check('vcenter', undefined)).rejects.toMatchObject({
      reason: 'Authentication Not Successful',
    });
    await expect(
      reloaded.credentials.check('vcenter', { username: 'vc-admin', password: 'second-secret' }),
    ).resolves.toBeUndefined();
  });

  it('cleared through the control socket: not checked any more', async () => {
    await control.call('clients.password', { name: 'vcenter' });
    expect((await query()).items[0]?.status).toBe('Success');
    expect((await query({ username: 'vc-admin', password: 'nope' })).items[0]?.status).toBe('Success');
    const listed = (await control.call('clients.list', {})) as Array<Record<string, unknown>>;
    expect(listed.find((c) => c['name'] === 'vcenter')).toMatchObject({ credentialRequired: false });
  });

  it('refuses a password for a client that is not enrolled', async () => {
    const c = await hashClientPassword('u', Buffer.from('p'));
    await expect(
      control.call('clients.password', { name: 'nobody', credential: credentialToWire(c) }),
    ).rejects.toMatchObject({
      code: 'not-found',
    });
  });
});
