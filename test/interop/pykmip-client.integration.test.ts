import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryObjectStore } from '../../main/ops/index.js';
import { GrantTable } from '../../main/server/access.js';
import { KmipServer } from '../../main/server/kmip-server.js';
import { makeTestPki, pem, type TestPki } from './support/certs.js';
import { runPyKmipLifecycle } from './support/pykmip-client.js';

describe('PyKMIP ProxyKmipClient against Keyhold server', () => {
  let pki: TestPki;
  let server: KmipServer;
  let store: MemoryObjectStore;
  beforeAll(async () => {
    pki = makeTestPki();
    store = new MemoryObjectStore();
    server = new KmipServer({
      host: '127.0.0.1',
      port: 0,
      cert: pem(pki.serverCert),
      key: pem(pki.serverKey),
      ca: pem(pki.caCert),
      store,
      access: new GrantTable(),
    });
    await server.listen();
  });
  afterAll(async () => {
    await server?.close();
    pki?.dispose();
  });

  it('performs the full lifecycle (create, register, get, locate, attributes, activate, encrypt/decrypt, key pair, sign, revoke, destroy)', async () => {
    const alice = pki.client('alice');
    const steps = await runPyKmipLifecycle(server.port, alice.cert, alice.key, pki.caCert);
    const failed = steps.filter((s) => !s.ok);
    expect(failed, JSON.stringify(failed, null, 1)).toEqual([]);
    const by = Object.fromEntries(steps.map((s) => [s.step, s.value]));
    expect(by.get).toBe(32);
    expect(by.locate_by_name).toEqual([by.create]);
    expect(by.state_active).toBe('State.ACTIVE');
    expect(by.decrypt).toBe('attack at dawn, keyhold');
    expect(by.get_registered).toBe('01'.repeat(32));
    expect(by.signature_verify).toBe('ValidityIndicator.VALID');
    expect(by.state_destroyed).toBe('State.DESTROYED');
    expect(store.auditLog.length).toBeGreaterThan(15);
    expect(store.auditLog.every((e) => e.identity === 'alice')).toBe(true);
  });
});
