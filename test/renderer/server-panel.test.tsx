import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { Capabilities, ServerStatus } from '../../shared/api/index.js';
import {
  CredentialFields,
  credentialProblem,
  credentialUsername,
  emptyCredential,
  withoutPasswords,
} from '../../renderer/src/components/client-credential.js';
import { ClientsCard } from '../../renderer/src/components/server-panel.js';
import { StoreProvider } from '../../renderer/src/store/context.js';
import { createKeyholdStore } from '../../renderer/src/store/index.js';
import { fakeApi } from './fake-api.js';
import { clientEntry } from './server-fixtures.js';

const status: ServerStatus = {
  available: true,
  running: true,
  address: '127.0.0.1',
  port: 5696,
  clients: [
    clientEntry(),
    clientEntry({
      name: 'bob',
      serialNumber: '0B',
      credentialRequired: true,
      credentialUsername: 'vcenter-kms',
      grants: [{ uniqueIdentifier: 'uid-of-alices-key', operations: ['Encrypt', 'Get'] }],
    }),
    clientEntry({ name: 'root', serialNumber: '0C', admin: true }),
    clientEntry({
      name: 'mallory',
      serialNumber: '0D',
      revoked: true,
      credentialRequired: true,
      credentialUsername: 'mallory',
    }),
  ],
  connectionCount: 0,
  connections: [],
  requestLog: [],
};

const allCalls: Capabilities = {
  transport: 'http',
  calls: { 'server.setCredential': true, 'server.clearCredential': true },
};

function render(s: ServerStatus, capabilities: Capabilities = allCalls): string {
  const store = createKeyholdStore(fakeApi({}).api);
  store.setState({ capabilities });
  // Server rendering reads zustand's initial state: make it the state set up here.
  Object.assign(store, { getInitialState: store.getState });
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

describe('server panel: client Credentials', () => {
  it('shows which clients require a Credential and with which username, never a password', () => {
    const html = render(status);
    const row = (name: string) =>
      [...html.matchAll(/<tr>.*?<\/tr>/gs)].map((m) => m[0]).find((r) => r.includes(`<strong>${name}</strong>`)) ?? '';
    expect(row('bob')).toContain('Required');
    expect(row('bob')).toContain('<code>vcenter-kms</code>');
    expect(row('alice')).toContain('Certificate only');
    expect(row('alice')).not.toContain('Required');
    // A revoked client's old Credential is not advertised.
    expect(row('mallory')).toContain('Revoked');
    expect(row('mallory')).not.toContain('Required');
    expect(html).toContain('<th scope="col">Credential</th>');
  });

  it('offers Set password to every active client and Remove only where one is required', () => {
    const html = render(status);
    expect(html).toContain('aria-label="Set the Credential password of alice"');
    expect(html).toContain('aria-label="Set the Credential password of bob"');
    expect(html).not.toContain('aria-label="Set the Credential password of mallory"');
    expect(html).toContain('aria-label="Remove the Credential requirement of bob"');
    expect(html).not.toContain('aria-label="Remove the Credential requirement of alice"');
    expect(html).not.toContain('aria-label="Remove the Credential requirement of mallory"');
  });

  it('hides the Credential actions where the engine lacks the calls, and disables them while locked', () => {
    const html = render(status, { transport: 'http', calls: {} });
    expect(html).not.toContain('Set password');
    expect(html).not.toContain('Remove credential requirement');
    const locked = render({ ...status, blockedBy: 'Unlock the vault to start the KMIP server or enroll clients.' });
    expect(locked).toMatch(
      /<button type="button" class="secondary" disabled="" aria-label="Set the Credential password of bob">/,
    );
    expect(locked).toMatch(
      /<button type="button" class="secondary" disabled="" aria-label="Remove the Credential requirement of bob">/,
    );
  });

  it('starts the enroll wizard at its first step, the Credential step named', () => {
    const html = render(status);
    expect(html).toContain('Enroll a client');
    expect(html).toMatch(/<li class="current" aria-current="step"><span class="step-num">1<\/span> Client<\/li>/);
    expect(html).toContain('<span class="step-num">2</span> Credential');
    expect(html).toContain('New client name');
  });

  it('renders the Credential fields labelled, password inputs never remembered, with a strength meter', () => {
    const html = renderToStaticMarkup(
      <CredentialFields
        draft={{ username: '', password: 'hunter2', confirm: 'hunter3' }}
        onChange={() => undefined}
        defaultUsername="vcenter"
      />,
    );
    const ids = new Set([...html.matchAll(/<label[^>]*for="([^"]+)"/g)].map((m) => m[1]));
    const inputs = [...html.matchAll(/<input\b[^>]*>/g)].map((m) => m[0]);
    expect(inputs).toHaveLength(3);
    for (const tag of inputs) expect(ids.has(/id="([^"]+)"/.exec(tag)?.[1])).toBe(true);
    const passwords = inputs.filter((t) => t.includes('type="password"'));
    expect(passwords).toHaveLength(2);
    for (const t of passwords) expect(t).toContain('autoComplete="new-password"');
    expect(html).toContain('placeholder="vcenter"');
    expect(html).toContain('aria-label="Password strength"');
    expect(html).toContain('aria-invalid="true"');
    expect(html).toContain('The two passwords differ.');
  });

  it('says what is missing before a Credential can be sent, and drops the passwords after', () => {
    expect(credentialProblem(emptyCredential, 'vcenter')).toMatch(/Enter the password/);
    expect(credentialProblem(emptyCredential, '')).toMatch(/Enter the username/);
    expect(credentialProblem({ username: '', password: 'a', confirm: 'b' }, 'vcenter')).toMatch(/differ/);
    expect(credentialProblem({ username: ' ', password: 'a b', confirm: 'a b' }, 'vcenter')).toBeUndefined();
    expect(credentialUsername({ username: '  ', password: '', confirm: '' }, 'vcenter')).toBe('vcenter');
    expect(credentialUsername({ username: ' kms ', password: '', confirm: '' }, 'vcenter')).toBe('kms');
    expect(withoutPasswords({ username: 'kms', password: 'p', confirm: 'p' })).toEqual({
      username: 'kms',
      password: '',
      confirm: '',
    });
  });
});
