import { describe, expect, it } from 'vitest';
import { createEngine, pkiCalls } from '../../main/api/handlers.js';
import { pkiHandlers } from '../../main/api/pki.js';
import { VaultSession } from '../../main/api/vault-session.js';

describe('engine handlers', () => {
  it('lists exactly the calls pki.ts answers, so its lazy load forwards every one', () => {
    const session = new VaultSession('/nonexistent/x.kvault', { autoLockSeconds: 0, identity: 'test' });
    expect([...pkiCalls].sort()).toEqual(Object.keys(pkiHandlers(session)).sort());
  });

  it('forwards a PKI call to pki.ts on first use: a locked vault gives its error, not a missing handler', async () => {
    const engine = createEngine({ vaultPath: '/nonexistent/x.kvault', identity: 'test' });
    try {
      const status = engine.handlers['ca.status'];
      expect(status).toBeDefined();
      await expect(Promise.resolve().then(() => status!({}))).rejects.toMatchObject({ code: 'vault-locked' });
    } finally {
      await engine.close();
    }
  });
});
