import { describe, expect, it } from 'vitest';
import type { StructureItem, TtlvItem } from '../../main/kmip/ttlv/index.js';
import { find, t } from '../../main/ops/ttlv.js';
import { EnumNames, Operation, ResultReason, Tag } from '../../main/ops/vocabulary.js';
import { ok, opsHarness, resultOf, uidOf, valueOf } from './ops-harness.js';

const E = EnumNames;
const SYMMETRIC_KEY = E.ObjectType!.SymmetricKey!;
const WRAP_UNWRAP = 0x30;
const NIST_KW = E.BlockCipherMode!.NISTKeyWrap!;

type Send = ReturnType<typeof opsHarness>['send'];

async function createAes(send: Send, name: string, mask: number, extra: TtlvItem[] = []): Promise<string> {
  return uidOf(
    await send(Operation.Create, [
      t.enm(Tag.ObjectType, SYMMETRIC_KEY),
      t.struct(Tag.Attributes, [
        t.enm(Tag.CryptographicAlgorithm, E.CryptographicAlgorithm!.AES!),
        t.int(Tag.CryptographicLength, 256),
        t.int(Tag.CryptographicUsageMask, mask),
        t.struct(Tag.Name, [t.text(Tag.NameValue, name), t.enm(Tag.NameType, 1)]),
        t.date(Tag.ActivationDate, new Date(Date.now() - 60_000)),
        ...extra,
      ]),
    ]),
  );
}

/** The Import request that puts an Export response into another server. */
function importFrom(exported: StructureItem, extra: TtlvItem[] = []): TtlvItem[] {
  const objectType = valueOf(exported, Tag.ObjectType) as number;
  const objectItem = exported.value.find((i) => i.tag === Tag.SymmetricKey || i.tag === Tag.SecretData);
  return [
    t.text(Tag.UniqueIdentifier, valueOf(exported, Tag.UniqueIdentifier) as string),
    t.enm(Tag.ObjectType, objectType),
    ...extra,
    find(exported, Tag.Attributes) as StructureItem,
    objectItem as StructureItem,
  ];
}

describe('Export and Import', () => {
  it('round-trips a key between two stores: same identifier, key material and attributes; Export changes nothing', async () => {
    const a = opsHarness();
    const b = opsHarness();
    const uid = await createAes(a.send, 'payroll', 0x0c, [t.text(Tag.Description, 'moved')]);
    const exported = ok(await a.send(Operation.Export, [t.text(Tag.UniqueIdentifier, uid)]));
    expect(valueOf(exported, Tag.UniqueIdentifier)).toBe(uid);
    const attrs = find(exported, Tag.Attributes) as StructureItem;
    expect(valueOf(attrs, Tag.CryptographicUsageMask)).toBe(0x0c);
    expect((await a.object(uid)).attributes['Fresh']).toEqual([true]);

    expect(uidOf(await b.send(Operation.Import, importFrom(exported)))).toBe(uid);
    const [src, dst] = [await a.object(uid), await b.object(uid)];
    expect(
      Buffer.from(dst.keyBlock?.keyMaterial as Uint8Array).equals(Buffer.from(src.keyBlock?.keyMaterial as Uint8Array)),
    ).toBe(true);
    for (const name of ['Name', 'CryptographicUsageMask', 'State', 'Description'])
      expect(dst.attributes[name]).toEqual(src.attributes[name]);
    const digest = (o: typeof src) =>
      Buffer.from((o.attributes['Digest']?.[0] as { DigestValue: Uint8Array }).DigestValue).toString('hex');
    expect(digest(dst)).toBe(digest(src));
    // Date-Time travels in whole seconds.
    const seconds = (d: unknown) => Math.floor((d as Date).getTime() / 1000);
    for (const name of ['InitialDate', 'ActivationDate'])
      expect(seconds(dst.attributes[name]?.[0])).toBe(seconds(src.attributes[name]?.[0]));
    expect(dst.owner).toBe('alice');
    // And it serves in the new store.
    const got = ok(await b.send(Operation.Get, [t.text(Tag.UniqueIdentifier, uid)]));
    expect(valueOf(got, Tag.UniqueIdentifier)).toBe(uid);
  });

  it('refuses a second Import of the same identifier unless Replace Existing; never swaps key material', async () => {
    const a = opsHarness();
    const b = opsHarness();
    const uid = await createAes(a.send, 'k', 0x0c);
    const exported = ok(await a.send(Operation.Export, [t.text(Tag.UniqueIdentifier, uid)]));
    ok(await b.send(Operation.Import, importFrom(exported)));
    expect(resultOf(await b.send(Operation.Import, importFrom(exported))).reason).toBe(
      ResultReason.ObjectAlreadyExists,
    );
    await a.send(Operation.SetAttribute, [
      t.text(Tag.UniqueIdentifier, uid),
      t.struct(Tag.NewAttribute, [t.text(Tag.Description, 'updated')]),
    ]);
    const again = ok(await a.send(Operation.Export, [t.text(Tag.UniqueIdentifier, uid)]));
    ok(await b.send(Operation.Import, importFrom(again, [t.bool(Tag.ReplaceExisting, true)])));
    expect((await b.object(uid)).attributes['Description']).toEqual(['updated']);
    // Another key's material under the same identifier is refused.
    const other = await createAes(a.send, 'other', 0x0c);
    const otherExport = ok(await a.send(Operation.Export, [t.text(Tag.UniqueIdentifier, other)]));
    const swapped = importFrom(otherExport, [t.bool(Tag.ReplaceExisting, true)]);
    swapped[0] = t.text(Tag.UniqueIdentifier, uid);
    expect(resultOf(await b.send(Operation.Import, swapped)).reason).toBe(ResultReason.FeatureNotSupported);
    // Another client cannot replace it.
    const stolen = resultOf(
      await b.send(Operation.Import, importFrom(again, [t.bool(Tag.ReplaceExisting, true)]), { identity: 'bob' }),
    );
    expect(stolen.reason).toBe(ResultReason.PermissionDenied);
  });

  it('exports wrapped; Import with Key Wrap Type Not Wrapped unwraps it with the key-encryption key there', async () => {
    const a = opsHarness();
    const b = opsHarness();
    const kek = await createAes(a.send, 'kek', WRAP_UNWRAP, [
      t.struct(Tag.CryptographicParameters, [t.enm(Tag.BlockCipherMode, NIST_KW)]),
    ]);
    const key = await createAes(a.send, 'data', 0x0c);
    // The KEK travels first (in clear, between two stores of the same owner).
    ok(
      await b.send(
        Operation.Import,
        importFrom(ok(await a.send(Operation.Export, [t.text(Tag.UniqueIdentifier, kek)]))),
      ),
    );
    const wrappedExport = ok(
      await a.send(Operation.Export, [
        t.text(Tag.UniqueIdentifier, key),
        t.struct(Tag.KeyWrappingSpecification, [
          t.enm(Tag.WrappingMethod, 1),
          t.struct(Tag.EncryptionKeyInformation, [t.text(Tag.UniqueIdentifier, kek)]),
        ]),
      ]),
    );
    const kb = find(find(wrappedExport, Tag.SymmetricKey) as StructureItem, Tag.KeyBlock) as StructureItem;
    expect(find(kb, Tag.KeyWrappingData)).toBeDefined();
    ok(await b.send(Operation.Import, importFrom(wrappedExport, [t.enm(Tag.KeyWrapType, E.KeyWrapType!.NotWrapped!)])));
    const [src, dst] = [await a.object(key), await b.object(key)];
    expect(dst.keyBlock?.keyWrappingData).toBeUndefined();
    expect(
      Buffer.from(dst.keyBlock?.keyMaterial as Uint8Array).equals(Buffer.from(src.keyBlock?.keyMaterial as Uint8Array)),
    ).toBe(true);
  });

  it('Import As Registered keeps a wrapped key wrapped, linked to its wrapping key', async () => {
    const a = opsHarness();
    const b = opsHarness();
    const kek = await createAes(a.send, 'kek', WRAP_UNWRAP, [
      t.struct(Tag.CryptographicParameters, [t.enm(Tag.BlockCipherMode, NIST_KW)]),
    ]);
    const key = await createAes(a.send, 'data', 0x0c);
    const wrappedExport = ok(
      await a.send(Operation.Export, [
        t.text(Tag.UniqueIdentifier, key),
        t.struct(Tag.KeyWrappingSpecification, [
          t.enm(Tag.WrappingMethod, 1),
          t.struct(Tag.EncryptionKeyInformation, [t.text(Tag.UniqueIdentifier, kek)]),
        ]),
      ]),
    );
    ok(
      await b.send(Operation.Import, importFrom(wrappedExport, [t.enm(Tag.KeyWrapType, E.KeyWrapType!.AsRegistered!)])),
    );
    const stored = await b.object(key);
    expect(stored.keyBlock?.keyWrappingData).toBeDefined();
    expect(stored.attributes['Link']).toContainEqual({ LinkType: 'WrappingKeyLink', LinkedObjectIdentifier: kek });
  });

  it('is a KMIP 1.4 operation: refused to a 1.3 client, served to a 1.4 one (its 1.4 form: import-export-v14.test.ts)', async () => {
    const { send } = opsHarness();
    const uid = await createAes(send, 'k', 0x0c);
    const r13 = resultOf(await send(Operation.Export, [t.text(Tag.UniqueIdentifier, uid)], { version: [1, 3] }));
    expect(r13.reason).toBe(ResultReason.OperationNotSupported);
    const v14 = ok(await send(Operation.Export, [t.text(Tag.UniqueIdentifier, uid)], { version: [1, 4] }));
    expect(valueOf(v14, Tag.UniqueIdentifier)).toBe(uid);
    expect(find(v14, Tag.SymmetricKey)).toBeDefined();
  });

  it('a 2.x Import still needs its Object Type and Attributes fields', async () => {
    const a = opsHarness();
    const b = opsHarness();
    const exported = ok(
      await a.send(Operation.Export, [t.text(Tag.UniqueIdentifier, await createAes(a.send, 'k', 0x0c))]),
    );
    const request = importFrom(exported);
    for (const tag of [Tag.ObjectType, Tag.Attributes]) {
      const r = resultOf(
        await b.send(
          Operation.Import,
          request.filter((i) => i.tag !== tag),
        ),
      );
      expect(r.reason).toBe(ResultReason.InvalidField);
    }
  });
});
