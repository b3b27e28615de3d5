import { describe, expect, it } from 'vitest';
import { decodeTtlv, encodeTtlv, ItemType, type StructureItem, type TtlvItem } from '../../main/kmip/ttlv/index.js';
import { MemoryObjectStore, operations } from '../../main/ops/index.js';
import { find, findAll, t } from '../../main/ops/ttlv.js';
import { Operation, ResultReason, Tag, TagName } from '../../main/ops/vocabulary.js';
import { GrantTable } from '../../main/server/access.js';
import { CredentialTable } from '../../main/server/credentials.js';
import { KmipProcessor } from '../../main/server/protocol.js';

/** Each test guards one point of ../shared/kmip/INTEROP-NOTES.md and names its source. */

type Op = keyof typeof Operation;

function request(
  major: number,
  minor: number,
  items: [Op, (TtlvItem | undefined)[]][],
  header: TtlvItem[] = [],
): Uint8Array {
  return encodeTtlv(
    t.struct(Tag.RequestMessage, [
      t.struct(Tag.RequestHeader, [
        t.struct(Tag.ProtocolVersion, [t.int(Tag.ProtocolVersionMajor, major), t.int(Tag.ProtocolVersionMinor, minor)]),
        ...header,
        t.int(Tag.BatchCount, items.length),
      ]),
      ...items.map(([op, payload]) =>
        t.struct(Tag.BatchItem, [t.enm(Tag.Operation, Operation[op]), t.struct(Tag.RequestPayload, payload)]),
      ),
    ]),
  );
}

function setup(processorOptions: Partial<ConstructorParameters<typeof KmipProcessor>[0]> = {}) {
  const store = new MemoryObjectStore();
  const p = new KmipProcessor({ store, access: new GrantTable(), operations, ...processorOptions });
  const send = async (bytes: Uint8Array, identity = 'alice') =>
    decodeTtlv(await p.process(bytes, identity)) as StructureItem;
  return { store, p, send };
}

const items = (m: StructureItem) => findAll(m, Tag.BatchItem) as StructureItem[];
const payload = (b: StructureItem) => find(b, Tag.ResponsePayload) as StructureItem;
const status = (b: StructureItem) => (find(b, Tag.ResultStatus) as { value: number }).value;
const reason = (b: StructureItem) => (find(b, Tag.ResultReason) as { value: number } | undefined)?.value;
const text = (s: StructureItem, tag: number) => (find(s, tag) as { value: string }).value;

function attr1(name: string, value: TtlvItem): TtlvItem {
  return t.struct(Tag.Attribute, [t.text(Tag.AttributeName, name), { ...value, tag: Tag.AttributeValue }]);
}

const aes = (v1: boolean, extra: TtlvItem[] = []) =>
  v1
    ? t.struct(Tag.TemplateAttribute, [
        attr1('Cryptographic Algorithm', t.enm(0, 3)),
        attr1('Cryptographic Length', t.int(0, 256)),
        attr1('Cryptographic Usage Mask', t.int(0, 12)),
        ...extra,
      ])
    : t.struct(Tag.Attributes, [
        t.enm(Tag.CryptographicAlgorithm, 3),
        t.int(Tag.CryptographicLength, 256),
        t.int(Tag.CryptographicUsageMask, 12),
        ...extra,
      ]);

async function create(
  send: ReturnType<typeof setup>['send'],
  major = 1,
  minor = 4,
  extra: TtlvItem[] = [],
): Promise<string> {
  const r = await send(request(major, minor, [['Create', [t.enm(Tag.ObjectType, 2), aes(major < 2, extra)]]]));
  return text(payload(items(r)[0] as StructureItem), Tag.UniqueIdentifier);
}

describe('INTEROP-NOTES 1: a response never carries a field newer than the request (hashicorp/vault #24309, Cosmian/kms #687)', () => {
  it('a 1.0 request gets a 1.0 header and no 1.1+ attributes such as Fresh or Original Creation Date', async () => {
    const { send } = setup();
    const uid = await create(send, 1, 0);
    const r = await send(request(1, 0, [['GetAttributes', [t.text(Tag.UniqueIdentifier, uid)]]]));
    const header = find(r, Tag.ResponseHeader) as StructureItem;
    expect(header.value.map((i) => TagName.get(i.tag))).toEqual(['ProtocolVersion', 'TimeStamp', 'BatchCount']);
    const names = findAll(payload(items(r)[0] as StructureItem), Tag.Attribute).map((a) =>
      text(a as StructureItem, Tag.AttributeName),
    );
    expect(names).toContain('State');
    for (const newer of ['Fresh', 'Original Creation Date', 'Random Number Generator', 'Sensitive'])
      expect(names).not.toContain(newer);
  });
});

describe('INTEROP-NOTES 4: credentials are honoured per client (PyKMIP #182, #602)', () => {
  const cred = (password: string) =>
    t.struct(Tag.Authentication, [
      t.struct(Tag.Credential, [
        t.enm(Tag.CredentialType, 1),
        t.struct(Tag.CredentialValue, [t.text(Tag.Username, 'vcenter'), t.text(Tag.Password, password)]),
      ]),
    ]);
  it('a client with a password must send it; others may send any (not checked)', async () => {
    const creds = new CredentialTable();
    creds.set('alice', 'vcenter', 's3cret');
    const { send } = setup({ authenticator: creds });
    const bad = items(
      await send(request(1, 1, [['Query', [t.enm(Tag.QueryFunction, 1)]]], [cred('wrong')])),
    )[0] as StructureItem;
    expect(reason(bad)).toBe(ResultReason.AuthenticationNotSuccessful);
    const none = items(await send(request(1, 1, [['Query', [t.enm(Tag.QueryFunction, 1)]]])))[0] as StructureItem;
    expect(reason(none)).toBe(ResultReason.AuthenticationNotSuccessful);
    const good = items(
      await send(request(1, 1, [['Query', [t.enm(Tag.QueryFunction, 1)]]], [cred('s3cret')])),
    )[0] as StructureItem;
    expect(status(good)).toBe(0);
    const bob = items(
      await send(request(1, 1, [['Query', [t.enm(Tag.QueryFunction, 1)]]], [cred('anything')]), 'bob'),
    )[0] as StructureItem;
    expect(status(bob)).toBe(0);
  });
});

describe('INTEROP-NOTES 5: custom attributes in bulk and with non-text values (PyKMIP #459, #460, #489, PR #632)', () => {
  it('keeps 16 x-NETAPP attributes of several types and Locates by one of them and by Alternative Name', async () => {
    const { send } = setup();
    const custom = Array.from({ length: 16 }, (_, i) =>
      attr1(
        `x-NETAPP-Attr${i}`,
        i % 3 === 0
          ? t.int(0, i)
          : i % 3 === 1
            ? t.date(0, new Date(1_700_000_000_000 + i * 1000))
            : t.text(0, `v${i}`),
      ),
    );
    const alt = attr1(
      'Alternative Name',
      t.struct(0, [t.text(Tag.AlternativeNameValue, 'tape-0042'), t.enm(Tag.AlternativeNameType, 1)]),
    );
    const uid = await create(send, 1, 2, [...custom, alt]);
    const got = payload(
      items(await send(request(1, 2, [['GetAttributes', [t.text(Tag.UniqueIdentifier, uid)]]])))[0] as StructureItem,
    );
    const byName = new Map(
      findAll(got, Tag.Attribute).map((a) => [
        text(a as StructureItem, Tag.AttributeName),
        find(a as StructureItem, Tag.AttributeValue),
      ]),
    );
    expect(byName.get('x-NETAPP-Attr3')).toMatchObject({ type: ItemType.Integer, value: 3 });
    expect(byName.get('x-NETAPP-Attr4')?.type).toBe(ItemType.DateTime);
    expect(byName.get('x-NETAPP-Attr5')).toMatchObject({ type: ItemType.TextString, value: 'v5' });
    await create(send, 1, 2);
    const found = payload(
      items(await send(request(1, 2, [['Locate', [attr1('x-NETAPP-Attr5', t.text(0, 'v5'))]]])))[0] as StructureItem,
    );
    expect(findAll(found, Tag.UniqueIdentifier).map((u) => (u as { value: string }).value)).toEqual([uid]);
    const byAlt = payload(items(await send(request(1, 2, [['Locate', [alt]]])))[0] as StructureItem);
    expect(findAll(byAlt, Tag.UniqueIdentifier).map((u) => (u as { value: string }).value)).toEqual([uid]);
  });
});

describe('INTEROP-NOTES 6: 1.x and 2.x attribute forms (Cosmian #796)', () => {
  it('a 2.x Create that still sends Operation Policy Name succeeds, and 2.x answers never carry it', async () => {
    const { send } = setup();
    const uid = await create(send, 2, 0, [t.text(Tag.OperationPolicyName, 'default')]);
    const got = payload(
      items(await send(request(2, 0, [['GetAttributes', [t.text(Tag.UniqueIdentifier, uid)]]])))[0] as StructureItem,
    );
    const attrs = find(got, Tag.Attributes) as StructureItem;
    expect(attrs.value.some((i) => i.tag === Tag.CryptographicAlgorithm)).toBe(true);
    expect(attrs.value.some((i) => i.tag === Tag.OperationPolicyName)).toBe(false);
  });
});

describe('INTEROP-NOTES 7: clients use more than the baseline (Synology ModifyAttribute, VAST AddAttribute)', () => {
  it('ModifyAttribute on a Name and AddAttribute of custom attributes in 1.2', async () => {
    const { send } = setup();
    const uid = await create(send, 1, 2, [
      attr1('Name', t.struct(0, [t.text(Tag.NameValue, 'old'), t.enm(Tag.NameType, 1)])),
    ]);
    const mod = items(
      await send(
        request(1, 2, [
          [
            'ModifyAttribute',
            [
              t.text(Tag.UniqueIdentifier, uid),
              attr1('Name', t.struct(0, [t.text(Tag.NameValue, 'new'), t.enm(Tag.NameType, 1)])),
            ],
          ],
        ]),
      ),
    )[0] as StructureItem;
    expect(status(mod)).toBe(0);
    for (const i of [1, 2, 3]) {
      const add = items(
        await send(
          request(1, 4, [
            ['AddAttribute', [t.text(Tag.UniqueIdentifier, uid), attr1(`x-vast-${i}`, t.text(0, String(i)))]],
          ]),
        ),
      )[0] as StructureItem;
      expect(status(add)).toBe(0);
    }
    const found = payload(
      items(
        await send(
          request(1, 2, [
            ['Locate', [attr1('Name', t.struct(0, [t.text(Tag.NameValue, 'new'), t.enm(Tag.NameType, 1)]))]],
          ]),
        ),
      )[0] as StructureItem,
    );
    expect(findAll(found, Tag.UniqueIdentifier)).toHaveLength(1);
  });
});

describe('INTEROP-NOTES 8: Locate (PyKMIP PR #564, Cosmian #935)', () => {
  it('ANDs filters, reads two Initial Dates as a range, pages, and an unparsed filter never matches everything', async () => {
    const { send } = setup();
    const a = await create(send, 1, 4, [attr1('Object Group', t.text(0, 'g1'))]);
    await create(send, 1, 4, [attr1('Object Group', t.text(0, 'g2'))]);
    const loc = async (filters: TtlvItem[]) =>
      findAll(
        payload(items(await send(request(1, 4, [['Locate', filters]])))[0] as StructureItem),
        Tag.UniqueIdentifier,
      ).map((u) => (u as { value: string }).value);
    expect(await loc([attr1('Object Group', t.text(0, 'g1')), attr1('Object Type', t.enm(0, 2))])).toEqual([a]);
    expect(await loc([attr1('Object Group', t.text(0, 'g1')), attr1('Object Type', t.enm(0, 4))])).toEqual([]);
    const now = Date.now();
    expect(
      await loc([
        attr1('Initial Date', t.date(0, new Date(now - 60_000))),
        attr1('Initial Date', t.date(0, new Date(now + 60_000))),
      ]),
    ).toHaveLength(2);
    expect(
      await loc([
        attr1('Initial Date', t.date(0, new Date(now + 60_000))),
        attr1('Initial Date', t.date(0, new Date(now + 120_000))),
      ]),
    ).toEqual([]);
    expect(await loc([t.int(Tag.MaximumItems, 1)])).toHaveLength(1);
    expect(await loc([t.int(Tag.MaximumItems, 1), t.int(Tag.OffsetItems, 1)])).toHaveLength(1);
    expect(await loc([attr1('x-unknown-filter', t.text(0, 'anything'))])).toEqual([]);
  });
});

describe('INTEROP-NOTES 9: batches (PyKMIP #459; libmongocrypt Register + Activate)', () => {
  it('answers Query + Locate + Get + GetAttributes in one 1.0 message', async () => {
    const { send } = setup();
    const uid = await create(send, 1, 0);
    const r = await send(
      request(1, 0, [
        ['Query', [t.enm(Tag.QueryFunction, 1)]],
        ['Locate', []],
        ['Get', [t.text(Tag.UniqueIdentifier, uid)]],
        ['GetAttributes', [t.text(Tag.UniqueIdentifier, uid)]],
      ]),
    );
    expect(items(r).map(status)).toEqual([0, 0, 0, 0]);
  });
  it('Register then Activate with the ID placeholder (no Unique Identifier in the second item)', async () => {
    const { send, store } = setup();
    const secret = t.struct(Tag.SecretData, [
      t.enm(Tag.SecretDataType, 1),
      t.struct(Tag.KeyBlock, [
        t.enm(Tag.KeyFormatType, 2),
        t.struct(Tag.KeyValue, [t.bytes(Tag.KeyMaterial, new Uint8Array(96).fill(7))]),
      ]),
    ]);
    const r = await send(
      request(1, 4, [
        ['Register', [t.enm(Tag.ObjectType, 7), t.struct(Tag.TemplateAttribute, []), secret]],
        ['Activate', []],
      ]),
    );
    expect(items(r).map(status)).toEqual([0, 0]);
    const [obj] = await store.all();
    expect(obj?.attributes.State).toEqual(['Active']);
    expect(obj?.keyBlock?.keyMaterial).toHaveLength(96);
  });
  it('stops at the first failure by default and continues with Batch Error Continuation Option Continue', async () => {
    const { send } = setup();
    const stop = await send(
      request(1, 4, [
        ['Get', [t.text(Tag.UniqueIdentifier, 'missing')]],
        ['Query', [t.enm(Tag.QueryFunction, 1)]],
      ]),
    );
    expect(items(stop).map(status)).toEqual([1]);
    const cont = await send(
      request(
        1,
        4,
        [
          ['Get', [t.text(Tag.UniqueIdentifier, 'missing')]],
          ['Query', [t.enm(Tag.QueryFunction, 1)]],
        ],
        [t.enm(Tag.BatchErrorContinuationOption, 1)],
      ),
    );
    expect(items(cont).map(status)).toEqual([1, 0]);
  });
  it('answers Response Too Large when the Maximum Response Size is exceeded', async () => {
    const { send } = setup();
    const r = await send(
      request(
        1,
        4,
        [['Query', [t.enm(Tag.QueryFunction, 1), t.enm(Tag.QueryFunction, 2)]]],
        [t.int(Tag.MaximumResponseSize, 64)],
      ),
    );
    expect(reason(items(r)[0] as StructureItem)).toBe(ResultReason.ResponseTooLarge);
  });
});

describe('INTEROP-NOTES 10: encoding edge cases reach the client as Invalid Message (ovh/kmip-go PR #89)', () => {
  it('a Boolean that is not 0 or 1 is refused with Invalid Message', async () => {
    const { send } = setup();
    const bytes = Buffer.from(request(1, 4, [['Query', [t.bool(Tag.UniqueIdentifier, true)]]]));
    const at = bytes.lastIndexOf(Buffer.from([0, 0, 0, 0, 0, 0, 0, 1]));
    bytes[at + 7] = 2;
    const r = await send(bytes);
    expect(reason(items(r)[0] as StructureItem)).toBe(ResultReason.InvalidMessage);
  });
});
