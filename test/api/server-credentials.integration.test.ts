/**
 * The server panel's Credential calls over the real engine and server: enroll with a Credential,
 * set (change) and clear it, live on a running server and on the vault while it is stopped. A
 * real KMIP client (Keyhold's own) is refused without the right Credential and accepted with it;
 * the password is in no answer, error or audit entry.
 */
import { describe, expect, it } from 'vitest';
import type { ExportedFile, ServerStatus } from '../../shared/api/index.js';
import { bundleOf, queryAs } from './support/kmip-bundle.js';
import { tempEngine, value } from './support/temp-engine.js';

const { engine, router } = tempEngine('api-cred');

const firstPassword = 'first panel secret 7';
const secondPassword = 'second panel secret 8';

let bundle: { cert: string; key: string; ca: string };
let port = 0;

/** One Query from a fresh connection: 'Success', or the KMIP result reason it was refused with. */
const query = (credential?: { username: string; password: string }) => queryAs({ ...bundle, port }, credential);

function clientOf(status: ServerStatus, name: string): ServerStatus['clients'][number] | undefined {
  return status.clients.find((c) => c.name === name && !c.revoked);
}

describe('server panel: client Credentials', () => {
  it('enrolls a client with a Credential the running server enforces at once', async () => {
    value(await router.call('vault.create', { passphrase: 'correct horse battery' }));
    port = value<ServerStatus>(await router.call('server.start', { address: '127.0.0.1', port: 0 })).port!;
    bundle = bundleOf(
      value<ExportedFile>(
        await router.call('server.enroll', {
          name: 'vcenter',
          includePrivateKey: true,
          credential: { username: 'vc-kms', password: firstPassword },
        }),
      ),
    );
    const listed = value<ServerStatus>(await router.call('server.status', {}));
    expect(clientOf(listed, 'vcenter')).toMatchObject({ credentialRequired: true, credentialUsername: 'vc-kms' });
    expect(JSON.stringify(listed)).not.toContain(firstPassword);

    expect(await query()).toBe('AuthenticationNotSuccessful');
    expect(await query({ username: 'vc-kms', password: 'not it' })).toBe('AuthenticationNotSuccessful');
    expect(await query({ username: 'vcenter', password: firstPassword })).toBe('AuthenticationNotSuccessful');
    expect(await query({ username: 'vc-kms', password: firstPassword })).toBe('Success');
    // The panel's request log says why a request was refused.
    const log = value<ServerStatus>(await router.call('server.status', {})).requestLog;
    expect(log).toContainEqual(
      expect.objectContaining({
        operation: 'Query',
        resultStatus: 'OperationFailed',
        resultReason: 'AuthenticationNotSuccessful',
      }),
    );
    expect(log.filter((l) => l.resultStatus === 'Success').every((l) => l.resultReason === undefined)).toBe(true);
  });

  it('changes the password live: the old one is refused from the next request, the new one accepted', async () => {
    const status = value<ServerStatus>(
      await router.call('server.setCredential', {
        name: 'vcenter',
        credential: { username: 'vc-kms', password: secondPassword },
      }),
    );
    expect(status.running).toBe(true);
    expect(status.port).toBe(port);
    expect(clientOf(status, 'vcenter')).toMatchObject({ credentialRequired: true, credentialUsername: 'vc-kms' });
    expect(await query({ username: 'vc-kms', password: firstPassword })).toBe('AuthenticationNotSuccessful');
    expect(await query({ username: 'vc-kms', password: secondPassword })).toBe('Success');
  });

  it('removes the requirement: the certificate alone is accepted again', async () => {
    const status = value<ServerStatus>(await router.call('server.clearCredential', { name: 'vcenter' }));
    expect(clientOf(status, 'vcenter')).toMatchObject({ credentialRequired: false });
    expect(clientOf(status, 'vcenter')?.credentialUsername).toBeUndefined();
    expect(await query()).toBe('Success');
    expect(await query({ username: 'anything', password: 'unchecked' })).toBe('Success');
  });

  it('sets a Credential with the server stopped; the next start enforces it', async () => {
    value(await router.call('server.stop', {}));
    const stopped = value<ServerStatus>(
      await router.call('server.setCredential', {
        name: 'vcenter',
        credential: { username: 'vcenter', password: firstPassword },
      }),
    );
    expect(stopped.running).toBe(false);
    expect(clientOf(stopped, 'vcenter')).toMatchObject({ credentialRequired: true, credentialUsername: 'vcenter' });
    port = value<ServerStatus>(await router.call('server.start', { address: '127.0.0.1', port: 0 })).port!;
    expect(await query()).toBe('AuthenticationNotSuccessful');
    expect(await query({ username: 'vcenter', password: firstPassword })).toBe('Success');
  });

  it('refuses bad requests with a clear error that carries no password', async () => {
    const unknown = await router.call('server.setCredential', {
      name: 'ghost',
      credential: { username: 'g', password: secondPassword },
    });
    expect(unknown.ok).toBe(false);
    if (!unknown.ok) {
      expect(unknown.error.code).toBe('not-found');
      expect(unknown.error.message).toContain('ghost');
      expect(JSON.stringify(unknown.error)).not.toContain(secondPassword);
    }
    const cleared = await router.call('server.clearCredential', { name: 'ghost' });
    expect(cleared.ok ? '' : cleared.error.code).toBe('not-found');
    const empty = await router.call('server.setCredential', {
      name: 'vcenter',
      credential: { username: 'vcenter', password: '' },
    });
    expect(empty.ok ? '' : empty.error.code).toBe('invalid-argument');
    const noUser = await router.call('server.enroll', {
      name: 'nobody',
      includePrivateKey: false,
      credential: { username: '', password: secondPassword },
    });
    expect(noUser.ok ? '' : noUser.error.code).toBe('invalid-argument');
    // The refused enrollment left nothing behind.
    expect(clientOf(value<ServerStatus>(await router.call('server.status', {})), 'nobody')).toBeUndefined();
  });

  it('audits each change by name and username, never the password', async () => {
    const audit = await engine.session.vault().listAudit(1, 100_000);
    const text = JSON.stringify(audit);
    expect(text).not.toContain(firstPassword);
    expect(text).not.toContain(secondPassword);
    const mine = audit.filter((e) => e.identity === 'console:test');
    const ops = mine.map((e) => `${e.operation} ${e.result} ${e.detail ?? ''}`);
    expect(ops).toEqual(
      expect.arrayContaining([
        'EnrollClient Success vcenter (credential required)',
        'SetClientCredential Success vcenter set (username vc-kms)',
        'SetClientCredential Success vcenter cleared',
        'SetClientCredential Success vcenter set (username vcenter)',
      ]),
    );
  });

  it('locking the vault stops the server; Credential calls then say to unlock', async () => {
    value(await router.call('vault.lock', {}));
    const r = await router.call('server.clearCredential', { name: 'vcenter' });
    expect(r.ok ? '' : r.error.code).toBe('vault-locked');
  });
});
