import { describe, expect, it } from 'vitest';
import { KmipClient, KmipOperationError } from '../../main/client/kmip-client.js';
import { ControlClient, controlSocketPath } from '../../main/server/control-socket.js';
import type { AuditEntry, ExportedFile, ServerStatus } from '../../shared/api/index.js';
import { bundleOf } from '../api/support/kmip-bundle.js';
import { tempEngine, value } from '../api/support/temp-engine.js';

/** The desktop's server panel calls: enroll, revoke and grants act on the running server in-process. */
const { router, vaultPath } = tempEngine('panel-ctl');

const reasonOf = (e: unknown) => (e instanceof KmipOperationError ? e.resultReason : String(e));

describe('server panel: client administration without restarting the server', () => {
  it('enrolls, grants, ungrants and revokes live', async () => {
    value(await router.call('vault.create', { passphrase: 'correct horse battery' }));
    const started = value<ServerStatus>(await router.call('server.start', { address: '127.0.0.1', port: 0 }));
    const port = started.port!;
    // `keyhold clients ...` can reach the desktop's server too, through the vault's control socket.
    const cli = (await ControlClient.connect(controlSocketPath(vaultPath))) as ControlClient;
    expect(cli).toBeDefined();
    expect(await cli.call('clients.list', {})).toEqual([]);
    cli.close();
    const alice = bundleOf(
      value<ExportedFile>(await router.call('server.enroll', { name: 'alice', includePrivateKey: true })),
    );
    const a = await KmipClient.connect({ host: '127.0.0.1', port, ...alice, reconnect: false });
    const uid = await a.create('SymmetricKey', { CryptographicAlgorithm: ['AES'], CryptographicLength: [128] });

    // Enrolling another client leaves alice's connection open: the server was not restarted.
    const bob = bundleOf(
      value<ExportedFile>(await router.call('server.enroll', { name: 'bob', includePrivateKey: true })),
    );
    expect(value<ServerStatus>(await router.call('server.status', {})).port).toBe(port);
    expect((await a.query()).operations).toContain('Get');
    const b = await KmipClient.connect({ host: '127.0.0.1', port, ...bob, reconnect: false });
    expect(reasonOf(await b.get(uid).catch((e: unknown) => e))).toBe('PermissionDenied');

    const granted = value<ServerStatus>(
      await router.call('server.grant', { name: 'bob', uniqueIdentifier: uid, operations: ['get'] }),
    );
    expect(granted.clients.find((c) => c.name === 'bob')?.grants).toEqual([
      { uniqueIdentifier: uid, operations: ['Get'] },
    ]);
    expect((await b.get(uid)).keyMaterial?.length).toBe(16);

    value(await router.call('server.ungrant', { name: 'bob', uniqueIdentifier: uid }));
    expect(reasonOf(await b.get(uid).catch((e: unknown) => e))).toBe('PermissionDenied');
    const bad = await router.call('server.grant', { name: 'bob', uniqueIdentifier: 'nope' });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error.message).toContain('no object nope');

    const revoked = value<ServerStatus>(await router.call('server.revoke', { name: 'bob' }));
    expect(revoked.clients.find((c) => c.name === 'bob')?.revoked).toBe(true);
    expect(revoked.running).toBe(true);
    // Bob's open connection was closed; a new one is refused.
    expect(await b.query().catch((e: unknown) => e)).toBeInstanceOf(Error);
    const again = await KmipClient.connect({ host: '127.0.0.1', port, ...bob, reconnect: false })
      .then((c) => c.query())
      .catch((e: unknown) => e);
    expect(again).toBeInstanceOf(Error);
    // Alice is untouched.
    expect((await a.get(uid)).keyMaterial?.length).toBe(16);
    // Each change is in the audit chain under the desktop's identity, failures too.
    const audit = value<AuditEntry[]>(await router.call('audit.list', {}));
    const mine = audit.filter((e) => e.actor === 'console:test' && /Client$|Object$/.test(e.operation));
    expect(mine.map((e) => `${e.operation} ${e.outcome}`)).toEqual(
      expect.arrayContaining([
        'EnrollClient Success',
        'GrantObject Success',
        'UngrantObject Success',
        'GrantObject Item Not Found',
        'RevokeClient Success',
      ]),
    );
    await a.close();
    value(await router.call('server.stop', {}));
    expect(await ControlClient.connect(controlSocketPath(vaultPath))).toBeUndefined();
  });

  it('administers clients with the server stopped too, and the next start honours it', async () => {
    value(await router.call('server.enroll', { name: 'carol', includePrivateKey: true, admin: true }));
    const status = value<ServerStatus>(await router.call('server.status', {}));
    expect(status.running).toBe(false);
    expect(status.clients.find((c) => c.name === 'carol')).toMatchObject({ admin: true, revoked: false, grants: [] });
    value(await router.call('server.revoke', { name: 'carol' }));
    expect(
      value<ServerStatus>(await router.call('server.status', {})).clients.find((c) => c.name === 'carol')?.revoked,
    ).toBe(true);
  });
});
