import { describe, expect, it } from 'vitest';
import { ClientCredentials, CredentialTable, hashClientPassword } from '../../main/server/credentials.js';

const stored = (username: string, password: string) => hashClientPassword(username, Buffer.from(password, 'utf8'));
const refused = { reason: 'Authentication Not Successful' };

describe('ClientCredentials (the server Authenticator)', () => {
  it('checks the same Credential once: later requests use the cached digest', async () => {
    const c = new ClientCredentials();
    c.set('vcenter', await stored('vc', 'secret'));
    for (let n = 0; n < 5; n++) await c.check('vcenter', { username: 'vc', password: 'secret' });
    expect(c.scryptRuns).toBe(1);
  });

  it('concurrent requests with the same Credential share one scrypt run', async () => {
    const c = new ClientCredentials();
    c.set('vcenter', await stored('vc', 'secret'));
    await Promise.all(Array.from({ length: 8 }, () => c.check('vcenter', { username: 'vc', password: 'secret' })));
    expect(c.scryptRuns).toBe(1);
  });

  it('a wrong password is refused every time (never cached) and does not evict the right one', async () => {
    const c = new ClientCredentials();
    c.set('vcenter', await stored('vc', 'secret'));
    await c.check('vcenter', { username: 'vc', password: 'secret' });
    await expect(c.check('vcenter', { username: 'vc', password: 'Secret' })).rejects.toMatchObject(refused);
    await expect(c.check('vcenter', { username: 'vc', password: 'Secret' })).rejects.toMatchObject(refused);
    expect(c.scryptRuns).toBe(3);
    await c.check('vcenter', { username: 'vc', password: 'secret' });
    expect(c.scryptRuns).toBe(3);
  });

  it('missing Credential or another username is refused without running scrypt', async () => {
    const c = new ClientCredentials();
    c.set('vcenter', await stored('vc', 'secret'));
    await expect(c.check('vcenter', undefined)).rejects.toMatchObject(refused);
    await expect(c.check('vcenter', { username: 'other', password: 'secret' })).rejects.toMatchObject(refused);
    expect(c.scryptRuns).toBe(0);
  });

  it('changing the credential drops the cache at once; clearing stops checking', async () => {
    const c = new ClientCredentials();
    c.set('vcenter', await stored('vc', 'secret'));
    await c.check('vcenter', { username: 'vc', password: 'secret' });
    c.set('vcenter', await stored('vc', 'next'));
    await expect(c.check('vcenter', { username: 'vc', password: 'secret' })).rejects.toMatchObject(refused);
    await c.check('vcenter', { username: 'vc', password: 'next' });
    c.set('vcenter', undefined);
    expect(c.requires('vcenter')).toBe(false);
    await c.check('vcenter', undefined);
    await c.check('vcenter', { username: 'x', password: 'y' });
  });

  it('a change made while scrypt runs is not overridden by the old verification', async () => {
    const c = new ClientCredentials();
    c.set('vcenter', await stored('vc', 'secret'));
    const first = c.check('vcenter', { username: 'vc', password: 'secret' });
    c.set('vcenter', await stored('vc', 'next'));
    await first;
    await expect(c.check('vcenter', { username: 'vc', password: 'secret' })).rejects.toMatchObject(refused);
  });

  it('identities without a credential are not checked; the stored form holds no password', async () => {
    const c = new ClientCredentials();
    const s = await stored('vc', 'secret');
    expect(JSON.stringify({ ...s, salt: s.salt.toString('hex'), hash: s.hash.toString('hex') })).not.toContain(
      'secret',
    );
    c.set('vcenter', s);
    await c.check('bob', { username: 'vc', password: 'anything' });
    await c.check('bob', undefined);
    expect(c.scryptRuns).toBe(0);
  });

  it('CredentialTable (in-memory) checks the same way', async () => {
    const t = new CredentialTable();
    t.set('alice', 'vc', 's3cret');
    await expect(t.check('alice', { username: 'vc', password: 'x' })).rejects.toMatchObject(refused);
    await expect(t.check('alice', { username: 'vc', password: 's3cret' })).resolves.toBeUndefined();
  });
});
