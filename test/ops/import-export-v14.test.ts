import { describe, expect, it } from 'vitest';
import { forVersion, tagAllowedIn } from '../../main/kmip/messages/index.js';
import { tagByName } from '../../main/kmip/registry/index.js';
import { decodeTtlv, encodeTtlv, ItemType, type StructureItem, type TtlvItem } from '../../main/kmip/ttlv/index.js';
import { MemoryObjectStore, operations } from '../../main/ops/index.js';
import type { OpsContext } from '../../main/ops/context.js';
import { exportOp } from '../../main/ops/import-export.js';
import { find, findAll, t } from '../../main/ops/ttlv.js';
import { EnumNames, Operation, ResultReason, Tag } from '../../main/ops/vocabulary.js';
import { GrantTable } from '../../main/server/access.js';
import { KmipProcessor } from '../../main/server/protocol.js';
import type { ManagedObject } from '../../main/vault/model.js';
import { ok, opsHarness, payloadOf, resultOf, uidOf, valueOf } from './ops-harness.js';

const E = EnumNames;
const V14: [number, number] = [1, 4];
const WRAP_UNWRAP = 0x30;

type Send = ReturnType<typeof opsHarness>['send'];

/** A 1.x Attribute structure (KMIP 1.4 section 2.1.1). */
function attr(name: string, value: TtlvItem, index?: number): StructureItem {
  return t.struct(Tag.Attribute, [
    t.text(Tag.AttributeName, name),
    index !== undefined ? t.int(Tag.AttributeIndex, index) : undefined,
    { ...value, tag: Tag.AttributeValue } as TtlvItem,
  ]);
}

const name = (value: string) =>
  t.struct(Tag.AttributeValue, [
    t.text(Tag.NameValue, value),
    t.enm(Tag.NameType, E.NameType!.UninterpretedTextString!),
  ]);

/** Create in a 1.4 message: Template-Attribute of 1.x Attribute structures. */
async function create14(send: Send, label: string, mask: number, extra: StructureItem[] = []): Promise<string> {
  return uidOf(
    await send(
      Operation.Create,
      [
        t.enm(Tag.ObjectType, E.ObjectType!.SymmetricKey!),
        t.struct(Tag.TemplateAttribute, [
          attr('Cryptographic Algorithm', t.enm(0, E.CryptographicAlgorithm!.AES!)),
          attr('Cryptographic Length', t.int(0, 256)),
          attr('Cryptographic Usage Mask', t.int(0, mask)),
          attr('Name', name(label)),
          attr('Activation Date', t.date(0, new Date(Date.now() - 60_000))),
          ...extra,
        ]),
      ],
      { version: V14 },
    ),
  );
}

/** The 1.4 Import request for a 1.4 Export response: no Object Type field, the Attributes repeated. */
function import14(exported: StructureItem, uid: string, extra: TtlvItem[] = []): TtlvItem[] {
  const objectItem = exported.value.find((i) => i.tag === Tag.SymmetricKey) as StructureItem;
  return [t.text(Tag.UniqueIdentifier, uid), ...extra, ...findAll(exported, Tag.Attribute), objectItem];
}

const export14 = (send: Send, uid: string, extra: TtlvItem[] = []) =>
  send(Operation.Export, [t.text(Tag.UniqueIdentifier, uid), ...extra], { version: V14 });

/** An attribute value comparable across the wire: bytes as hex, Date-Time in whole seconds (as it travels). */
function comparable(value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
  if (value instanceof Date) return Math.floor(value.getTime() / 1000);
  if (Array.isArray(value)) return value.map(comparable);
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, comparable(v)]));
  return value;
}

const keyBytes = (o: ManagedObject) => Buffer.from(o.keyBlock?.keyMaterial as Uint8Array).toString('hex');

/** Every item of a TTLV tree, depth first. */
function walk(item: TtlvItem, out: TtlvItem[] = []): TtlvItem[] {
  out.push(item);
  if (item.type === ItemType.Structure) for (const c of item.value) walk(c, out);
  return out;
}

/** The Attribute Names of the 1.x Attribute structures directly in a payload. */
const attributeNames = (payload: StructureItem) =>
  findAll(payload, Tag.Attribute).map((a) => valueOf(a as StructureItem, Tag.AttributeName) as string);

describe('Export and Import in their KMIP 1.4 form (1.4 sections 4.40, 4.41)', () => {
  it('a 1.4 Export answers Object Type, Unique Identifier, 1.x Attribute structures and the object, in that order', async () => {
    const a = opsHarness();
    const uid = await create14(a.send, 'payroll', 0x0c, [attr('Name', name('payroll-2'), 1)]);
    const exported = ok(await export14(a.send, uid));
    const tags = exported.value.map((i) => i.tag);
    const attributes = tags.filter((tag) => tag === Tag.Attribute).length;
    expect(attributes).toBeGreaterThan(5);
    expect(tags).toEqual([
      Tag.ObjectType,
      Tag.UniqueIdentifier,
      ...Array<number>(attributes).fill(Tag.Attribute),
      Tag.SymmetricKey,
    ]);
    expect(valueOf(exported, Tag.ObjectType)).toBe(E.ObjectType!.SymmetricKey);
    expect(valueOf(exported, Tag.UniqueIdentifier)).toBe(uid);
    expect(find(exported, Tag.Attributes)).toBeUndefined();
    // The second Name carries Attribute Index 1; the usage mask is the one created.
    const names = findAll(exported, Tag.Attribute).filter(
      (x) => valueOf(x as StructureItem, Tag.AttributeName) === 'Name',
    ) as StructureItem[];
    expect(names.map((n) => valueOf(n, Tag.AttributeIndex))).toEqual([undefined, 1]);
    const mask = findAll(exported, Tag.Attribute).find(
      (x) => valueOf(x as StructureItem, Tag.AttributeName) === 'Cryptographic Usage Mask',
    ) as StructureItem;
    expect(valueOf(mask, Tag.AttributeValue)).toBe(0x0c);
    // Export changes nothing: the key is still Fresh.
    expect((await a.object(uid)).attributes['Fresh']).toEqual([true]);
  });

  it('a 1.4 client Exports a key and Imports it under another identifier: key material and attributes equal', async () => {
    const a = opsHarness();
    const b = opsHarness();
    const uid = await create14(a.send, 'payroll', 0x0c, [
      attr('Name', name('payroll-2'), 1),
      attr('Description', t.text(0, 'moved')),
      attr('x-site', t.text(0, 'basement')),
    ]);
    const exported = ok(await export14(a.send, uid));
    expect(uidOf(await b.send(Operation.Import, import14(exported, 'moved-1'), { version: V14 }))).toBe('moved-1');
    const [src, dst] = [await a.object(uid), await b.object('moved-1')];
    expect(dst.objectType).toBe('SymmetricKey');
    expect(keyBytes(dst)).toBe(keyBytes(src));
    expect(dst.owner).toBe('alice');
    expect(dst.attributes['UniqueIdentifier']).toEqual(['moved-1']);
    // Every attribute 1.4 defines arrives with its value (the rest are 2.x-only and not in a 1.4 message).
    const sent = new Set(attributeNames(exported));
    const carried = Object.keys(src.attributes).filter(
      (n) => n !== 'UniqueIdentifier' && n !== 'ShortUniqueIdentifier',
    );
    const compared = carried.filter((n) => sent.has(n.replace(/([a-z0-9])([A-Z])/g, '$1 $2')) || n.startsWith('x-'));
    for (const n of compared)
      expect(comparable(dst.attributes[n] ?? []), n).toEqual(comparable(src.attributes[n] ?? []));
    expect(compared.length).toBeGreaterThanOrEqual(15);
    for (const n of ['Name', 'Description', 'x-site', 'State', 'ActivationDate', 'InitialDate', 'Digest'])
      expect(comparable(dst.attributes[n] ?? []), n).toEqual(comparable(src.attributes[n] ?? []));
    expect(dst.attributes['Name']).toHaveLength(2);
    expect(dst.attributes['State']).toEqual(['Active']);
    // The imported key serves a 1.4 Get in the other store.
    const got = ok(await b.send(Operation.Get, [t.text(Tag.UniqueIdentifier, 'moved-1')], { version: V14 }));
    expect(valueOf(got, Tag.UniqueIdentifier)).toBe('moved-1');
    // And a 1.4 Export there gives the same attributes back.
    const again = ok(await export14(b.send, 'moved-1'));
    const strip = (p: StructureItem) => attributeNames(p).filter((n) => n !== 'Unique Identifier');
    expect(strip(again).sort()).toEqual(strip(exported).sort());
  });

  it('Replace Existing: absent or false fails with Object Already Exists, true replaces the attributes', async () => {
    const a = opsHarness();
    const b = opsHarness();
    const uid = await create14(a.send, 'k', 0x0c, [attr('Description', t.text(0, 'first'))]);
    const first = ok(await export14(a.send, uid));
    ok(await b.send(Operation.Import, import14(first, uid), { version: V14 }));
    await a.send(
      Operation.ModifyAttribute,
      [t.text(Tag.UniqueIdentifier, uid), attr('Description', t.text(0, 'second'))],
      { version: V14 },
    );
    const second = ok(await export14(a.send, uid));
    for (const extra of [[], [t.bool(Tag.ReplaceExisting, false)]]) {
      const r = resultOf(await b.send(Operation.Import, import14(second, uid, extra), { version: V14 }));
      expect(r.reason).toBe(ResultReason.ObjectAlreadyExists);
    }
    expect((await b.object(uid)).attributes['Description']).toEqual(['first']);
    ok(await b.send(Operation.Import, import14(second, uid, [t.bool(Tag.ReplaceExisting, true)]), { version: V14 }));
    expect((await b.object(uid)).attributes['Description']).toEqual(['second']);
    expect(keyBytes(await b.object(uid))).toBe(keyBytes(await a.object(uid)));
    // Another key's material under that identifier is still refused, in 1.4 as in 2.x.
    const other = ok(await export14(a.send, await create14(a.send, 'other', 0x0c)));
    const swapped = import14(other, uid, [t.bool(Tag.ReplaceExisting, true)]);
    expect(resultOf(await b.send(Operation.Import, swapped, { version: V14 })).reason).toBe(
      ResultReason.FeatureNotSupported,
    );
  });

  it('wrapped: a 1.4 Export with a Key Wrapping Specification; Import Not Wrapped unwraps, otherwise it stays wrapped', async () => {
    const a = opsHarness();
    const b = opsHarness();
    const kek = await create14(a.send, 'kek', WRAP_UNWRAP, [
      attr('Cryptographic Parameters', t.struct(0, [t.enm(Tag.BlockCipherMode, E.BlockCipherMode!.NISTKeyWrap!)])),
    ]);
    const key = await create14(a.send, 'data', 0x0c);
    ok(await b.send(Operation.Import, import14(ok(await export14(a.send, kek)), kek), { version: V14 }));
    const wrapped = ok(
      await export14(a.send, key, [
        t.struct(Tag.KeyWrappingSpecification, [
          t.enm(Tag.WrappingMethod, E.WrappingMethod!.Encrypt!),
          t.struct(Tag.EncryptionKeyInformation, [t.text(Tag.UniqueIdentifier, kek)]),
        ]),
      ]),
    );
    const kb = find(find(wrapped, Tag.SymmetricKey) as StructureItem, Tag.KeyBlock) as StructureItem;
    expect(find(kb, Tag.KeyWrappingData)).toBeDefined();

    const notWrapped = [t.enm(Tag.KeyWrapType, E.KeyWrapType!.NotWrapped!)];
    ok(await b.send(Operation.Import, import14(wrapped, 'clear', notWrapped), { version: V14 }));
    const clear = await b.object('clear');
    expect(clear.keyBlock?.keyWrappingData).toBeUndefined();
    expect(keyBytes(clear)).toBe(keyBytes(await a.object(key)));

    ok(await b.send(Operation.Import, import14(wrapped, 'kept'), { version: V14 }));
    const kept = await b.object('kept');
    expect(kept.keyBlock?.keyWrappingData).toBeDefined();
    expect(kept.attributes['Link']).toContainEqual({ LinkType: 'WrappingKeyLink', LinkedObjectIdentifier: kek });
    // Not Wrapped without the wrapping key at hand is an error, and stores nothing.
    const c = opsHarness();
    expect(resultOf(await c.send(Operation.Import, import14(wrapped, 'x', notWrapped), { version: V14 })).status).toBe(
      1,
    );
    expect(await c.store.get('x', 'alice')).toBeUndefined();
  });

  it('the bytes of a 1.4 Export response carry no field newer than 1.4, and the operation makes none', async () => {
    const h = opsHarness();
    const uid = await create14(h.send, 'k', 0x0c);
    // The stored key has 2.x-only attributes (Short Unique Identifier, Key Format Type...).
    const stored = await h.object(uid);
    const only2x = ['ShortUniqueIdentifier', 'KeyFormatType', 'ProtectionStorageMask'].filter(
      (n) => stored.attributes[n] !== undefined,
    );
    expect(only2x.length).toBeGreaterThan(0);

    const item = await export14(h.send, uid);
    for (const i of walk(item)) {
      expect(tagAllowedIn(i.tag, { major: 1, minor: 4 }), `tag 0x${i.tag.toString(16)}`).toBe(true);
      expect(i.type).not.toBe(ItemType.DateTimeExtended);
    }
    for (const n of attributeNames(payloadOf(item))) {
      const tag = n.startsWith('x-') ? undefined : tagByName(n);
      if (tag !== undefined) expect(tagAllowedIn(tag, { major: 1, minor: 4 }), n).toBe(true);
    }
    // Not only stripped on the way out: the operation itself emits nothing forVersion would remove.
    const ctx = (major: number, minor: number): OpsContext => ({
      store: h.store,
      access: new GrantTable(),
      identity: 'alice',
      version: { major, minor },
      idPlaceholder: undefined,
      now: () => new Date(),
    });
    const payload = t.struct(Tag.RequestPayload, [t.text(Tag.UniqueIdentifier, uid)]);
    const stripped: number[] = [];
    const v14 = await exportOp(payload, ctx(1, 4));
    forVersion(v14, { major: 1, minor: 4 }, { onStrip: (tag) => stripped.push(tag) });
    expect(stripped).toEqual([]);
    // While the 2.1 form carries them, in one Attributes structure.
    const v21 = await exportOp(payload, ctx(2, 1));
    const attrs = find(v21, Tag.Attributes) as StructureItem;
    for (const n of only2x) expect(find(attrs, Tag[n as keyof typeof Tag] as number), n).toBeDefined();
    expect(findAll(v21, Tag.Attribute)).toEqual([]);
  });

  it('a 1.4 Import needs the object; the Object Type attribute must name the object sent', async () => {
    const a = opsHarness();
    const b = opsHarness();
    const uid = await create14(a.send, 'k', 0x0c);
    const exported = ok(await export14(a.send, uid));
    const noObject = import14(exported, 'n').filter((i) => i.tag !== Tag.SymmetricKey);
    expect(resultOf(await b.send(Operation.Import, noObject, { version: V14 })).reason).toBe(ResultReason.InvalidField);
    const lying = import14(exported, 'l').map((i) =>
      i.tag === Tag.Attribute && valueOf(i as StructureItem, Tag.AttributeName) === 'Object Type'
        ? attr('Object Type', t.enm(0, E.ObjectType!.SecretData!))
        : i,
    );
    expect(resultOf(await b.send(Operation.Import, lying, { version: V14 })).reason).toBe(ResultReason.InvalidField);
    // An empty Symmetric Key is a destroyed key's metadata only; beside any other State it is refused.
    const empty = import14(exported, 'e').map((i) => (i.tag === Tag.SymmetricKey ? t.struct(Tag.SymmetricKey, []) : i));
    expect(resultOf(await b.send(Operation.Import, empty, { version: V14 })).reason).toBe(ResultReason.InvalidField);
    expect(await b.store.get('e', 'alice')).toBeUndefined();
    expect(await b.store.get('n', 'alice')).toBeUndefined();
    expect(await b.store.get('l', 'alice')).toBeUndefined();
    // A 1.4 client may send the 2.x Object Type field anyway; it is honoured.
    const typed = [t.enm(Tag.ObjectType, E.ObjectType!.SymmetricKey!), ...import14(exported, 't')];
    expect(uidOf(await b.send(Operation.Import, typed, { version: V14 }))).toBe('t');
  });
});

describe('a destroyed object in the 1.4 form', () => {
  it('Export answers its attributes (State Destroyed) without key material, and it imports as such', async () => {
    const a = opsHarness();
    const b = opsHarness();
    const uid = await create14(a.send, 'gone', 0x0c);
    ok(
      await a.send(
        Operation.Revoke,
        [t.text(Tag.UniqueIdentifier, uid), t.struct(Tag.RevocationReason, [t.enm(Tag.RevocationReasonCode, 5)])],
        { version: V14 },
      ),
    );
    ok(await a.send(Operation.Destroy, [t.text(Tag.UniqueIdentifier, uid)], { version: V14 }));
    const exported = ok(await export14(a.send, uid));
    const state = findAll(exported, Tag.Attribute).find(
      (x) => valueOf(x as StructureItem, Tag.AttributeName) === 'State',
    );
    expect(valueOf(state as StructureItem, Tag.AttributeValue)).toBe(E.State!.Destroyed);
    const object = find(exported, Tag.SymmetricKey) as StructureItem;
    expect(walk(object).some((i) => i.tag === Tag.KeyMaterial)).toBe(false);
    expect(object.value).toEqual([]);
    ok(await b.send(Operation.Import, import14(exported, uid), { version: V14 }));
    const copy = await b.object(uid);
    expect(copy.keyBlock).toBeUndefined();
    expect(copy.attributes['State']).toEqual(['Destroyed']);
    // Get answers as for the original: Object Destroyed in 2.1, which 1.4 lacks (Item Not Found there).
    for (const version of [V14, [2, 1] as [number, number]]) {
      const get = (send: Send) => send(Operation.Get, [t.text(Tag.UniqueIdentifier, uid)], { version });
      const [there, here] = [resultOf(await get(a.send)), resultOf(await get(b.send))];
      expect(here.reason).toBe(there.reason);
      expect(here.reason).toBe(version === V14 ? ResultReason.ItemNotFound : ResultReason.ObjectDestroyed);
    }
  });
});

describe('the ID Placeholder in a 1.4 batch (1.4 sections 4.40, 4.41)', () => {
  it('Import and Export both set it: an Export, and a Get Attributes, without identifier act on their object', async () => {
    const a = opsHarness();
    const uid = await create14(a.send, 'batched', 0x0c);
    const exported = ok(await export14(a.send, uid));
    const b = new KmipProcessor({ store: new MemoryObjectStore(), access: new GrantTable(), operations });
    const batch = async (items: [number, (TtlvItem | undefined)[]][]) => {
      const bytes = encodeTtlv(
        t.struct(Tag.RequestMessage, [
          t.struct(Tag.RequestHeader, [
            t.struct(Tag.ProtocolVersion, [t.int(Tag.ProtocolVersionMajor, 1), t.int(Tag.ProtocolVersionMinor, 4)]),
            t.int(Tag.BatchCount, items.length),
          ]),
          ...items.map(([op, payload]) =>
            t.struct(Tag.BatchItem, [t.enm(Tag.Operation, op), t.struct(Tag.RequestPayload, payload)]),
          ),
        ]),
      );
      const m = decodeTtlv(await b.process(bytes, 'alice')) as StructureItem;
      return (findAll(m, Tag.BatchItem) as StructureItem[]).map(ok);
    };
    const [imported, again] = await batch([
      [Operation.Import, import14(exported, 'batched-1')],
      [Operation.Export, []],
    ]);
    expect(valueOf(imported, Tag.UniqueIdentifier)).toBe('batched-1');
    expect(valueOf(again, Tag.UniqueIdentifier)).toBe('batched-1');
    await batch([[Operation.Import, import14(exported, 'batched-2')]]);
    const [, attrs] = await batch([
      [Operation.Export, [t.text(Tag.UniqueIdentifier, 'batched-2')]],
      [Operation.GetAttributes, [t.text(Tag.AttributeName, 'Name')]],
    ]);
    expect(valueOf(attrs, Tag.UniqueIdentifier)).toBe('batched-2');
  });
});

describe('every object type travels in the 1.4 form (its type named by the object’s tag only)', () => {
  it('Secret Data, Opaque Object, Private Key, Public Key and Certificate: same type, value and Name', async () => {
    const a = opsHarness();
    const b = opsHarness();
    const nameAttr = (n: string) => attr('Name', name(n));
    const register = async (objectType: number, object: StructureItem, label: string) =>
      uidOf(
        await a.send(
          Operation.Register,
          [t.enm(Tag.ObjectType, objectType), t.struct(Tag.TemplateAttribute, [nameAttr(label)]), object],
          { version: V14 },
        ),
      );
    const secret = await register(
      E.ObjectType!.SecretData!,
      t.struct(Tag.SecretData, [
        t.enm(Tag.SecretDataType, E.SecretDataType!.Password!),
        t.struct(Tag.KeyBlock, [
          t.enm(Tag.KeyFormatType, E.KeyFormatType!.Opaque!),
          t.struct(Tag.KeyValue, [t.bytes(Tag.KeyMaterial, Buffer.from('correct horse'))]),
        ]),
      ]),
      'secret',
    );
    const opaque = await register(
      E.ObjectType!.OpaqueObject!,
      t.struct(Tag.OpaqueObject, [
        t.enm(Tag.OpaqueDataType, 0x80000001),
        t.bytes(Tag.OpaqueDataValue, Buffer.from('blob')),
      ]),
      'opaque',
    );
    const pair = ok(
      await a.send(
        Operation.CreateKeyPair,
        [
          t.struct(Tag.CommonTemplateAttribute, [
            attr('Cryptographic Algorithm', t.enm(0, E.CryptographicAlgorithm!.EC!)),
            attr('Cryptographic Length', t.int(0, 256)),
          ]),
          t.struct(Tag.PrivateKeyTemplateAttribute, [
            nameAttr('private'),
            attr('Cryptographic Usage Mask', t.int(0, 1)),
          ]),
          t.struct(Tag.PublicKeyTemplateAttribute, [nameAttr('public'), attr('Cryptographic Usage Mask', t.int(0, 2))]),
        ],
        { version: V14 },
      ),
    );
    const priv = valueOf(pair, Tag.PrivateKeyUniqueIdentifier) as string;
    const pub = valueOf(pair, Tag.PublicKeyUniqueIdentifier) as string;
    const cert = uidOf(
      await a.send(
        Operation.Certify,
        [
          t.text(Tag.UniqueIdentifier, pub),
          t.struct(Tag.Attributes, [
            t.enm(Tag.CertificateType, E.CertificateType!.X_509!),
            t.text(Tag.CertificateSubjectCN, 'travel.example.test'),
          ]),
        ],
        { version: [2, 1] },
      ),
    );

    const tagOf = {
      SecretData: Tag.SecretData,
      OpaqueObject: Tag.OpaqueObject,
      PrivateKey: Tag.PrivateKey,
      PublicKey: Tag.PublicKey,
      Certificate: Tag.Certificate,
    };
    for (const [uid, type] of [
      [secret, 'SecretData'],
      [opaque, 'OpaqueObject'],
      [priv, 'PrivateKey'],
      [pub, 'PublicKey'],
      [cert, 'Certificate'],
    ] as const) {
      const exported = ok(await export14(a.send, uid));
      const object = exported.value.at(-1) as StructureItem;
      expect(object.tag, type).toBe(tagOf[type]);
      const request = [t.text(Tag.UniqueIdentifier, `${uid}-copy`), ...findAll(exported, Tag.Attribute), object];
      ok(await b.send(Operation.Import, request, { version: V14 }));
      const [src, dst] = [await a.object(uid), await b.object(`${uid}-copy`)];
      expect(dst.objectType, type).toBe(type);
      expect(src.keyBlock?.keyMaterial ?? src.value, type).toBeDefined();
      expect(src.attributes['Name'] ?? src.attributes['Link'], type).toBeDefined();
      expect(comparable(dst.keyBlock?.keyMaterial), type).toEqual(comparable(src.keyBlock?.keyMaterial));
      expect(comparable(dst.value), type).toEqual(comparable(src.value));
      expect(dst.valueType, type).toBe(src.valueType);
      expect(comparable(dst.attributes['Name']), type).toEqual(comparable(src.attributes['Name']));
      expect(comparable(dst.attributes['Link']), type).toEqual(comparable(src.attributes['Link']));
    }
  });
});
