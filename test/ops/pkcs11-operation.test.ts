import { describe, expect, it } from 'vitest';
import type { StructureItem } from '../../main/kmip/ttlv/index.js';
import {
  CK_INFO_LENGTH,
  decodeCkInfo,
  encodeCkInfo,
  KEYHOLD_CK_INFO,
  makePkcs11Operation,
} from '../../main/ops/pkcs11-operation.js';
import { t } from '../../main/ops/ttlv.js';
import { EnumNames, Operation, ResultReason, Tag } from '../../main/ops/vocabulary.js';
import { MemoryObjectStore } from '../../main/ops/index.js';
import { GrantTable } from '../../main/server/access.js';
import type { OpsContext } from '../../main/ops/context.js';
import { opsHarness, payloadOf, valueOf } from './ops-harness.js';

const Fn = EnumNames.PKCS_11Function as Record<string, number>;
const Rv = EnumNames.PKCS_11ReturnCode as Record<string, number>;

const call = (fn: number, more: { correlation?: Uint8Array; input?: Uint8Array; iface?: string } = {}) => [
  more.iface === undefined ? undefined : t.text(Tag.PKCS_11Interface, more.iface),
  t.enm(Tag.PKCS_11Function, fn),
  more.correlation === undefined ? undefined : t.bytes(Tag.CorrelationValue, more.correlation),
  more.input === undefined ? undefined : t.bytes(Tag.PKCS_11InputParameters, more.input),
];

async function initialize(h: ReturnType<typeof opsHarness>, identity = 'alice'): Promise<Uint8Array> {
  const r = await h.send(Operation.PKCS_11, call(Fn.C_Initialize as number, { input: Uint8Array.of(1) }), {
    identity,
  });
  expect(valueOf(r, Tag.ResultStatus)).toBe(0);
  expect(valueOf(payloadOf(r), Tag.PKCS_11ReturnCode)).toBe(Rv.OK);
  const correlation = valueOf(payloadOf(r), Tag.CorrelationValue);
  expect(correlation).toBeInstanceOf(Uint8Array);
  return correlation as Uint8Array;
}

describe('PKCS#11 operation (KMIP 2.1 section 6.1.37)', () => {
  it('C_Initialize answers a fresh server-chosen Correlation Value each time', async () => {
    const h = opsHarness();
    const a = await initialize(h);
    const b = await initialize(h);
    expect(a.length).toBe(16);
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(false);
  });

  it("C_GetInfo answers Keyhold's own CK_INFO, blank-padded, in the profile's encoding", async () => {
    const h = opsHarness();
    const correlation = await initialize(h);
    const r = await h.send(Operation.PKCS_11, call(Fn.C_GetInfo as number, { correlation }));
    const p = payloadOf(r);
    expect(valueOf(p, Tag.PKCS_11Function)).toBe(Fn.C_GetInfo);
    expect(valueOf(p, Tag.PKCS_11ReturnCode)).toBe(Rv.OK);
    expect(valueOf(p, Tag.CorrelationValue)).toBeUndefined();
    const out = valueOf(p, Tag.PKCS_11OutputParameters) as Uint8Array;
    expect(out.length).toBe(CK_INFO_LENGTH);
    const bytes = Buffer.from(out);
    expect(bytes.subarray(0, 2).toString('hex')).toBe('0228'); // cryptokiVersion 2.40
    expect(bytes.subarray(2, 34).toString('latin1')).toBe('Keyhold'.padEnd(32, ' '));
    expect(bytes.subarray(34, 42).toString('hex')).toBe('0000000000000000');
    expect(bytes.subarray(42, 74).toString('latin1')).toBe('Keyhold KMIP PKCS#11 facade'.padEnd(32, ' '));
    expect(bytes.subarray(74).toString('hex')).toBe('0100');
    expect(decodeCkInfo(out)).toEqual({ ...KEYHOLD_CK_INFO });
  });

  it('C_Finalize ends the library session: its Correlation Value is refused after', async () => {
    const h = opsHarness();
    const correlation = await initialize(h);
    const fin = await h.send(Operation.PKCS_11, call(Fn.C_Finalize as number, { correlation }));
    expect(valueOf(payloadOf(fin), Tag.PKCS_11ReturnCode)).toBe(Rv.OK);
    const again = await h.send(Operation.PKCS_11, call(Fn.C_GetInfo as number, { correlation }));
    expect(valueOf(again, Tag.ResultStatus)).toBe(1);
    expect(valueOf(again, Tag.ResultReason)).toBe(ResultReason.InvalidAsynchronousCorrelationValue);
  });

  it('an unknown Correlation Value, or another client’s, is Invalid Asynchronous Correlation Value (the reason 2.1 section 6.1.37.1 lists)', async () => {
    const h = opsHarness();
    const unknown = await h.send(Operation.PKCS_11, call(Fn.C_GetInfo as number, { correlation: new Uint8Array(16) }));
    expect(valueOf(unknown, Tag.ResultStatus)).toBe(1);
    expect(valueOf(unknown, Tag.ResultReason)).toBe(ResultReason.InvalidAsynchronousCorrelationValue);
    const bobs = await initialize(h, 'bob');
    const stolen = await h.send(Operation.PKCS_11, call(Fn.C_GetInfo as number, { correlation: bobs }), {
      identity: 'alice',
    });
    expect(valueOf(stolen, Tag.ResultReason)).toBe(ResultReason.InvalidAsynchronousCorrelationValue);
    const own = await h.send(Operation.PKCS_11, call(Fn.C_GetInfo as number, { correlation: bobs }), {
      identity: 'bob',
    });
    expect(valueOf(payloadOf(own), Tag.PKCS_11ReturnCode)).toBe(Rv.OK);
  });

  it('a call without C_Initialize answers CKR_CRYPTOKI_NOT_INITIALIZED; a second C_Initialize ALREADY_INITIALIZED', async () => {
    const h = opsHarness();
    const r = await h.send(Operation.PKCS_11, call(Fn.C_GetInfo as number));
    expect(valueOf(r, Tag.ResultStatus)).toBe(0);
    expect(valueOf(payloadOf(r), Tag.PKCS_11ReturnCode)).toBe(Rv.CRYPTOKI_NOT_INITIALIZED);
    const correlation = await initialize(h);
    const twice = await h.send(Operation.PKCS_11, call(Fn.C_Initialize as number, { correlation }));
    expect(valueOf(payloadOf(twice), Tag.PKCS_11ReturnCode)).toBe(Rv.CRYPTOKI_ALREADY_INITIALIZED);
  });

  it('known PKCS#11 functions Keyhold does not serve answer CKR_FUNCTION_NOT_SUPPORTED', async () => {
    const h = opsHarness();
    const correlation = await initialize(h);
    for (const fn of ['C_GetSlotList', 'C_OpenSession', 'C_Encrypt', 'C_GenerateKey']) {
      const r = await h.send(Operation.PKCS_11, call(Fn[fn] as number, { correlation }));
      expect(valueOf(r, Tag.ResultStatus)).toBe(0);
      expect(valueOf(payloadOf(r), Tag.PKCS_11Function)).toBe(Fn[fn]);
      expect(valueOf(payloadOf(r), Tag.PKCS_11ReturnCode)).toBe(Rv.FUNCTION_NOT_SUPPORTED);
    }
  });

  it('an unknown function is PKCS#11 Invalid Function, an unknown interface PKCS#11 Invalid Interface', async () => {
    const h = opsHarness();
    const vendor = await h.send(Operation.PKCS_11, [t.int(Tag.PKCS_11Function, 0x80000001 | 0)]);
    expect(valueOf(vendor, Tag.ResultReason)).toBe(ResultReason.PKCS_11InvalidFunction);
    const unknown = await h.send(Operation.PKCS_11, call(0x7ff));
    expect(valueOf(unknown, Tag.ResultReason)).toBe(ResultReason.PKCS_11InvalidFunction);
    const iface = await h.send(Operation.PKCS_11, call(Fn.C_Initialize as number, { iface: 'Vendor NSS' }));
    expect(valueOf(iface, Tag.ResultReason)).toBe(ResultReason.PKCS_11InvalidInterface);
    const named = await h.send(Operation.PKCS_11, call(Fn.C_Initialize as number, { iface: 'PKCS 11' }));
    expect(valueOf(payloadOf(named), Tag.PKCS_11Interface)).toBe('PKCS 11');
    expect(valueOf(payloadOf(named), Tag.PKCS_11ReturnCode)).toBe(Rv.OK);
  });

  it('is a 2.x operation: a 1.4 request is Operation Not Supported, and 1.4 Query does not list it', async () => {
    const h = opsHarness();
    const r = await h.send(Operation.PKCS_11, call(Fn.C_Initialize as number), { version: [1, 4] });
    expect(valueOf(r, Tag.ResultStatus)).toBe(1);
    expect(valueOf(r, Tag.ResultReason)).toBe(ResultReason.OperationNotSupported);
    const ops = async (version: [number, number]) =>
      payloadOf(await h.send(Operation.Query, [t.enm(Tag.QueryFunction, 1)], { version })).value.map((i) => i.value);
    const v21 = await ops([2, 1]);
    const v14 = await ops([1, 4]);
    expect(v21).toContain(Operation.PKCS_11);
    expect(v21).toContain(Operation.Locate);
    expect(v14).not.toContain(Operation.PKCS_11);
    expect(v14).not.toContain(Operation.Interop);
    // Import and Export are 1.4 operations, served in their 1.4 form (test/ops/import-export-v14.test.ts).
    expect(v14).toContain(Operation.Export);
    expect(v14).toContain(Operation.Locate);
  });

  it('keeps at most maxSessions library sessions, dropping the oldest', async () => {
    const handler = makePkcs11Operation({ maxSessions: 2 });
    const ctx: OpsContext = {
      store: new MemoryObjectStore(),
      access: new GrantTable(),
      identity: 'alice',
      version: { major: 2, minor: 1 },
      idPlaceholder: undefined,
      now: () => new Date(),
    };
    const payload = (items: ReturnType<typeof call>): StructureItem => t.struct(Tag.RequestPayload, items);
    const open = async () => {
      const r = await handler(payload(call(Fn.C_Initialize as number)), ctx);
      return r.value.find((i) => i.tag === Tag.CorrelationValue)?.value as Uint8Array;
    };
    const [first, second, third] = [await open(), await open(), await open()];
    const info = (correlation: Uint8Array) => handler(payload(call(Fn.C_GetInfo as number, { correlation })), ctx);
    await expect(info(first as Uint8Array)).rejects.toMatchObject({ reason: 'Invalid Asynchronous Correlation Value' });
    await expect(info(second as Uint8Array)).resolves.toBeDefined();
    await expect(info(third as Uint8Array)).resolves.toBeDefined();
  });

  it('one client opening many library sessions drops its own oldest, never another client’s', async () => {
    const handler = makePkcs11Operation({ maxSessions: 4, maxSessionsPerClient: 2 });
    const ctx = (identity: string): OpsContext => ({
      store: new MemoryObjectStore(),
      access: new GrantTable(),
      identity,
      version: { major: 2, minor: 1 },
      idPlaceholder: undefined,
      now: () => new Date(),
    });
    const payload = (items: ReturnType<typeof call>): StructureItem => t.struct(Tag.RequestPayload, items);
    const open = async (identity: string) => {
      const r = await handler(payload(call(Fn.C_Initialize as number)), ctx(identity));
      return r.value.find((i) => i.tag === Tag.CorrelationValue)?.value as Uint8Array;
    };
    const info = (identity: string, correlation: Uint8Array) =>
      handler(payload(call(Fn.C_GetInfo as number, { correlation })), ctx(identity));
    const alice = await open('alice');
    const mallory: Uint8Array[] = [];
    for (let i = 0; i < 10; i++) mallory.push(await open('mallory'));
    await expect(info('alice', alice)).resolves.toBeDefined();
    for (const old of mallory.slice(0, 8))
      await expect(info('mallory', old)).rejects.toMatchObject({ reason: 'Invalid Asynchronous Correlation Value' });
    for (const kept of mallory.slice(8)) await expect(info('mallory', kept)).resolves.toBeDefined();
  });

  it('encodeCkInfo refuses text longer than its 32-byte field', () => {
    expect(() => encodeCkInfo({ ...KEYHOLD_CK_INFO, manufacturerID: 'x'.repeat(33) })).toThrow(/does not fit/);
  });
});
