import { describe, expect, it } from 'vitest';
import { decodeTtlv, encodeTtlv, type StructureItem } from '../../main/kmip/ttlv/index.js';
import { MemoryObjectStore, operations } from '../../main/ops/index.js';
import { find, findAll, t } from '../../main/ops/ttlv.js';
import { Operation, ResultReason, Tag } from '../../main/ops/vocabulary.js';
import { GrantTable } from '../../main/server/access.js';
import { KmipProcessor } from '../../main/server/protocol.js';
import type { ManagedObject } from '../../main/vault/model.js';

const AES = 3;
const SYMMETRIC_KEY = 2;
const SECRET_DATA = 7;

function request(op: number, payload: StructureItem['value']): Uint8Array {
  return encodeTtlv(
    t.struct(Tag.RequestMessage, [
      t.struct(Tag.RequestHeader, [
        t.struct(Tag.ProtocolVersion, [t.int(Tag.ProtocolVersionMajor, 2), t.int(Tag.ProtocolVersionMinor, 1)]),
        t.int(Tag.BatchCount, 1),
      ]),
      t.struct(Tag.BatchItem, [t.enm(Tag.Operation, op), t.struct(Tag.RequestPayload, payload)]),
    ]),
  );
}

const value = (s: StructureItem | undefined, tag: number) => (find(s, tag) as { value: unknown } | undefined)?.value;

function setup() {
  const store = new MemoryObjectStore();
  const processor = new KmipProcessor({ store, access: new GrantTable(), operations });
  const send = async (op: number, payload: StructureItem['value']): Promise<StructureItem> => {
    const m = decodeTtlv(await processor.process(request(op, payload), 'alice')) as StructureItem;
    return findAll(m, Tag.BatchItem)[0] as StructureItem;
  };
  const object = async (uid: string) => (await store.get(uid, 'alice')) as ManagedObject;
  return { send, object };
}

const activatedYesterday = new Date(Date.now() - 86_400_000);
const deactivatesLater = new Date(Date.now() + 30 * 86_400_000);

async function createKey(send: ReturnType<typeof setup>['send']): Promise<string> {
  const item = await send(Operation.Create, [
    t.enm(Tag.ObjectType, SYMMETRIC_KEY),
    t.struct(Tag.Attributes, [
      t.enm(Tag.CryptographicAlgorithm, AES),
      t.int(Tag.CryptographicLength, 256),
      t.int(Tag.CryptographicUsageMask, 12),
      t.struct(Tag.Name, [t.text(Tag.NameValue, 'payroll'), t.enm(Tag.NameType, 1)]),
      t.date(Tag.ActivationDate, activatedYesterday),
      t.date(Tag.DeactivationDate, deactivatesLater),
    ]),
  ]);
  expect(value(item, Tag.ResultStatus)).toBe(0);
  return value(item.value.find((i) => i.tag === Tag.ResponsePayload) as StructureItem, Tag.UniqueIdentifier) as string;
}

describe('Re-key', () => {
  it('makes a replacement that takes over the names, links both ways, keeps the dates without an Offset', async () => {
    const { send, object } = setup();
    const oldId = await createKey(send);
    const item = await send(Operation.ReKey, [t.text(Tag.UniqueIdentifier, oldId)]);
    expect(value(item, Tag.ResultStatus)).toBe(0);
    const newId = value(find(item, Tag.ResponsePayload) as StructureItem, Tag.UniqueIdentifier) as string;
    expect(newId).not.toBe(oldId);
    const [old, replacement] = [await object(oldId), await object(newId)];
    expect(replacement.attributes['Name']).toEqual([{ NameValue: 'payroll', NameType: 'UninterpretedTextString' }]);
    expect(old.attributes['Name']).toBeUndefined();
    expect(replacement.attributes['Link']).toEqual([{ LinkType: 'ReplacedObjectLink', LinkedObjectIdentifier: oldId }]);
    expect(old.attributes['Link']).toContainEqual({ LinkType: 'ReplacementObjectLink', LinkedObjectIdentifier: newId });
    expect(replacement.attributes['CryptographicLength']).toEqual([256]);
    expect(replacement.attributes['CryptographicUsageMask']).toEqual([12]);
    expect(replacement.attributes['State']).toEqual(['Active']);
    expect((replacement.attributes['DeactivationDate']?.[0] as Date).getTime()).toBe(
      Math.floor(deactivatesLater.getTime() / 1000) * 1000,
    );
    expect(Buffer.from(replacement.keyBlock?.keyMaterial as Uint8Array)).not.toEqual(
      Buffer.from(old.keyBlock?.keyMaterial as Uint8Array),
    );
    expect(replacement.keyBlock?.keyMaterial).toHaveLength(32);
  });

  it('moves the Activation and Deactivation Dates by the Offset (the new key waits until then)', async () => {
    const { send, object } = setup();
    const oldId = await createKey(send);
    const before = Date.now();
    const item = await send(Operation.ReKey, [t.text(Tag.UniqueIdentifier, oldId), t.interval(Tag.Offset, 3600)]);
    const newId = value(find(item, Tag.ResponsePayload) as StructureItem, Tag.UniqueIdentifier) as string;
    const replacement = await object(newId);
    const activation = (replacement.attributes['ActivationDate']?.[0] as Date).getTime();
    expect(activation).toBeGreaterThanOrEqual(before + 3_599_000);
    expect(activation).toBeLessThanOrEqual(Date.now() + 3_601_000);
    const oldActivation = Math.floor(activatedYesterday.getTime() / 1000) * 1000;
    const oldDeactivation = Math.floor(deactivatesLater.getTime() / 1000) * 1000;
    expect((replacement.attributes['DeactivationDate']?.[0] as Date).getTime()).toBe(
      oldDeactivation + (activation - oldActivation),
    );
    expect(replacement.attributes['State']).toEqual(['PreActive']);
  });

  it('refuses what is not a symmetric key, and an unknown identifier', async () => {
    const { send } = setup();
    const secret = await send(Operation.Create, [
      t.enm(Tag.ObjectType, SECRET_DATA),
      t.struct(Tag.Attributes, [t.int(Tag.CryptographicLength, 256)]),
    ]);
    const secretId = value(find(secret, Tag.ResponsePayload) as StructureItem, Tag.UniqueIdentifier) as string;
    const refused = await send(Operation.ReKey, [t.text(Tag.UniqueIdentifier, secretId)]);
    expect(value(refused, Tag.ResultReason)).toBe(ResultReason.InvalidObjectType);
    const missing = await send(Operation.ReKey, [t.text(Tag.UniqueIdentifier, 'no-such-key')]);
    expect(value(missing, Tag.ResultReason)).toBe(ResultReason.ObjectNotFound);
  });
});

describe('Re-key Key Pair', () => {
  it('replaces a private key and its public key: same curve, names moved, links between all four', async () => {
    const { send, object } = setup();
    const created = await send(Operation.CreateKeyPair, [
      t.struct(Tag.CommonAttributes, [t.enm(Tag.CryptographicAlgorithm, 26), t.int(Tag.CryptographicLength, 384)]),
      t.struct(Tag.PrivateKeyAttributes, [
        t.struct(Tag.Name, [t.text(Tag.NameValue, 'signer'), t.enm(Tag.NameType, 1)]),
        t.int(Tag.CryptographicUsageMask, 1),
      ]),
      t.struct(Tag.PublicKeyAttributes, [
        t.struct(Tag.Name, [t.text(Tag.NameValue, 'signer.pub'), t.enm(Tag.NameType, 1)]),
        t.int(Tag.CryptographicUsageMask, 2),
      ]),
    ]);
    expect(value(created, Tag.ResultStatus)).toBe(0);
    const createdPayload = find(created, Tag.ResponsePayload) as StructureItem;
    const oldPriv = value(createdPayload, Tag.PrivateKeyUniqueIdentifier) as string;
    const oldPub = value(createdPayload, Tag.PublicKeyUniqueIdentifier) as string;
    const item = await send(Operation.ReKeyKeyPair, [t.text(Tag.PrivateKeyUniqueIdentifier, oldPriv)]);
    expect(value(item, Tag.ResultStatus)).toBe(0);
    const payload = find(item, Tag.ResponsePayload) as StructureItem;
    const [newPriv, newPub] = [
      await object(value(payload, Tag.PrivateKeyUniqueIdentifier) as string),
      await object(value(payload, Tag.PublicKeyUniqueIdentifier) as string),
    ];
    expect(newPriv.attributes['Name']).toEqual([{ NameValue: 'signer', NameType: 'UninterpretedTextString' }]);
    expect(newPub.attributes['Name']).toEqual([{ NameValue: 'signer.pub', NameType: 'UninterpretedTextString' }]);
    expect(newPriv.attributes['CryptographicLength']).toEqual([384]);
    expect(newPriv.attributes['CryptographicUsageMask']).toEqual([1]);
    expect(newPub.attributes['CryptographicUsageMask']).toEqual([2]);
    expect(newPriv.attributes['Link']).toEqual(
      expect.arrayContaining([
        { LinkType: 'PublicKeyLink', LinkedObjectIdentifier: newPub.uniqueIdentifier },
        { LinkType: 'ReplacedObjectLink', LinkedObjectIdentifier: oldPriv },
      ]),
    );
    expect(newPub.attributes['Link']).toEqual(
      expect.arrayContaining([
        { LinkType: 'PrivateKeyLink', LinkedObjectIdentifier: newPriv.uniqueIdentifier },
        { LinkType: 'ReplacedObjectLink', LinkedObjectIdentifier: oldPub },
      ]),
    );
    const [oldPrivObj, oldPubObj] = [await object(oldPriv), await object(oldPub)];
    expect(oldPrivObj.attributes['Name']).toBeUndefined();
    expect(oldPrivObj.attributes['Link']).toContainEqual({
      LinkType: 'ReplacementObjectLink',
      LinkedObjectIdentifier: newPriv.uniqueIdentifier,
    });
    expect(oldPubObj.attributes['Link']).toContainEqual({
      LinkType: 'ReplacementObjectLink',
      LinkedObjectIdentifier: newPub.uniqueIdentifier,
    });
    expect(Buffer.from(newPub.keyBlock?.keyMaterial as Uint8Array)).not.toEqual(
      Buffer.from(oldPubObj.keyBlock?.keyMaterial as Uint8Array),
    );
  });
});
