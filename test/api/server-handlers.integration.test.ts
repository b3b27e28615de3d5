import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { KmipClient } from '../../main/client/kmip-client.js';
import type { ExportedFile, ServerStatus } from '../../shared/api/index.js';
import { tempEngine, value } from './support/temp-engine.js';

const { router } = tempEngine('api-server');

async function until(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('condition not reached');
}

function pemBlocks(pem: string, label: string): string[] {
  return pem.match(new RegExp(`-----BEGIN ${label}-----[^-]+-----END ${label}-----\\n`, 'g')) ?? [];
}

describe('the KMIP server panel calls over the real server', () => {
  it('refuses to start or enroll while the vault is locked, and says why', async () => {
    const status = value<ServerStatus>(await router.call('server.status', {}));
    expect(status).toMatchObject({ available: true, running: false, clients: [], connectionCount: 0 });
    expect(status.blockedBy).toMatch(/Unlock the vault/);
    const start = await router.call('server.start', { address: '127.0.0.1', port: 0 });
    expect(start.ok).toBe(false);
    if (!start.ok) expect(start.error.code).toBe('vault-locked');
  });

  it('starts, enrolls a client whose bundle connects, counts the connection, logs its requests, stops', async () => {
    value(await router.call('vault.create', { passphrase: 'correct horse battery' }));
    const started = value<ServerStatus>(await router.call('server.start', { address: '127.0.0.1', port: 0 }));
    expect(started.running).toBe(true);
    expect(started.address).toBe('127.0.0.1');
    expect(started.port).toBeGreaterThan(0);
    expect((await router.call('server.start', { address: '127.0.0.1', port: 0 })).ok).toBe(false);

    const bundle = value<ExportedFile>(await router.call('server.enroll', { name: 'alice', includePrivateKey: true }));
    expect(bundle.fileName).toBe('alice-kmip-bundle.pem');
    const pem = Buffer.from(bundle.data, 'base64').toString('utf8');
    const [clientCert, caCert] = pemBlocks(pem, 'CERTIFICATE');
    const [clientKey] = pemBlocks(pem, 'PRIVATE KEY');
    expect(new X509Certificate(clientCert!).subject).toContain('CN=alice');
    expect(clientKey).toBeDefined();

    const listed = value<ServerStatus>(await router.call('server.status', {}));
    expect(listed.clients).toEqual([expect.objectContaining({ name: 'alice', revoked: false, admin: false })]);

    const client = await KmipClient.connect({
      host: '127.0.0.1',
      port: started.port!,
      cert: clientCert!,
      key: clientKey!,
      ca: caCert!,
    });
    await client.query();
    await until(async () => value<ServerStatus>(await router.call('server.status', {})).connectionCount === 1);
    const live = value<ServerStatus>(await router.call('server.status', {}));
    expect(live.connections).toEqual([expect.objectContaining({ peer: expect.stringContaining('alice') })]);
    expect(live.connections[0]!.requests).toBeGreaterThanOrEqual(2);
    expect(live.requestLog.map((l) => l.operation)).toEqual(expect.arrayContaining(['DiscoverVersions', 'Query']));
    expect(live.requestLog.every((l) => l.resultStatus === 'Success')).toBe(true);

    await client.close();
    await until(async () => value<ServerStatus>(await router.call('server.status', {})).connectionCount === 0);
    expect(value<ServerStatus>(await router.call('server.status', {})).connections).toEqual([]);

    const stopped = value<ServerStatus>(await router.call('server.stop', {}));
    expect(stopped.running).toBe(false);
    expect(stopped.port).toBeUndefined();
  });

  it('stops the server when the vault locks', async () => {
    value(await router.call('server.start', { address: '127.0.0.1', port: 0 }));
    value(await router.call('vault.lock', {}));
    expect(value<ServerStatus>(await router.call('server.status', {})).running).toBe(false);
  });
});
