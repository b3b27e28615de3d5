import { describe, expect, it } from 'vitest';
import type { TtlvItem } from '../../main/kmip/ttlv/index.js';
import { t } from '../../main/ops/ttlv.js';
import { Operation, ResultReason, Tag } from '../../main/ops/vocabulary.js';
import { ok, opsHarness, resultOf, uidOf, valueOf } from './ops-harness.js';

const SYMMETRIC_KEY = 2;
const RAW = 1;
const AES = 3;
const ECB = 2;
const BYTE = 1;
const ENCRYPT_DECRYPT = 0x04 | 0x08;
const HOUR = 3600_000;

type Harness = ReturnType<typeof opsHarness>;

/** Registers an AES-128 key (KMIP 2.1 Attributes), Active since an hour ago, plus `extra` attributes. */
async function registerAes(h: Harness, extra: TtlvItem[] = []) {
  return uidOf(
    await h.send(Operation.Register, [
      t.enm(Tag.ObjectType, SYMMETRIC_KEY),
      t.struct(Tag.Attributes, [
        t.int(Tag.CryptographicUsageMask, ENCRYPT_DECRYPT),
        t.date(Tag.ActivationDate, new Date(Date.now() - HOUR)),
        ...extra,
      ]),
      t.struct(Tag.SymmetricKey, [
        t.struct(Tag.KeyBlock, [
          t.enm(Tag.KeyFormatType, RAW),
          t.struct(Tag.KeyValue, [t.bytes(Tag.KeyMaterial, Buffer.alloc(16, 7))]),
          t.enm(Tag.CryptographicAlgorithm, AES),
          t.int(Tag.CryptographicLength, 128),
        ]),
      ]),
    ]),
  );
}

const ecb = (op: number, uid: string, data: Uint8Array, version?: [number, number]) => ({
  op,
  payload: [
    t.text(Tag.UniqueIdentifier, uid),
    t.struct(Tag.CryptographicParameters, [t.enm(Tag.BlockCipherMode, ECB)]),
    t.bytes(Tag.Data, data),
  ],
  version,
});

async function run(h: Harness, r: ReturnType<typeof ecb>) {
  return h.send(r.op, r.payload, r.version ? { version: r.version } : {});
}

describe('Encrypt/Decrypt: Protect Stop Date and Process Start Date', () => {
  it('refuses to protect after the Protect Stop Date and to process before the Process Start Date', async () => {
    const h = opsHarness();
    const uid = await registerAes(h, [
      t.date(Tag.ProtectStopDate, new Date(Date.now() - HOUR)),
      t.date(Tag.ProcessStartDate, new Date(Date.now() + HOUR)),
    ]);
    const enc = await run(h, ecb(Operation.Encrypt, uid, Buffer.alloc(16, 1)));
    expect(resultOf(enc)).toMatchObject({ status: 1, reason: ResultReason.WrongKeyLifecycleState });
    const dec = await run(h, ecb(Operation.Decrypt, uid, Buffer.alloc(16, 1)));
    expect(resultOf(dec)).toMatchObject({ status: 1, reason: ResultReason.WrongKeyLifecycleState });
    // KMIP 1.4 names the same refusal Permission Denied.
    const enc14 = await run(h, ecb(Operation.Encrypt, uid, Buffer.alloc(16, 1), [1, 4]));
    expect(resultOf(enc14)).toMatchObject({ status: 1, reason: ResultReason.PermissionDenied });
  });

  it('allows both inside the dates', async () => {
    const h = opsHarness();
    const uid = await registerAes(h, [
      t.date(Tag.ProtectStopDate, new Date(Date.now() + HOUR)),
      t.date(Tag.ProcessStartDate, new Date(Date.now() - HOUR)),
    ]);
    const data = Buffer.alloc(16, 1);
    const cipher = valueOf(ok(await run(h, ecb(Operation.Encrypt, uid, data))), Tag.Data) as Uint8Array;
    const plain = valueOf(ok(await run(h, ecb(Operation.Decrypt, uid, cipher))), Tag.Data) as Uint8Array;
    expect(Buffer.from(plain)).toEqual(data);
  });
});

describe('Usage Limits', () => {
  it('counts bytes down and refuses a use the remainder cannot cover', async () => {
    const h = opsHarness();
    const uid = await registerAes(h, [
      t.struct(Tag.UsageLimits, [t.long(Tag.UsageLimitsTotal, 32n), t.enm(Tag.UsageLimitsUnit, BYTE)]),
    ]);
    ok(await run(h, ecb(Operation.Encrypt, uid, Buffer.alloc(16, 1))));
    const limits = (await h.object(uid)).attributes['UsageLimits']?.[0] as Record<string, unknown>;
    expect(limits['UsageLimitsCount']).toBe(16n);
    const tooMuch = await run(h, ecb(Operation.Encrypt, uid, Buffer.alloc(32, 1)));
    expect(resultOf(tooMuch)).toMatchObject({ status: 1, reason: ResultReason.PermissionDenied });
    ok(await run(h, ecb(Operation.Encrypt, uid, Buffer.alloc(16, 1))));
    const spent = await run(h, ecb(Operation.Encrypt, uid, Buffer.alloc(16, 1)));
    expect(resultOf(spent)).toMatchObject({ status: 1, reason: ResultReason.PermissionDenied });
  });
});

describe('Create with Quantum Safe', () => {
  const create = (h: Harness, bits: number) =>
    h.send(Operation.Create, [
      t.enm(Tag.ObjectType, SYMMETRIC_KEY),
      t.struct(Tag.Attributes, [
        t.enm(Tag.CryptographicAlgorithm, AES),
        t.int(Tag.CryptographicLength, bits),
        t.int(Tag.CryptographicUsageMask, ENCRYPT_DECRYPT),
        t.bool(Tag.QuantumSafe, true),
      ]),
    ]);
  it('refuses AES-128 (General Failure) and makes AES-256', async () => {
    const h = opsHarness();
    expect(resultOf(await create(h, 128))).toMatchObject({ status: 1, reason: ResultReason.GeneralFailure });
    expect(resultOf(await create(h, 256)).status).toBe(0);
  });
});

describe('Add Attribute of a Name the object has', () => {
  it('is Non Unique Name Attribute', async () => {
    const h = opsHarness();
    const uid = await registerAes(h);
    const name = () =>
      t.struct(Tag.NewAttribute, [t.struct(Tag.Name, [t.text(Tag.NameValue, 'n1'), t.enm(Tag.NameType, 1)])]);
    ok(await h.send(Operation.AddAttribute, [t.text(Tag.UniqueIdentifier, uid), name()]));
    const again = await h.send(Operation.AddAttribute, [t.text(Tag.UniqueIdentifier, uid), name()]);
    expect(resultOf(again)).toMatchObject({ status: 1, reason: ResultReason.NonUniqueNameAttribute });
  });
});

describe('An unknown Unique Identifier', () => {
  it('is Item Not Found in 1.4 and Object Not Found in 2.1', async () => {
    const h = opsHarness();
    const get = (v: [number, number]) =>
      h.send(Operation.Get, [t.text(Tag.UniqueIdentifier, 'no-such')], { version: v });
    expect(resultOf(await get([1, 4])).reason).toBe(ResultReason.ItemNotFound);
    expect(resultOf(await get([2, 1])).reason).toBe(ResultReason.ObjectNotFound);
  });
});
