import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KeyholdError } from '../../shared/errors.js';
import { STORAGE_ARCHIVED, STORAGE_DESTROYED, STORAGE_ONLINE, Vault } from '../../main/vault/index.js';
import { aesKey, createTempVault, disposeTempVault, PASSPHRASE, type TempVaultPath } from './helpers.js';

let tmp: TempVaultPath;
let vault: Vault;

beforeEach(async () => {
  ({ tmp, vault } = await createTempVault({ identity: 'test' }));
});

afterEach(() => disposeTempVault({ tmp, vault }));

async function reasonOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (e) {
    if (e instanceof KeyholdError) return e.reason ?? e.code;
    throw e;
  }
  return 'no error';
}

describe('managed objects in the vault', () => {
  it('stores every object type with its material and gives UUIDv4 Unique Identifiers', async () => {
    const types = [
      'Certificate',
      'SymmetricKey',
      'PublicKey',
      'PrivateKey',
      'SplitKey',
      'Template',
      'SecretData',
      'OpaqueObject',
      'PGPKey',
      'CertificateRequest',
    ] as const;
    for (const objectType of types) {
      const uid = await vault.insert(
        {
          objectType,
          owner: '',
          attributes: { Name: [`${objectType}-1`] },
          ...(objectType === 'Certificate' || objectType === 'OpaqueObject' || objectType === 'CertificateRequest'
            ? { value: new Uint8Array([0x30, 0x82, 1, 2]), valueType: 'X_509' }
            : { keyBlock: { keyFormatType: 'Raw', keyMaterial: new Uint8Array([1, 2, 3]) } }),
          ...(objectType === 'SplitKey'
            ? { splitKey: { SplitKeyParts: 3, KeyPartIdentifier: 1, SplitKeyThreshold: 2 } }
            : {}),
        },
        'alice',
      );
      expect(uid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      const o = await vault.getObjectForUse(uid, 'alice');
      expect(o.objectType).toBe(objectType);
      expect(o.owner).toBe('alice');
      expect(o.attributes['State']).toEqual(['PreActive']);
      expect(o.attributes['InitialDate']?.[0]).toBeInstanceOf(Date);
      if (o.keyBlock) expect(o.keyBlock.keyMaterial).toEqual(new Uint8Array([1, 2, 3]));
      else expect(o.value).toEqual(new Uint8Array([0x30, 0x82, 1, 2]));
      if (objectType === 'SplitKey')
        expect(o.splitKey).toEqual({ SplitKeyParts: 3, KeyPartIdentifier: 1, SplitKeyThreshold: 2 });
    }
    expect((await vault.info()).objects).toBe(types.length);
  });

  it('keeps metadata reads free of key material and audits every use of it', async () => {
    const uid = await vault.insert(aesKey('k'), 'alice');
    const meta = await vault.getObject(uid);
    expect(meta.keyBlock).toBeUndefined();
    const before = (await vault.info()).auditEntries;
    const used = await vault.getObjectForUse(uid, 'bob', 'Export');
    expect(used.keyBlock?.keyMaterial).toEqual(new Uint8Array(32).fill(7));
    const last = (await vault.listAudit(before + 1))[0];
    expect(last).toMatchObject({ identity: 'bob', operation: 'Export', object: uid, result: 'Success' });
  });

  it('lists every object in one read, newest first, with metadata only and paging', async () => {
    const a = await vault.insert(aesKey('first'), 'alice');
    const b = await vault.insert(aesKey('second'), 'bob');
    const c = await vault.insert(aesKey('third'), 'alice');
    await vault.activate(c, 'alice');
    await vault.archive(b, 'bob');
    const all = await vault.listObjects();
    expect(all.map((o) => o.uniqueIdentifier)).toEqual([c, b, a]);
    expect(all.map((o) => o.attributes['State']?.[0])).toEqual(['Active', 'PreActive', 'PreActive']);
    expect(all.map((o) => o.owner)).toEqual(['alice', 'bob', 'alice']);
    expect(all.every((o) => o.keyBlock === undefined)).toBe(true);
    const page = await vault.listObjects({ offset: 1, limit: 1 });
    expect(page.map((o) => o.uniqueIdentifier)).toEqual([b]);
    expect(await vault.listObjects({ offset: 3 })).toEqual([]);
  });

  it('refuses an unknown Unique Identifier with Item Not Found, and audits the refusal', async () => {
    expect(await reasonOf(vault.getObject('nope'))).toBe('Item Not Found');
    expect(await reasonOf(vault.activate('nope', 'eve'))).toBe('Item Not Found');
    const entries = await vault.listAudit();
    expect(entries.at(-1)).toMatchObject({
      identity: 'eve',
      operation: 'Activate',
      object: 'nope',
      result: 'Item Not Found',
    });
  });

  it('adds, modifies and deletes attribute instances by index, custom attributes kept as given', async () => {
    const uid = await vault.insert(aesKey('k'), 'alice');
    expect(await vault.addAttribute(uid, 'ObjectGroup', 'g1', 'alice')).toBe(0);
    expect(await vault.addAttribute(uid, 'ObjectGroup', 'g2', 'alice')).toBe(1);
    expect(await vault.addAttribute(uid, 'x-NETAPP-Product', 'ONTAP', 'alice')).toBe(0);
    await vault.modifyAttribute(uid, 'ObjectGroup', 1, 'g3', 'alice');
    let o = await vault.getObject(uid);
    expect(o.attributes['ObjectGroup']).toEqual(['g1', 'g3']);
    expect(o.attributes['x-NETAPP-Product']).toEqual(['ONTAP']);
    await vault.deleteAttribute(uid, 'ObjectGroup', 0, 'alice');
    o = await vault.getObject(uid);
    expect(o.attributes['ObjectGroup']).toEqual(['g3']);
    expect((await vault.locate({ attributes: { ObjectGroup: ['g1'] } })).uniqueIdentifiers).toEqual([]);
    expect((await vault.locate({ attributes: { ObjectGroup: ['g3'] } })).uniqueIdentifiers).toEqual([uid]);
    expect(await reasonOf(vault.modifyAttribute(uid, 'ObjectGroup', 5, 'x', 'alice'))).toBe('Attribute Not Found');
    expect(await reasonOf(vault.addAttribute(uid, 'State', 'Active', 'alice'))).toBe('Attribute Read Only');
    await vault.setAttributes(uid, { ContactInformation: ['ops@example.com'] }, 'alice');
    expect((await vault.getObject(uid)).attributes['ContactInformation']).toEqual(['ops@example.com']);
  });

  it('runs a multi-step operation as one transaction: all or nothing', async () => {
    const countBefore = (await vault.info()).objects;
    await expect(
      vault.transaction(async () => {
        await vault.insert(aesKey('a'), 'alice');
        await vault.insert(aesKey('b'), 'alice');
        throw new KeyholdError('internal', 'boom');
      }),
    ).rejects.toThrow('boom');
    expect((await vault.info()).objects).toBe(countBefore);
    expect((await vault.verifyAudit()).ok).toBe(true);
    const [a, b] = await vault.transaction(async () => [
      await vault.insert(aesKey('a'), 'alice'),
      await vault.insert(aesKey('b'), 'alice'),
    ]);
    expect((await vault.locate({})).uniqueIdentifiers).toEqual([b, a]);
    expect((await vault.verifyAudit()).ok).toBe(true);
  });

  it('stores a batch in one transaction with one audit entry per object; a reused identifier stores nothing', async () => {
    const uids = await vault.insertMany(
      Array.from({ length: 250 }, (_, i) => aesKey(`batch-${i}`)),
      'alice',
    );
    expect(new Set(uids).size).toBe(250);
    expect((await vault.locate({ attributes: { Name: ['batch-249'] } })).uniqueIdentifiers).toEqual([uids[249]]);
    expect((await vault.locate({ attributes: { Name: ['batch-*'] } })).uniqueIdentifiers).toEqual([...uids].reverse());
    const audit = await vault.listAudit(2, 1000);
    expect(audit.map((e) => e.object)).toEqual(uids);
    const before = (await vault.info()).objects;
    const reused = { ...aesKey('dup'), uniqueIdentifier: uids[0] as string };
    expect(await reasonOf(vault.insertMany([aesKey('fresh'), reused], 'alice'))).toBe('invalid-argument');
    expect((await vault.info()).objects).toBe(before);
    expect((await vault.listAudit()).at(-1)).toMatchObject({ object: uids[0], result: 'invalid-argument' });
    expect(await vault.verifyAudit()).toMatchObject({ ok: true });
  });

  it('serializes concurrent writers without interleaving transactions', async () => {
    await Promise.all(Array.from({ length: 20 }, (_, i) => vault.insert(aesKey(`c${i}`), 'alice')));
    expect((await vault.locate({ attributes: { Name: ['c*'] } })).uniqueIdentifiers).toHaveLength(20);
    expect(await vault.verifyAudit()).toMatchObject({ ok: true });
  });
});

describe('group commit', () => {
  it('concurrent transactions share one commit; a failing one rolls back only itself', async () => {
    const taken = await vault.insert(aesKey('taken'), 'alice');
    const results = await Promise.allSettled(
      Array.from({ length: 12 }, (_, i) =>
        vault.insert(i === 5 ? { ...aesKey('dup'), uniqueIdentifier: taken } : aesKey(`g${i}`), 'alice'),
      ),
    );
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(1);
    expect((results[5] as PromiseRejectedResult).reason).toBeInstanceOf(KeyholdError);
    const stored = await vault.locate({ attributes: { Name: ['g*'] } });
    expect(stored.uniqueIdentifiers).toHaveLength(11);
    expect((await vault.verifyAudit()).ok).toBe(true);
  });

  it('uses alone (Get, Encrypt) commit their audit entries together, durable once their callers hear back', async () => {
    const uid = await vault.insert(aesKey('used'), 'alice');
    const before = (await vault.info()).auditEntries;
    const used = await Promise.all(
      Array.from({ length: 10 }, (_, i) => vault.getObjectForUse(uid, 'alice', i % 2 === 0 ? 'Get' : 'Encrypt')),
    );
    expect(used.map((o) => o.uniqueIdentifier)).toEqual(new Array(10).fill(uid));
    // Reopened from disk: every use each caller heard of is in the chain, in order.
    const path = vault.path;
    await vault.lock();
    vault = await Vault.open(path, { unlock: { kind: 'passphrase', passphrase: PASSPHRASE } });
    const entries = await vault.listAudit(before + 1);
    expect(entries.map((e) => [e.operation, e.object])).toEqual(
      Array.from({ length: 10 }, (_, i) => [i % 2 === 0 ? 'Get' : 'Encrypt', uid]),
    );
    expect((await vault.verifyAudit()).ok).toBe(true);
  });

  it('a transaction that fails after others of its group rolls back only itself, uses and writes alike', async () => {
    const uid = await vault.insert(aesKey('mixed-key'), 'alice');
    const results = await Promise.allSettled([
      vault.getObjectForUse(uid, 'alice'),
      vault.insert(aesKey('mixed-1'), 'alice'),
      vault.getObjectForUse(uid, 'alice', 'Encrypt'),
      vault.insert(aesKey('mixed-2'), 'alice'),
      vault.transaction(async () => {
        await vault.insert(aesKey('mixed-undone'), 'alice');
        throw new KeyholdError('invalid-argument', 'refused after its insert');
      }),
      vault.insert(aesKey('mixed-3'), 'alice'),
    ]);
    expect(results.map((r) => r.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
    ]);
    const names = await vault.locate({ attributes: { Name: ['mixed-?'] } });
    expect(names.uniqueIdentifiers).toHaveLength(3);
    expect((await vault.locate({ attributes: { Name: ['mixed-undone'] } })).uniqueIdentifiers).toEqual([]);
    expect((await vault.verifyAudit()).ok).toBe(true);
  });

  it('audit text goes in with its commit byte for byte: quotes, NUL, accents, emoji', async () => {
    const odd = ["o'brien; DROP TABLE audit; --", 'nul\u0000inside', 'ünïcödé 🔑', '"double"'];
    await Promise.all(odd.map((identity, i) => vault.insert(aesKey(`odd-${i}`), identity)));
    const entries = await vault.listAudit();
    for (const identity of odd)
      expect(entries.some((e) => e.identity === identity && e.operation === 'Register')).toBe(true);
    expect((await vault.verifyAudit()).ok).toBe(true);
  });

  it('a commit that fails fails every transaction of its group, and the chain stays whole', async () => {
    // A deferred foreign key is checked only at COMMIT: it makes the group's commit fail.
    await vault.transaction(() =>
      vault.unsafeExec(
        'CREATE TABLE t_parent (id INTEGER PRIMARY KEY); ' +
          'CREATE TABLE t_child (p INTEGER REFERENCES t_parent (id) DEFERRABLE INITIALLY DEFERRED)',
      ),
    );
    const before = (await vault.info()).auditEntries;
    const [a, bad, c] = await Promise.allSettled([
      vault.insert(aesKey('before-bad'), 'alice'),
      vault.transaction(() => vault.unsafeExec('INSERT INTO t_child (p) VALUES (99)')),
      vault.insert(aesKey('after-bad'), 'alice'),
    ]);
    expect([a?.status, bad?.status, c?.status]).toEqual(['rejected', 'rejected', 'rejected']);
    expect((await vault.locate({ attributes: { Name: ['*-bad'] } })).uniqueIdentifiers).toEqual([]);
    expect((await vault.verifyAudit()).ok).toBe(true);
    // Nothing of the failed group is in the chain; the vault goes on.
    const uid = await vault.insert(aesKey('later'), 'alice');
    expect((await vault.getObject(uid)).attributes['Name']).toHaveLength(1);
    const entries = await vault.listAudit(before + 1);
    expect(entries.some((e) => e.object === uid && e.result === 'Success')).toBe(true);
    expect(entries.some((e) => e.result === 'Success' && e.operation === 'Register' && e.object !== uid)).toBe(false);
    expect((await vault.verifyAudit()).ok).toBe(true);
  });
});

describe('lifecycle in the vault', () => {
  it('Activate, Revoke, Destroy with their dates; Destroy removes material and keeps metadata', async () => {
    const uid = await vault.insert(aesKey('life'), 'alice');
    await vault.activate(uid, 'alice');
    let o = await vault.getObject(uid);
    expect(o.attributes['State']).toEqual(['Active']);
    expect(o.attributes['ActivationDate']?.[0]).toBeInstanceOf(Date);
    expect(await reasonOf(vault.destroy(uid, 'alice'))).toBe('Wrong Key Lifecycle State');
    await vault.revoke(uid, { reason: { RevocationReasonCode: 'CessationOfOperation' } }, 'alice');
    o = await vault.getObject(uid);
    expect(o.attributes['State']).toEqual(['Deactivated']);
    expect(o.attributes['DeactivationDate']?.[0]).toBeInstanceOf(Date);
    await vault.destroy(uid, 'alice');
    o = await vault.getObjectForUse(uid, 'alice');
    expect(o.attributes['State']).toEqual(['Destroyed']);
    expect(o.attributes['DestroyDate']?.[0]).toBeInstanceOf(Date);
    expect(o.attributes['Name']).toEqual([{ NameValue: 'life', NameType: 'UninterpretedTextString' }]);
    expect(o.keyBlock).toBeUndefined();
    const occurred = new Date('2026-01-01T00:00:00Z');
    await vault.revoke(
      uid,
      { reason: { RevocationReasonCode: 'KeyCompromise' }, compromiseOccurrenceDate: occurred },
      'alice',
    );
    o = await vault.getObject(uid);
    expect(o.attributes['State']).toEqual(['DestroyedCompromised']);
    expect(o.attributes['CompromiseOccurrenceDate']).toEqual([occurred]);
    // Destroyed objects leave default Locate results but stay findable.
    expect((await vault.locate({ attributes: { Name: ['life'] } })).uniqueIdentifiers).toEqual([]);
    expect(
      (await vault.locate({ attributes: { Name: ['life'] }, storageStatusMask: STORAGE_DESTROYED })).uniqueIdentifiers,
    ).toEqual([uid]);
  });

  it('a Template is destroyed entirely', async () => {
    const uid = await vault.insert({ objectType: 'Template', owner: '', attributes: { Name: ['t'] } }, 'alice');
    await vault.destroy(uid, 'alice');
    expect(await reasonOf(vault.getObject(uid))).toBe('Item Not Found');
  });

  it('date-driven: a future Activation Date keeps Pre-Active, a passed Deactivation Date deactivates', async () => {
    const soon = new Date(Date.now() + 60_000);
    const uid = await vault.insert(aesKey('dated', { ActivationDate: [soon] }), 'alice');
    expect((await vault.getObject(uid)).attributes['State']).toEqual(['PreActive']);
    const later = new Date(soon.getTime() + 1000);
    expect((await vault.getObject(uid, later)).attributes['State']).toEqual(['Active']);
    expect((await vault.locate({ attributes: { State: ['Active'] }, now: later })).uniqueIdentifiers).toEqual([uid]);
    expect((await vault.locate({ attributes: { State: ['PreActive'] } })).uniqueIdentifiers).toEqual([uid]);
    // Transition 6 by Modify Attribute: a Deactivation Date in the past deactivates at once.
    const active = await vault.insert(aesKey('act', { ActivationDate: [new Date(Date.now() - 10_000)] }), 'alice');
    expect((await vault.getObject(active)).attributes['State']).toEqual(['Active']);
    await vault.setAttributes(active, { DeactivationDate: [new Date(Date.now() - 1000)] }, 'alice');
    expect((await vault.getObject(active)).attributes['State']).toEqual(['Deactivated']);
    expect((await vault.locate({ attributes: { State: ['Deactivated'] } })).uniqueIdentifiers).toEqual([active]);
  });

  it('archive and recover: archived objects need Recover before their material is served', async () => {
    const uid = await vault.insert(aesKey('arch'), 'alice');
    await vault.archive(uid, 'alice');
    expect((await vault.getObject(uid)).attributes['ArchiveDate']?.[0]).toBeInstanceOf(Date);
    expect(await reasonOf(vault.archive(uid, 'alice'))).toBe('Object Archived');
    expect(await reasonOf(vault.getObjectForUse(uid, 'alice'))).toBe('Object Archived');
    expect((await vault.locate({ storageStatusMask: STORAGE_ONLINE })).uniqueIdentifiers).toEqual([]);
    expect((await vault.locate({ storageStatusMask: STORAGE_ARCHIVED })).uniqueIdentifiers).toEqual([uid]);
    await vault.recover(uid, 'alice');
    expect((await vault.getObject(uid)).attributes['ArchiveDate']).toBeUndefined();
    expect((await vault.getObjectForUse(uid, 'alice')).keyBlock).toBeDefined();
  });
});

describe('Locate', () => {
  it('matches names exactly and with wildcards, newest first, with Maximum and Offset Items', async () => {
    const uids: string[] = [];
    for (const n of ['db-key-1', 'db-key-2', 'web-key', 'db-key-3', 'x[1]'])
      uids.push(await vault.insert(aesKey(n), 'alice'));
    const find = async (name: string, extra = {}) =>
      (await vault.locate({ attributes: { Name: [{ NameValue: name }] }, ...extra })).uniqueIdentifiers;
    expect(await find('web-key')).toEqual([uids[2]]);
    expect(await find('db-key-*')).toEqual([uids[3], uids[1], uids[0]]);
    expect(await find('db-key-?')).toEqual([uids[3], uids[1], uids[0]]);
    expect(await find('*key*', { maximumItems: 2 })).toEqual([uids[3], uids[2]]);
    expect(await find('*key*', { maximumItems: 2, offsetItems: 2 })).toEqual([uids[1], uids[0]]);
    expect(await find('x[1]')).toEqual([uids[4]]);
    expect(await find('db-key')).toEqual([]);
    const counted = await vault.locate({ attributes: { Name: ['db-*'] }, maximumItems: 1, countLocated: true });
    expect(counted).toEqual({ uniqueIdentifiers: [uids[3]], locatedItems: 3 });
  });

  it('ANDs filters on type, algorithm, length, usage mask, group, owner, links and custom attributes', async () => {
    const a = await vault.insert(aesKey('a', { ObjectGroup: ['prod'], 'x-app': ['billing'] }), 'alice');
    const b = await vault.insert(
      { ...aesKey('b', { CryptographicLength: [128], CryptographicUsageMask: [4] }), owner: 'bob' },
      'bob',
    );
    const pub = await vault.insert(
      {
        objectType: 'PublicKey',
        owner: '',
        attributes: {
          Name: ['pub'],
          CryptographicAlgorithm: ['RSA'],
          Link: [
            { LinkType: 'PrivateKeyLink', LinkedObjectIdentifier: 'priv-1' },
            { LinkType: 'CertificateLink', LinkedObjectIdentifier: 'cert-1' },
          ],
        },
      },
      'alice',
    );
    const ids = async (attributes: Record<string, unknown[]>, owner?: string) =>
      (await vault.locate({ attributes: attributes as never, ...(owner ? { owner } : {}) })).uniqueIdentifiers;
    expect(await ids({ ObjectType: ['SymmetricKey'] })).toEqual([b, a]);
    expect(await ids({ ObjectType: ['SymmetricKey'], CryptographicLength: [256] })).toEqual([a]);
    expect(await ids({ CryptographicAlgorithm: ['RSA'] })).toEqual([pub]);
    // Usage mask: every requested bit set (4 = Encrypt, 8 = Decrypt): a has 12, b has 4.
    expect(await ids({ CryptographicUsageMask: [4] })).toEqual([b, a]);
    expect(await ids({ CryptographicUsageMask: [8] })).toEqual([a]);
    expect(await ids({ ObjectGroup: ['prod'] })).toEqual([a]);
    expect(await ids({ 'x-app': ['billing'] })).toEqual([a]);
    expect(await ids({}, 'bob')).toEqual([b]);
    // A structure matches on the fields given, within one instance.
    expect(await ids({ Link: [{ LinkedObjectIdentifier: 'cert-1' }] })).toEqual([pub]);
    expect(await ids({ Link: [{ LinkType: 'PrivateKeyLink', LinkedObjectIdentifier: 'priv-1' }] })).toEqual([pub]);
    expect(await ids({ Link: [{ LinkType: 'PrivateKeyLink', LinkedObjectIdentifier: 'cert-1' }] })).toEqual([]);
    expect(await ids({ ObjectType: ['SymmetricKey'], CryptographicAlgorithm: ['RSA'] })).toEqual([]);
  });

  it('takes one date for equality and two for a range, limits included', async () => {
    const t = (s: string) => new Date(`2026-0${s}-01T00:00:00Z`);
    const jan = await vault.insert(aesKey('jan', { ActivationDate: [t('1')], ProcessStartDate: [t('1')] }), 'alice');
    const mar = await vault.insert(aesKey('mar', { ActivationDate: [t('3')], ProcessStartDate: [t('3')] }), 'alice');
    const may = await vault.insert(aesKey('may', { ActivationDate: [t('5')], ProcessStartDate: [t('5')] }), 'alice');
    const ids = async (name: string, dates: Date[]) =>
      (await vault.locate({ attributes: { [name]: dates } })).uniqueIdentifiers;
    expect(await ids('ActivationDate', [t('3')])).toEqual([mar]);
    expect(await ids('ActivationDate', [t('3'), t('5')])).toEqual([may, mar]);
    expect(await ids('ActivationDate', [t('5'), t('1')])).toEqual([may, mar, jan]);
    // A date attribute that is not promoted to a column ranges the same way.
    expect(await ids('ProcessStartDate', [t('1'), t('3')])).toEqual([mar, jan]);
  });

  it('uses the indexes: a name lookup never scans the object table', async () => {
    const plan = (await vault.explainLocate({ attributes: { Name: ['some-name'] } })).join('\n');
    expect(plan).not.toMatch(/SCAN o\b/);
    const wild = (await vault.explainLocate({ attributes: { Name: ['some-*'] } })).join('\n');
    expect(wild).not.toMatch(/SCAN o\b/);
  });
});
