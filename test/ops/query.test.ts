import { describe, expect, it } from 'vitest';
import { operationDefinedIn, operationRunsIn, operationSince } from '../../main/ops/operation-versions.js';
import { findAll, t } from '../../main/ops/ttlv.js';
import { EnumNames, Operation, ResultReason, Tag } from '../../main/ops/vocabulary.js';
import { ok, opsHarness, resultOf, uidOf, valueOf } from './ops-harness.js';

type Version = [major: number, minor: number];
type Harness = ReturnType<typeof opsHarness>;

const QUERY_OPERATIONS = (EnumNames.QueryFunction as Record<string, number>).QueryOperations as number;
const QUERY_OBJECTS = (EnumNames.QueryFunction as Record<string, number>).QueryObjects as number;
const opName = new Map<number, string>(Object.entries(Operation).map(([name, value]) => [value, name]));
const objectTypeName = new Map(
  Object.entries(EnumNames.ObjectType as Record<string, number>).map(([name, value]) => [value, name]),
);

/** Query (Operations) as a client speaking `version` asks it: the operation names answered. */
async function queryOperations(h: Harness, version: Version): Promise<string[]> {
  const payload = ok(await h.send(Operation.Query, [t.enm(Tag.QueryFunction, QUERY_OPERATIONS)], { version }));
  return findAll(payload, Tag.Operation).map((o) => opName.get(o.value as number) ?? String(o.value));
}

async function queryObjects(h: Harness, version: Version): Promise<string[]> {
  const payload = ok(await h.send(Operation.Query, [t.enm(Tag.QueryFunction, QUERY_OBJECTS)], { version }));
  return findAll(payload, Tag.ObjectType).map((o) => objectTypeName.get(o.value as number) ?? String(o.value));
}

// Which version added which operation, written out here independently of main/ops/operation-versions.ts
// (KMIP 1.0 ends at Put; 1.1 adds Re-key Key Pair and Discover Versions; 1.2 Encrypt...Join Split
// Key; 1.3 nothing; 1.4 Import and Export; 2.0 Log...Re-Provision; 2.1 Set Defaults...Ping).
const added11 = ['ReKeyKeyPair', 'DiscoverVersions'];
const added12 = [
  'Encrypt',
  'Decrypt',
  'Sign',
  'SignatureVerify',
  'MAC',
  'MACVerify',
  'RNGRetrieve',
  'RNGSeed',
  'Hash',
  'CreateSplitKey',
  'JoinSplitKey',
];
const added14 = ['Import', 'Export'];

describe('Query (Operations) lists only what the client’s protocol version defines', () => {
  it('a 1.0 client gets only 1.0 operations: no Discover Versions, Encrypt, Import or Log', async () => {
    const h = opsHarness();
    const all = await queryOperations(h, [2, 1]);
    const v10 = await queryOperations(h, [1, 0]);
    expect(v10).toEqual(all.filter((n) => (Operation[n as keyof typeof Operation] as number) <= Operation.Put));
    expect(v10).toEqual(expect.arrayContaining(['Create', 'Get', 'Locate', 'Query', 'Destroy']));
    for (const newer of [...added11, ...added12, ...added14, 'Log', 'PKCS_11', 'SetAttribute'])
      expect(v10).not.toContain(newer);
  });

  it('a 1.1 client also gets Discover Versions (and Re-key Key Pair where served), no cryptographic services', async () => {
    const h = opsHarness();
    const all = await queryOperations(h, [2, 1]);
    const v10 = await queryOperations(h, [1, 0]);
    const v11 = await queryOperations(h, [1, 1]);
    expect(v11).toEqual([...v10, ...all.filter((n) => added11.includes(n))]);
    expect(v11).toContain('DiscoverVersions');
    for (const newer of [...added12, ...added14]) expect(v11).not.toContain(newer);
  });

  it('a 1.2 client also gets Encrypt through Join Split Key; a 1.3 client the same list', async () => {
    const h = opsHarness();
    const all = await queryOperations(h, [2, 1]);
    const v11 = await queryOperations(h, [1, 1]);
    const v12 = await queryOperations(h, [1, 2]);
    expect(v12).toEqual([...v11, ...all.filter((n) => added12.includes(n))]);
    expect(v12).toEqual(expect.arrayContaining(['Encrypt', 'Decrypt', 'Sign', 'MAC', 'Hash', 'JoinSplitKey']));
    expect(v12).not.toContain('Import');
    expect(await queryOperations(h, [1, 3])).toEqual(v12);
  });

  it('a 1.4 client gets the 1.2 list plus Import and Export (served in their 1.4 form), no 2.x operation; a 2.x client all', async () => {
    const h = opsHarness();
    const all = await queryOperations(h, [2, 1]);
    const v12 = await queryOperations(h, [1, 2]);
    const v14 = await queryOperations(h, [1, 4]);
    expect(v14).toEqual([...v12, ...added14]);
    expect(all).toEqual(expect.arrayContaining(added14));
    expect(all).toEqual([...v14, ...all.filter((n) => (Operation[n as keyof typeof Operation] as number) > 0x2b)]);
    expect(all).toEqual(expect.arrayContaining(['Log', 'SetAttribute', 'AdjustAttribute', 'PKCS_11', 'Interop']));
    expect(await queryOperations(h, [2, 0])).toEqual(all);
  });
});

describe('Query (Objects) lists only the object types the client’s version defines', () => {
  it('Certificate Request (2.0) only to 2.x clients; the 1.0 types to every client', async () => {
    const h = opsHarness();
    const v10 = await queryObjects(h, [1, 0]);
    expect(v10).toEqual([
      'SymmetricKey',
      'PublicKey',
      'PrivateKey',
      'SecretData',
      'OpaqueObject',
      'Certificate',
      'SplitKey',
    ]);
    expect(await queryObjects(h, [1, 4])).toEqual(v10);
    expect(await queryObjects(h, [2, 0])).toEqual([...v10, 'CertificateRequest']);
  });
});

describe('an operation newer than the request’s protocol version (KMIP 1.4 section 11.1)', () => {
  /** An active AES-128 key for Encrypt, registered in 2.1. */
  async function aesKey(h: Harness): Promise<string> {
    return uidOf(
      await h.send(Operation.Register, [
        t.enm(Tag.ObjectType, 2),
        t.struct(Tag.Attributes, [
          t.int(Tag.CryptographicUsageMask, 0x0c),
          t.date(Tag.ActivationDate, new Date(Date.now() - 3600_000)),
        ]),
        t.struct(Tag.SymmetricKey, [
          t.struct(Tag.KeyBlock, [
            t.enm(Tag.KeyFormatType, 1),
            t.struct(Tag.KeyValue, [t.bytes(Tag.KeyMaterial, Buffer.alloc(16, 7))]),
            t.enm(Tag.CryptographicAlgorithm, 3),
            t.int(Tag.CryptographicLength, 128),
          ]),
        ]),
      ]),
    );
  }
  const encrypt = (uid: string) => [
    t.text(Tag.UniqueIdentifier, uid),
    t.struct(Tag.CryptographicParameters, [t.enm(Tag.BlockCipherMode, 2)]), // ECB
    t.bytes(Tag.Data, Buffer.alloc(16, 1)),
  ];

  it('Encrypt in a 1.0 or 1.1 message is Operation Not Supported; in a 1.2 message it runs', async () => {
    const h = opsHarness();
    const uid = await aesKey(h);
    for (const version of [
      [1, 0],
      [1, 1],
    ] as Version[]) {
      const r = resultOf(await h.send(Operation.Encrypt, encrypt(uid), { version }));
      expect(r.status).toBe(1); // Operation Failed
      expect(r.reason).toBe(ResultReason.OperationNotSupported);
      expect(r.message).toMatch(`Encrypt is not defined in KMIP ${version[0]}.${version[1]}`);
    }
    const v12 = ok(await h.send(Operation.Encrypt, encrypt(uid), { version: [1, 2] }));
    expect((valueOf(v12, Tag.Data) as Uint8Array).length).toBe(16);
  });

  it('nothing runs: Create Split Key in a 1.1 message makes no object; Import in 1.3 is refused', async () => {
    const h = opsHarness();
    const uid = await aesKey(h);
    const count = async () => findAll(ok(await h.send(Operation.Locate, [])), Tag.UniqueIdentifier).length;
    const before = await count();
    expect(before).toBe(1);
    const split = resultOf(
      await h.send(
        Operation.CreateSplitKey,
        [
          t.enm(Tag.ObjectType, 2),
          t.int(Tag.SplitKeyParts, 2),
          t.int(Tag.SplitKeyThreshold, 2),
          t.enm(Tag.SplitKeyMethod, 1),
          t.text(Tag.UniqueIdentifier, uid),
        ],
        { version: [1, 1] },
      ),
    );
    expect(split.reason).toBe(ResultReason.OperationNotSupported);
    expect(await count()).toBe(before);
    const import13 = resultOf(await h.send(Operation.Import, [t.text(Tag.UniqueIdentifier, 'x')], { version: [1, 3] }));
    expect(import13).toMatchObject({ reason: ResultReason.OperationNotSupported, message: /not defined in KMIP 1.3/ });
  });

  it('every operation Query lists to a client is one it may send: none is refused as Operation Not Supported', async () => {
    const h = opsHarness();
    for (const version of [
      [1, 0],
      [1, 1],
      [1, 2],
      [1, 3],
      [1, 4],
      [2, 0],
      [2, 1],
    ] as Version[]) {
      const listed = await queryOperations(h, version);
      expect(listed.length).toBeGreaterThan(10);
      const refused: string[] = [];
      for (const name of listed) {
        // An empty payload: most operations fail (Invalid Field, Item Not Found...), never as unsupported.
        const r = resultOf(await h.send(Operation[name as keyof typeof Operation], [], { version }));
        if (r.reason === ResultReason.OperationNotSupported) refused.push(name);
      }
      expect({ version, refused }).toEqual({ version, refused: [] });
    }
  });

  it('2.x operations in a 1.4 message are refused the same way (Log, Set Attribute)', async () => {
    const h = opsHarness();
    for (const op of [Operation.Log, Operation.SetAttribute]) {
      const r = resultOf(await h.send(op, [], { version: [1, 4] }));
      expect(r.reason).toBe(ResultReason.OperationNotSupported);
    }
  });

  it('Discover Versions is answered in any framing, a 1.0 one too (clients negotiate in the oldest)', async () => {
    const h = opsHarness();
    const r = await h.send(Operation.DiscoverVersions, [], { version: [1, 0] });
    expect(resultOf(r).status).toBe(0);
    expect(findAll(ok(r), Tag.ProtocolVersion).length).toBeGreaterThan(1);
  });
});

describe('operation-versions table', () => {
  it('names the version each boundary operation first appeared in', () => {
    const since = (op: number) => {
      const v = operationSince(op);
      return v && `${v.major}.${v.minor}`;
    };
    expect(since(Operation.Create)).toBe('1.0');
    expect(since(Operation.Put)).toBe('1.0');
    expect(since(Operation.ReKeyKeyPair)).toBe('1.1');
    expect(since(Operation.DiscoverVersions)).toBe('1.1');
    expect(since(Operation.Encrypt)).toBe('1.2');
    expect(since(Operation.JoinSplitKey)).toBe('1.2');
    expect(since(Operation.Import)).toBe('1.4');
    expect(since(Operation.Export)).toBe('1.4');
    expect(since(Operation.Log)).toBe('2.0');
    expect(since(Operation.ReProvision)).toBe('2.0');
    expect(since(Operation.SetDefaults)).toBe('2.1');
    expect(since(Operation.Ping)).toBe('2.1');
    expect(since(0x8000_0001)).toBeUndefined();
  });

  it('extension operations are left to the caller; Discover Versions runs in 1.0 but is not listed to it', () => {
    expect(operationDefinedIn(0x8000_0001, { major: 1, minor: 0 })).toBe(true);
    expect(operationDefinedIn(Operation.DiscoverVersions, { major: 1, minor: 0 })).toBe(false);
    expect(operationRunsIn(Operation.DiscoverVersions, { major: 1, minor: 0 })).toBe(true);
    expect(operationRunsIn(Operation.ReKeyKeyPair, { major: 1, minor: 0 })).toBe(false);
    expect(operationDefinedIn(Operation.Export, { major: 1, minor: 3 })).toBe(false);
    expect(operationDefinedIn(Operation.Export, { major: 1, minor: 4 })).toBe(true);
    expect(operationDefinedIn(Operation.Ping, { major: 2, minor: 0 })).toBe(false);
  });
});
