import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeTtlv, encodeTtlv, type StructureItem, type TtlvItem } from '../../main/kmip/ttlv/index.js';
import type { ObjectStore } from '../../main/ops/context.js';
import { MemoryObjectStore, operations } from '../../main/ops/index.js';
import { find, findAll, t } from '../../main/ops/ttlv.js';
import { BatchErrorContinuationOption, Operation, ResultReason, ResultStatus, Tag } from '../../main/ops/vocabulary.js';
import { GrantTable } from '../../main/server/access.js';
import { KmipProcessor } from '../../main/server/protocol.js';
import { VaultObjectStore } from '../../main/server/vault-store.js';
import { Vault } from '../../main/vault/index.js';

/**
 * Batch Error Continuation Option Undo (KMIP 1.4 section 6.7, 2.1 section 8.3) through the real
 * processor, on both object stores: the in-memory one and the SQLCipher vault on disk. The batch
 * of BL-M-2-21 (Activate, Check, a failing Check) and one that changes attributes.
 */

const SYMMETRIC_KEY = 2;
const AES = 3;
const ENCRYPT = 4;
const DECRYPT = 8;

type Item = [operation: number, payload: (TtlvItem | undefined)[]];

function message(items: Item[], option?: number): Uint8Array {
  return encodeTtlv(
    t.struct(Tag.RequestMessage, [
      t.struct(Tag.RequestHeader, [
        t.struct(Tag.ProtocolVersion, [t.int(Tag.ProtocolVersionMajor, 2), t.int(Tag.ProtocolVersionMinor, 1)]),
        option !== undefined ? t.enm(Tag.BatchErrorContinuationOption, option) : undefined,
        t.int(Tag.BatchCount, items.length),
      ]),
      ...items.map(([op, payload]) =>
        t.struct(Tag.BatchItem, [t.enm(Tag.Operation, op), t.struct(Tag.RequestPayload, payload)]),
      ),
    ]),
  );
}

const value = (s: StructureItem | undefined, tag: number): unknown =>
  (find(s, tag) as { value: unknown } | undefined)?.value;

interface StoreCase {
  name: string;
  open(): Promise<{ store: ObjectStore; close(): Promise<void>; vault?: Vault }>;
}

const cases: StoreCase[] = [
  {
    name: 'in-memory store',
    open: async () => ({ store: new MemoryObjectStore(), close: async () => undefined }),
  },
  {
    name: 'vault-backed store',
    open: async () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'keyhold-undo-'));
      const vault = await Vault.create(path.join(dir, 'vault'), {
        unlock: { kind: 'passphrase', passphrase: Buffer.from('undo test') },
        sealOptions: { argon2: { memoryKiB: 64, iterations: 1, parallelism: 1 } },
      });
      return {
        store: new VaultObjectStore(vault),
        vault,
        close: async () => {
          await vault.lock();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  },
];

describe.each(cases)('Batch Error Continuation Option on the $name', (c) => {
  let store: ObjectStore;
  let vault: Vault | undefined;
  let close: () => Promise<void>;
  let send: (items: Item[], option?: number) => Promise<StructureItem[]>;

  beforeAll(async () => {
    ({ store, vault, close } = await c.open());
    const processor = new KmipProcessor({ store, access: new GrantTable(), operations });
    send = async (items, option) =>
      findAll(decodeTtlv(await processor.process(message(items, option), 'alice')) as StructureItem, Tag.BatchItem).map(
        (i) => i as StructureItem,
      );
  });
  afterAll(async () => close?.());

  /** A Create of an AES-128 Encrypt key (with `extra` attributes), as a batch item. */
  const createItem = (extra: TtlvItem[] = []): Item => [
    Operation.Create,
    [
      t.enm(Tag.ObjectType, SYMMETRIC_KEY),
      t.struct(Tag.Attributes, [
        t.enm(Tag.CryptographicAlgorithm, AES),
        t.int(Tag.CryptographicLength, 128),
        t.int(Tag.CryptographicUsageMask, ENCRYPT),
        ...extra,
      ]),
    ],
  ];
  /** Creates that key alone and returns its Unique Identifier. */
  const createKey = async (extra: TtlvItem[] = []): Promise<string> => {
    const [item] = await send([createItem(extra)]);
    expect(value(item, Tag.ResultStatus)).toBe(ResultStatus.Success);
    return value(find(item, Tag.ResponsePayload) as StructureItem, Tag.UniqueIdentifier) as string;
  };
  const state = async (uid: string) => (await store.get(uid, 'alice'))?.attributes.State?.[0];
  const names = async (uid: string) => (await store.get(uid, 'alice'))?.attributes.Name ?? [];
  const check = (uid: string, mask: number): Item => [
    Operation.Check,
    [t.text(Tag.UniqueIdentifier, uid), t.int(Tag.CryptographicUsageMask, mask)],
  ];
  const addName = (uid: string, name: string): Item => [
    Operation.AddAttribute,
    [
      t.text(Tag.UniqueIdentifier, uid),
      t.struct(Tag.NewAttribute, [t.struct(Tag.Name, [t.text(Tag.NameValue, name), t.enm(Tag.NameType, 1)])]),
    ],
  ];

  it('Undo (BL-M-2-21): the earlier items are rolled back and answer Operation Undone with their payload', async () => {
    const uid = await createKey();
    const auditBefore = vault ? (await vault.listAudit(1, 100_000)).length : 0;
    const r = await send(
      [[Operation.Activate, [t.text(Tag.UniqueIdentifier, uid)]], check(uid, ENCRYPT), check(uid, DECRYPT)],
      BatchErrorContinuationOption.Undo,
    );
    expect(r.map((i) => value(i, Tag.ResultStatus))).toEqual([
      ResultStatus.OperationUndone,
      ResultStatus.OperationUndone,
      ResultStatus.OperationFailed,
    ]);
    for (const i of r.slice(0, 2))
      expect(value(find(i, Tag.ResponsePayload) as StructureItem, Tag.UniqueIdentifier)).toBe(uid);
    expect(value(r[2], Tag.ResultReason)).toBe(ResultReason.IncompatibleCryptographicUsageMask);
    expect(find(r[2], Tag.ResponsePayload)).toBeUndefined();
    if (vault) {
      // The vault's own entries of the undone items went with the rollback; the processor
      // recorded each item once (undone, undone, failed) and the chain still verifies.
      const added = (await vault.listAudit(1, 100_000)).slice(auditBefore);
      expect(added.map((e) => [e.operation, e.object, e.result])).toEqual([
        ['Activate', uid, 'OperationUndone'],
        ['Check', uid, 'OperationUndone'],
        ['Check', uid, expect.stringMatching(/./)],
      ]);
      expect(added[2]?.result).not.toMatch(/Undone|Success/);
      expect((await vault.verifyAudit()).ok).toBe(true);
    } else {
      const log = (store as MemoryObjectStore).auditLog.slice(-3);
      expect(log.map((e) => e.result)).toEqual(['OperationUndone', 'OperationUndone', 'OperationFailed']);
    }
    expect(await state(uid)).toBe('PreActive');
    // The key is still usable as before: activating it now works.
    const [activated] = await send([[Operation.Activate, [t.text(Tag.UniqueIdentifier, uid)]]]);
    expect(value(activated, Tag.ResultStatus)).toBe(ResultStatus.Success);
    expect(await state(uid)).toBe('Active');
  });

  it('Undo rolls back attribute changes and objects the batch created; items after the failure are not run', async () => {
    const uid = await createKey();
    const countBefore = (await store.all()).length;
    const r = await send(
      [
        addName(uid, 'undone-name'),
        createItem(),
        [Operation.Get, [t.text(Tag.UniqueIdentifier, 'no-such-object')]],
        addName(uid, 'never-run'),
      ],
      BatchErrorContinuationOption.Undo,
    );
    expect(r.map((i) => value(i, Tag.ResultStatus))).toEqual([
      ResultStatus.OperationUndone,
      ResultStatus.OperationUndone,
      ResultStatus.OperationFailed,
    ]);
    const created = value(find(r[1], Tag.ResponsePayload) as StructureItem, Tag.UniqueIdentifier) as string;
    expect(await store.get(created, 'alice')).toBeUndefined();
    expect((await store.all()).length).toBe(countBefore);
    expect(await names(uid)).toEqual([]);
    if (vault) expect((await vault.verifyAudit()).ok).toBe(true);
  });

  it.runIf(c.name === 'vault-backed store')(
    'an undone batch leaves the work of requests committed in the same group alone',
    async () => {
      const uid = await createKey();
      const other = await createKey();
      const [undone, kept] = await Promise.all([
        send([addName(uid, 'rolled-back'), check(uid, DECRYPT)], BatchErrorContinuationOption.Undo),
        send([addName(other, 'kept')]),
      ]);
      expect(undone?.map((i) => value(i, Tag.ResultStatus))).toEqual([
        ResultStatus.OperationUndone,
        ResultStatus.OperationFailed,
      ]);
      expect(value(kept?.[0], Tag.ResultStatus)).toBe(ResultStatus.Success);
      expect(await names(uid)).toEqual([]);
      expect(await names(other)).toHaveLength(1);
      expect((await vault?.verifyAudit())?.ok).toBe(true);
    },
  );

  it('Undo closes a multi-part Encrypt stream an undone item opened (its cipher state cannot be rewound)', async () => {
    const uid = await createKey();
    await send([[Operation.Activate, [t.text(Tag.UniqueIdentifier, uid)]]]);
    const init = (extra: TtlvItem[] = []): Item => [
      Operation.Encrypt,
      [
        t.text(Tag.UniqueIdentifier, uid),
        t.struct(Tag.CryptographicParameters, [t.enm(Tag.BlockCipherMode, 1), t.enm(Tag.PaddingMethod, 3)]),
        t.bytes(Tag.Data, new Uint8Array(32).fill(7)),
        t.bytes(Tag.IVCounterNonce, new Uint8Array(16)),
        t.bool(Tag.InitIndicator, true),
        ...extra,
      ],
    ];
    const correlationOf = (i: StructureItem | undefined) =>
      value(find(i, Tag.ResponsePayload) as StructureItem, Tag.CorrelationValue) as Uint8Array;
    const next = (correlation: Uint8Array): Item => [
      Operation.Encrypt,
      [
        t.text(Tag.UniqueIdentifier, uid),
        t.bytes(Tag.Data, new Uint8Array(16)),
        t.bytes(Tag.CorrelationValue, correlation),
      ],
    ];
    const undone = await send([init(), check(uid, DECRYPT)], BatchErrorContinuationOption.Undo);
    expect(value(undone[0], Tag.ResultStatus)).toBe(ResultStatus.OperationUndone);
    const [after] = await send([next(correlationOf(undone[0]))]);
    expect(value(after, Tag.ResultReason)).toBe(ResultReason.InvalidCorrelationValue);
    // The same batch with Stop keeps the stream open.
    const stopped = await send([init(), check(uid, DECRYPT)]);
    const [continued] = await send([next(correlationOf(stopped[0]))]);
    expect(value(continued, Tag.ResultStatus)).toBe(ResultStatus.Success);
  });

  it('Undo gives back the Usage Limits an undone Encrypt consumed; Stop does not', async () => {
    const uid = await createKey([
      t.struct(Tag.UsageLimits, [t.long(Tag.UsageLimitsTotal, 10n), t.enm(Tag.UsageLimitsUnit, 2)]),
    ]);
    await send([[Operation.Activate, [t.text(Tag.UniqueIdentifier, uid)]]]);
    const remaining = async () => {
      const limits = (await store.get(uid, 'alice'))?.attributes.UsageLimits?.[0] as Record<string, unknown>;
      return limits['UsageLimitsCount'] ?? limits['UsageLimitsTotal'];
    };
    const encrypt: Item = [
      Operation.Encrypt,
      [
        t.text(Tag.UniqueIdentifier, uid),
        t.struct(Tag.CryptographicParameters, [t.enm(Tag.BlockCipherMode, 1), t.enm(Tag.PaddingMethod, 3)]),
        t.bytes(Tag.Data, new Uint8Array(16)),
        t.bytes(Tag.IVCounterNonce, new Uint8Array(16)),
      ],
    ];
    const undone = await send([encrypt, check(uid, DECRYPT)], BatchErrorContinuationOption.Undo);
    expect(value(undone[0], Tag.ResultStatus)).toBe(ResultStatus.OperationUndone);
    expect(await remaining()).toBe(10n);
    const stopped = await send([encrypt, check(uid, DECRYPT)]);
    expect(value(stopped[0], Tag.ResultStatus)).toBe(ResultStatus.Success);
    expect(await remaining()).toBe(9n);
  });

  it('Undo with no failure commits every item', async () => {
    const uid = await createKey();
    const r = await send(
      [[Operation.Activate, [t.text(Tag.UniqueIdentifier, uid)]], addName(uid, 'kept'), check(uid, ENCRYPT)],
      BatchErrorContinuationOption.Undo,
    );
    expect(r.map((i) => value(i, Tag.ResultStatus))).toEqual([0, 0, 0]);
    expect(await state(uid)).toBe('Active');
    expect(await names(uid)).toHaveLength(1);
  });

  it('Stop (the default) keeps the earlier items and runs none after the failure; Continue runs them all', async () => {
    const uid = await createKey();
    for (const option of [undefined, BatchErrorContinuationOption.Stop]) {
      const r = await send(
        [addName(uid, `stop-${option ?? 'default'}`), check(uid, DECRYPT), addName(uid, 'after-stop')],
        option,
      );
      expect(r.map((i) => value(i, Tag.ResultStatus))).toEqual([ResultStatus.Success, ResultStatus.OperationFailed]);
    }
    expect(await names(uid)).toHaveLength(2);
    const cont = await send(
      [[Operation.Activate, [t.text(Tag.UniqueIdentifier, uid)]], check(uid, DECRYPT), addName(uid, 'after')],
      BatchErrorContinuationOption.Continue,
    );
    expect(cont.map((i) => value(i, Tag.ResultStatus))).toEqual([
      ResultStatus.Success,
      ResultStatus.OperationFailed,
      ResultStatus.Success,
    ]);
    expect(await state(uid)).toBe('Active');
    expect(await names(uid)).toHaveLength(3);
    if (vault) expect((await vault.verifyAudit()).ok).toBe(true);
  });
});
