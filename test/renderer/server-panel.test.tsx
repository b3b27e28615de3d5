import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { ServerStatus } from '../../shared/api/index.js';
import { ClientsCard } from '../../renderer/src/components/server-panel.js';
import { StoreProvider } from '../../renderer/src/store/context.js';
import { createKeyholdStore } from '../../renderer/src/store/index.js';
import { fakeApi } from './fake-api.js';

const status: ServerStatus = {
  available: true,
  running: true,
  address: '127.0.0.1',
  port: 5696,
  clients: [
    {
      name: 'alice',
      serialNumber: '0A',
      notAfter: '2027-11-29T00:00:00.000Z',
      revoked: false,
      admin: false,
      grants: [],
    },
    {
      name: 'bob',
      serialNumber: '0B',
      notAfter: '2027-11-29T00:00:00.000Z',
      revoked: false,
      admin: false,
      grants: [{ uniqueIdentifier: 'uid-of-alices-key', operations: ['Encrypt', 'Get'] }],
    },
    { name: 'root', serialNumber: '0C', notAfter: '2027-11-29T00:00:00.000Z', revoked: false, admin: true },
    { name: 'mallory', serialNumber: '0D', notAfter: '2027-11-29T00:00:00.000Z', revoked: true, admin: false },
  ],
  connectionCount: 0,
  connections: [],
  requestLog: [],
};

function render(s: ServerStatus): string {
  const store = createKeyholdStore(fakeApi({}).api);
  return renderToStaticMarkup(
    <StoreProvider store={store}>
      <ClientsCard status={s} onChange={() => undefined} onStatus={() => undefined} />
    </StoreProvider>,
  );
}

describe('server panel: clients card', () => {
  it('shows each client’s access: grants with their operations, admins, own objects', () => {
    const html = render(status);
    expect(html).toContain('uid-of-alices-key');
    expect(html).toContain('(Encrypt, Get)');
    expect(html).toContain('aria-label="Remove the grant of uid-of-alices-key to bob"');
    expect(html).toContain('Sees every object');
    expect(html).toContain('Its own objects');
  });

  it('offers Revoke for active clients only, and a grant form for non-admin active clients', () => {
    const html = render(status);
    expect(html).toContain('aria-label="Revoke alice"');
    expect(html).toContain('aria-label="Revoke bob"');
    expect(html).not.toContain('aria-label="Revoke mallory"');
    expect(html).toContain('Grant access');
    const options = [...html.matchAll(/<option value="([^"]+)"/g)].map((m) => m[1]);
    expect(options).toEqual(['alice', 'bob']);
  });

  it('disables every change while the vault is locked', () => {
    const html = render({ ...status, blockedBy: 'Unlock the vault to start the KMIP server or enroll clients.' });
    expect(html).toMatch(/<button type="button" class="secondary" disabled="" aria-label="Revoke alice">/);
  });
});
