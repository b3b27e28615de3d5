import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KmipClient } from '../../main/client/kmip-client.js';
import type { StructureItem, TtlvItem } from '../../main/kmip/ttlv/index.js';
import { find, findAll, t } from '../../main/ops/ttlv.js';
import { Tag } from '../../main/ops/vocabulary.js';
import type { KmipServer } from '../../main/server/kmip-server.js';
import { enrollClient } from '../../main/server/pki.js';
import { startVaultServer } from '../../main/server/serve.js';
import { Vault } from '../../main/vault/index.js';
import type { TestPki } from '../interop/support/certs.js';
import { freePort } from '../interop/support/ports.js';
import { connectTestClient, startMemoryKmipServer } from '../support/memory-kmip-server.js';
import { CHEAP_KDF, PASSPHRASE, tempVaultPath } from '../vault/helpers.js';

const V14 = { major: 1, minor: 4 };

/** The 1.4 Import request for a 1.4 Export response, under `uid`: no Object Type field, 1.x Attributes repeated. */
function import14(exported: StructureItem, uid: string, extra: TtlvItem[] = []): (TtlvItem | undefined)[] {
  return [
    t.text(Tag.UniqueIdentifier, uid),
    ...extra,
    ...findAll(exported, Tag.Attribute),
    exported.value.find((i) => i.tag === Tag.SymmetricKey),
  ];
}

const attribute = (exported: StructureItem, name: string): unknown[] =>
  findAll(exported, Tag.Attribute)
    .filter((a) => find(a as StructureItem, Tag.AttributeName)?.value === name)
    .map((a) => find(a as StructureItem, Tag.AttributeValue)?.value);

/**
 * Export and Import in their 1.4 form over mutual TLS: a client fixed at KMIP 1.4 moves a key
 * from `keyhold serve`'s server over a SQLCipher vault to a second server (in memory) and back.
 */
describe('Export/Import between two servers, a KMIP 1.4 client on each (mutual TLS)', () => {
  let tmp: ReturnType<typeof tempVaultPath>;
  let vault: Vault;
  let server: KmipServer;
  let fromVault: KmipClient;
  let toMemory: KmipClient;
  let second: { pki: TestPki; server: KmipServer; port: number };

  beforeAll(async () => {
    tmp = tempVaultPath();
    vault = await Vault.create(tmp.vaultPath, {
      unlock: { kind: 'passphrase', passphrase: PASSPHRASE },
      sealOptions: CHEAP_KDF,
    });
    const alice = await enrollClient(vault, 'alice');
    const port = await freePort();
    ({ server } = await startVaultServer(vault, { host: '127.0.0.1', port }));
    const common = { host: '127.0.0.1', version: V14, timeoutMs: 30_000 };
    fromVault = await KmipClient.connect({
      ...common,
      port,
      cert: alice.certPem,
      key: alice.keyPem,
      ca: alice.caCertPem,
    });
    second = await startMemoryKmipServer();
    toMemory = await connectTestClient(second, 'importer', { version: V14, timeoutMs: 30_000 });
  }, 60_000);

  afterAll(async () => {
    await fromVault?.close();
    await toMemory?.close();
    await server?.close();
    await second?.server.close();
    second?.pki.dispose();
    await vault?.lock();
    tmp?.cleanup();
  });

  it('moves a key with its attributes there and back; Replace Existing false refuses, true replaces', async () => {
    expect(fromVault.version).toEqual(V14);
    const key = await fromVault.create('SymmetricKey', {
      CryptographicAlgorithm: ['AES'],
      CryptographicLength: [256],
      CryptographicUsageMask: [0x0c],
      Name: [
        { NameValue: 'travelling key', NameType: 'UninterpretedTextString' },
        { NameValue: 'travelling key 2', NameType: 'UninterpretedTextString' },
      ],
      Description: ['first'],
    });
    const exported = await fromVault.call('Export', [t.text(Tag.UniqueIdentifier, key)]);
    expect(find(exported, Tag.Attributes)).toBeUndefined();
    expect(attribute(exported, 'Name')).toHaveLength(2);

    expect(find(await toMemory.call('Import', import14(exported, 'copy')), Tag.UniqueIdentifier)?.value).toBe('copy');
    expect((await toMemory.get('copy')).keyMaterial).toEqual((await fromVault.get(key)).keyMaterial);
    expect((await toMemory.getAttributes('copy', ['Name'])).Name).toHaveLength(2);
    const refused = toMemory.call('Import', import14(exported, 'copy', [t.bool(Tag.ReplaceExisting, false)]));
    await expect(refused).rejects.toMatchObject({ resultReason: 'ObjectAlreadyExists' });

    await fromVault.call('ModifyAttribute', [
      t.text(Tag.UniqueIdentifier, key),
      t.struct(Tag.Attribute, [t.text(Tag.AttributeName, 'Description'), t.text(Tag.AttributeValue, 'second')]),
    ]);
    const updated = await fromVault.call('Export', [t.text(Tag.UniqueIdentifier, key)]);
    await toMemory.call('Import', import14(updated, 'copy', [t.bool(Tag.ReplaceExisting, true)]));
    expect((await toMemory.getAttributes('copy', ['Description'])).Description).toEqual(['second']);

    // And back into the vault under a third identifier: the SQLCipher store keeps what was imported.
    const back = await toMemory.call('Export', [t.text(Tag.UniqueIdentifier, 'copy')]);
    await fromVault.call('Import', import14(back, 'returned'));
    expect((await fromVault.get('returned')).keyMaterial).toEqual((await fromVault.get(key)).keyMaterial);
    const again = await fromVault.call('Export', [t.text(Tag.UniqueIdentifier, 'returned')]);
    for (const name of ['Name', 'Description', 'Cryptographic Usage Mask', 'State', 'Digest', 'Initial Date']) {
      expect(attribute(updated, name).length, name).toBeGreaterThan(0);
      expect(attribute(again, name), name).toEqual(attribute(updated, name));
    }
  });

  it("Keyhold's client imports a 1.4 Export in the 1.4 form (no Object Type field, Attribute structures)", async () => {
    const key = await fromVault.create('SymmetricKey', {
      CryptographicAlgorithm: ['AES'],
      CryptographicLength: [128],
      CryptographicUsageMask: [0x0c],
      Name: [{ NameValue: 'client-imported', NameType: 'UninterpretedTextString' }],
    });
    const exported = await fromVault.exportObject(key);
    expect(await toMemory.importObject(exported)).toBe(key);
    expect((await toMemory.get(key)).keyMaterial).toEqual((await fromVault.get(key)).keyMaterial);
    expect((await toMemory.getAttributes(key, ['Name'])).Name).toEqual([
      { NameValue: 'client-imported', NameType: 'UninterpretedTextString' },
    ]);
    await expect(toMemory.importObject(exported)).rejects.toMatchObject({ resultReason: 'ObjectAlreadyExists' });
    expect(await toMemory.importObject(exported, { replaceExisting: true })).toBe(key);
  });
});
