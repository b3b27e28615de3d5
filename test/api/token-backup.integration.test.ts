/**
 * The Tokens panel's write calls over a real SoftHSM2 token (private SOFTHSM2_CONF): import a vault
 * key onto the token (pkcs11-tool sees it), back the vault up under the token's KEK (a download
 * and a data object on the token), restore into another vault from the uploaded file and from the
 * token, change and reset the user PIN, delete an object; and the failures in words: wrong PIN,
 * locked PIN, removed token, a file that is not a backup.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Router } from '../../main/api/router.js';
import { finalizeAllModules } from '../../main/tokens/pkcs11/index.js';
import type {
  CreatedObjects,
  ObjectDetail,
  TokenBackup,
  TokenBackupInfo,
  TokenList,
  TokenObject,
  TokenRestore,
} from '../../shared/api/index.js';
import { SoftHsm } from '../tokens/softhsm.js';
import { failure, tempEngine, value } from './support/temp-engine.js';

const PIN = '246810';
const SO_PIN = '11223344';
let hsm: SoftHsm;
let deskDir: string;
let spareDir: string;
let aes: string;
let ecPrivate: string;

// Hooks run in stack order: this one after the engines below are closed.
afterAll(() => {
  finalizeAllModules();
  hsm.dispose();
});
const router = tempEngine('api-token-backup-a', { identity: 'console:a' }).router;
const other = tempEngine('api-token-backup-b', { identity: 'console:b' }).router;

beforeAll(async () => {
  hsm = new SoftHsm();
  deskDir = hsm.initToken('Desk', PIN, SO_PIN);
  spareDir = hsm.initToken('Spare', PIN, SO_PIN);
  for (const r of [router, other]) value(await r.call('vault.create', { passphrase: 'correct horse battery' }));
  aes = value<CreatedObjects>(
    await router.call('keys.generate', {
      kind: 'SymmetricKey',
      algorithm: 'AES',
      cryptographicLength: 256,
      usageMask: ['Encrypt', 'Decrypt'],
      name: 'payroll-db',
      location: 'vault',
    }),
  ).uniqueIdentifiers[0]!;
  ecPrivate = value<CreatedObjects>(
    await router.call('keys.generate', {
      kind: 'KeyPair',
      algorithm: 'EC',
      curve: 'P256',
      usageMask: ['Sign', 'Verify'],
      name: 'release-signing',
      location: 'vault',
    }),
  ).uniqueIdentifiers[0]!;
}, 60_000);

describe('tokens.import', () => {
  it('puts a vault AES key onto the token, non-extractable, and pkcs11-tool lists it', async () => {
    const made = value<TokenObject[]>(
      await router.call('tokens.import', { label: 'Desk', pin: PIN, uniqueIdentifier: aes }),
    );
    expect(made).toHaveLength(1);
    expect(made[0]).toMatchObject({ objectClass: 'SecretKey', label: 'payroll-db', keyType: 'AES', bits: 256 });
    expect(made[0]?.extractable).toBe(false);
    const listed = hsm.pkcs11Tool(['--token-label', 'Desk', '--login', '--pin', PIN, '--list-objects']);
    expect(listed).toMatch(/Secret Key Object; AES length 32/);
    expect(listed).toContain('label:      payroll-db');
  });

  it('puts an EC private key on under another name (the public half comes with it)', async () => {
    const made = value<TokenObject[]>(
      await router.call('tokens.import', { label: 'Desk', pin: PIN, uniqueIdentifier: ecPrivate, name: 'signer' }),
    );
    expect(made.map((o) => o.objectClass)).toContain('PrivateKey');
    expect(made.every((o) => o.label === 'signer')).toBe(true);
  });

  it('a wrong PIN is "incorrect PIN" and the PIN is not echoed', async () => {
    const e = failure(await router.call('tokens.import', { label: 'Desk', pin: '999999', uniqueIdentifier: aes }));
    expect(e.code).toBe('token');
    expect(e.message).toMatch(/incorrect PIN/);
    expect(e.message).not.toContain('999999');
  });

  it('an unknown object is refused before the token is touched', async () => {
    const e = failure(await router.call('tokens.import', { label: 'Desk', pin: PIN, uniqueIdentifier: 'nope' }));
    expect(e.code).not.toBe('token');
  });
});

describe('tokens.backup and tokens.restore', () => {
  let backup: TokenBackup;

  it('backs the whole vault up: a JSON file to download with wrapped keys only, and a copy on the token', async () => {
    backup = value<TokenBackup>(
      await router.call('tokens.backup', { label: 'Desk', pin: PIN, uniqueIdentifiers: [], storeOnToken: 'nightly' }),
    );
    expect(backup.count).toBe(3);
    expect(backup).toMatchObject({ token: 'Desk', kek: 'keyhold-kek', storedOnToken: 'nightly' });
    expect(backup.file.fileName).toMatch(/^keyhold-token-backup-Desk-\d{4}-\d\d-\d\d\.json$/);
    expect(backup.file.mediaType).toBe('application/json');
    const json = JSON.parse(Buffer.from(backup.file.data, 'base64').toString('utf8')) as {
      format: string;
      entries: { uniqueIdentifier: string; wrappedKey?: string }[];
    };
    expect(json.format).toBe('keyhold-token-backup');
    expect(json.entries.find((e) => e.uniqueIdentifier === aes)?.wrappedKey).toBeDefined();
    const list = value<TokenBackupInfo[]>(await router.call('tokens.backups', { label: 'Desk', pin: PIN }));
    expect(list).toEqual([{ label: 'nightly', createdAt: expect.any(String) as string, count: 3, kek: 'keyhold-kek' }]);
    const onToken = value<TokenObject[]>(await router.call('tokens.objects', { label: 'Desk', pin: PIN }));
    expect(onToken.some((o) => o.objectClass === 'SecretKey' && o.label === 'keyhold-kek')).toBe(true);
    expect(onToken.some((o) => o.objectClass === 'Data' && o.label === 'nightly')).toBe(true);
  });

  it('backs up chosen keys only', async () => {
    const one = value<TokenBackup>(
      await router.call('tokens.backup', { label: 'Desk', pin: PIN, uniqueIdentifiers: [aes] }),
    );
    expect(one.count).toBe(1);
    expect(one.storedOnToken).toBeUndefined();
  });

  it('restores the uploaded file into another vault, with the same key bytes', async () => {
    const r = value<TokenRestore>(
      await other.call('tokens.restore', { label: 'Desk', pin: PIN, data: backup.file.data }),
    );
    expect(r.added).toHaveLength(3);
    expect(r.added).toContain(aes);
    expect(r.skipped).toEqual([]);
    const there = value<ObjectDetail>(await other.call('objects.get', { uniqueIdentifier: aes }));
    expect(there.summary.name).toBe('payroll-db');
    const raw = (id: Router) =>
      id.call('objects.export', { uniqueIdentifier: aes, format: 'Raw' }).then((x) => value<{ data: string }>(x).data);
    expect(await raw(other)).toBe(await raw(router));
  });

  it('restoring again from the copy on the token skips what the vault already has', async () => {
    const r = value<TokenRestore>(
      await other.call('tokens.restore', { label: 'Desk', pin: PIN, fromToken: 'nightly' }),
    );
    expect(r.added).toEqual([]);
    expect(r.skipped).toContain(aes);
    expect(r.skipped).toHaveLength(3);
  });

  it('a token without the KEK cannot open the backup, and says so', async () => {
    const e = failure(await other.call('tokens.restore', { label: 'Spare', pin: PIN, data: backup.file.data }));
    expect(e.message).toMatch(/key-encryption key "keyhold-kek" is missing or different/);
  });

  it('an altered backup is refused whole', async () => {
    const json = JSON.parse(Buffer.from(backup.file.data, 'base64').toString('utf8')) as {
      entries: { owner: string }[];
    };
    json.entries[0]!.owner = 'mallory';
    const data = Buffer.from(JSON.stringify(json)).toString('base64');
    const e = failure(await other.call('tokens.restore', { label: 'Desk', pin: PIN, data }));
    expect(e.message).toMatch(/altered/);
  });

  it('a file that is not a backup is refused before any login (no PIN try spent)', async () => {
    const data = Buffer.from('{"hello":"world"}').toString('base64');
    const e = failure(await other.call('tokens.restore', { label: 'Desk', pin: '000000', data }));
    expect(e.code).toBe('format');
    expect(e.message).toMatch(/not a Keyhold token backup/);
  });

  it('needs exactly one source, and a backup name that exists', async () => {
    expect(failure(await other.call('tokens.restore', { label: 'Desk', pin: PIN })).code).toBe('invalid-argument');
    expect(
      failure(await other.call('tokens.restore', { label: 'Desk', pin: PIN, data: 'e30=', fromToken: 'nightly' })).code,
    ).toBe('invalid-argument');
    expect(
      failure(await other.call('tokens.restore', { label: 'Desk', pin: PIN, fromToken: 'weekly' })).message,
    ).toMatch(/No backup named “weekly”/);
  });

  it('the schema refuses a bad identifier list and a non-base64 file', async () => {
    expect(failure(await router.call('tokens.backup', { label: 'Desk', pin: PIN, uniqueIdentifiers: [''] })).code).toBe(
      'invalid-argument',
    );
    expect(failure(await router.call('tokens.restore', { label: 'Desk', pin: PIN, data: '%%%' })).code).toBe(
      'invalid-argument',
    );
  });
});

describe('tokens.delete', () => {
  it('deletes one object and returns what is left', async () => {
    const before = value<TokenObject[]>(await router.call('tokens.objects', { label: 'Desk', pin: PIN }));
    const data = before.find((o) => o.objectClass === 'Data' && o.label === 'nightly')!;
    const remove = () =>
      router.call('tokens.delete', {
        label: 'Desk',
        pin: PIN,
        objectClass: 'Data',
        id: data.id,
        objectLabel: 'nightly',
      });
    const after = value<TokenObject[]>(await remove());
    expect(after).toHaveLength(before.length - 1);
    expect(after.some((o) => o.label === 'nightly')).toBe(false);
    // The same request again: the object is gone.
    const again = failure(await remove());
    expect(again.code).toBe('not-found');
  });
});

describe('PINs', () => {
  it('changes the user PIN: the old one no longer opens the token, the new one does', async () => {
    value(await router.call('tokens.changePin', { label: 'Spare', pin: PIN, newPin: '13572468' }));
    expect(failure(await router.call('tokens.objects', { label: 'Spare', pin: PIN })).message).toMatch(/incorrect PIN/);
    value(await router.call('tokens.objects', { label: 'Spare', pin: '13572468' }));
  });

  it('change PIN with a wrong current PIN says "incorrect PIN"', async () => {
    const e = failure(await router.call('tokens.changePin', { label: 'Spare', pin: '000000', newPin: '12345678' }));
    expect(e.message).toMatch(/incorrect PIN/);
    expect(e.message).not.toMatch(/000000|12345678/);
  });

  it('a locked PIN refuses even the right PIN; the SO PIN sets a new one', async () => {
    hsm.lockUserPin(spareDir);
    finalizeAllModules();
    const list = value<TokenList>(await router.call('tokens.list', {}));
    expect(list.tokens.find((t) => t.label === 'Spare')?.flags).toContain('USER_PIN_LOCKED');
    const locked = failure(
      await router.call('tokens.backup', { label: 'Spare', pin: '13572468', uniqueIdentifiers: [] }),
    );
    expect(locked.message).toMatch(/PIN of token "Spare" is locked/);
    expect(
      failure(await router.call('tokens.changePin', { label: 'Spare', pin: '13572468', newPin: '1111' })).message,
    ).toMatch(/locked/);
    expect(
      failure(await router.call('tokens.initPin', { label: 'Spare', soPin: '00000000', newPin: PIN })).message,
    ).toMatch(/incorrect PIN/);
    value(await router.call('tokens.initPin', { label: 'Spare', soPin: SO_PIN, newPin: PIN }));
    finalizeAllModules();
    value(await router.call('tokens.objects', { label: 'Spare', pin: PIN }));
  });
});

describe('a removed token', () => {
  it('fails the call in words, leaves the vault as it was, and works once re-inserted', async () => {
    hsm.removeToken(deskDir);
    try {
      const restore = failure(await other.call('tokens.restore', { label: 'Desk', pin: PIN, fromToken: 'nightly' }));
      expect(restore.code).toBe('token');
      expect(restore.message).toMatch(/no token labelled "Desk" is present|removed or stopped responding/);
      const backup = failure(await router.call('tokens.backup', { label: 'Desk', pin: PIN, uniqueIdentifiers: [] }));
      expect(backup.message).toMatch(/no token labelled "Desk" is present|removed or stopped responding/);
      const pinChange = failure(await router.call('tokens.changePin', { label: 'Desk', pin: PIN, newPin: '1111' }));
      expect(pinChange.message).toMatch(/no token labelled "Desk" is present|removed or stopped responding/);
    } finally {
      hsm.reinsertToken(deskDir);
    }
    const objects = value<TokenObject[]>(await router.call('tokens.objects', { label: 'Desk', pin: PIN }));
    expect(objects.some((o) => o.label === 'payroll-db')).toBe(true);
  });
});
