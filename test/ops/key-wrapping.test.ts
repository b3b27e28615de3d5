import { execFileSync } from 'node:child_process';
import {
  constants,
  createCipheriv,
  createDecipheriv,
  createPrivateKey,
  createPublicKey,
  privateDecrypt,
  publicEncrypt,
  randomBytes,
} from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeTtlv, type StructureItem, type TtlvItem } from '../../main/kmip/ttlv/index.js';
import { find, t } from '../../main/ops/ttlv.js';
import { EnumNames, Operation, ResultReason, Tag } from '../../main/ops/vocabulary.js';
import { ok, opsHarness, resultOf, uidOf, valueOf } from './ops-harness.js';

const E = EnumNames;
const AES = E.CryptographicAlgorithm!.AES!;
const RSA = E.CryptographicAlgorithm!.RSA!;
const SYMMETRIC_KEY = E.ObjectType!.SymmetricKey!;
const SECRET_DATA = E.ObjectType!.SecretData!;
const WRAP = 0x10;
const UNWRAP = 0x20;
const ENCRYPT_DECRYPT = 0x0c;
const NO_ENCODING = 1;
const ENCRYPT = 1;

const dir = mkdtempSync(path.join(tmpdir(), 'keyhold-wrap-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** RFC 3394 / 5649 unwrap with the openssl command line (an independent implementation). */
function opensslUnwrap(kek: Uint8Array, wrapped: Uint8Array, pad: boolean): Buffer {
  const input = path.join(dir, `in-${Math.random()}`);
  writeFileSync(input, wrapped);
  const out = path.join(dir, `out-${Math.random()}`);
  execFileSync('openssl', [
    'enc',
    '-d',
    pad ? '-id-aes256-wrap-pad' : '-id-aes256-wrap',
    '-K',
    Buffer.from(kek).toString('hex'),
    '-iv',
    pad ? 'A65959A6' : 'A6A6A6A6A6A6A6A6',
    '-in',
    input,
    '-out',
    out,
  ]);
  return readFileSync(out);
}

type Send = ReturnType<typeof opsHarness>['send'];

async function createAes(send: Send, mask: number, mode?: number, extra: StructureItem['value'] = []): Promise<string> {
  return uidOf(
    await send(Operation.Create, [
      t.enm(Tag.ObjectType, SYMMETRIC_KEY),
      t.struct(Tag.Attributes, [
        t.enm(Tag.CryptographicAlgorithm, AES),
        t.int(Tag.CryptographicLength, 256),
        t.int(Tag.CryptographicUsageMask, mask),
        mode === undefined ? undefined : t.struct(Tag.CryptographicParameters, [t.enm(Tag.BlockCipherMode, mode)]),
        t.date(Tag.ActivationDate, new Date(Date.now() - 3_600_000)),
        ...extra,
      ]),
    ]),
  );
}

/** An RSA-2048 pair, Active: the public key may Wrap Key, the private key Unwrap Key. */
async function createRsaWrappingPair(send: Send): Promise<{ pubId: string; privId: string }> {
  const active = () => t.date(Tag.ActivationDate, new Date(Date.now() - 60_000));
  const pair = ok(
    await send(Operation.CreateKeyPair, [
      t.struct(Tag.CommonAttributes, [t.enm(Tag.CryptographicAlgorithm, RSA), t.int(Tag.CryptographicLength, 2048)]),
      t.struct(Tag.PrivateKeyAttributes, [t.int(Tag.CryptographicUsageMask, UNWRAP), active()]),
      t.struct(Tag.PublicKeyAttributes, [t.int(Tag.CryptographicUsageMask, WRAP), active()]),
    ]),
  );
  return {
    pubId: valueOf(pair, Tag.PublicKeyUniqueIdentifier) as string,
    privId: valueOf(pair, Tag.PrivateKeyUniqueIdentifier) as string,
  };
}

/** Registers an AES-256 key given wrapped under `wrappingId` with `params`; returns its identifier. */
async function registerWrapped(
  send: Send,
  wrapped: Uint8Array,
  wrappingId: string,
  params: TtlvItem[],
  attributes: TtlvItem[] = [],
): Promise<string> {
  return uidOf(
    await send(Operation.Register, [
      t.enm(Tag.ObjectType, SYMMETRIC_KEY),
      t.struct(Tag.Attributes, attributes),
      t.struct(Tag.SymmetricKey, [
        t.struct(Tag.KeyBlock, [
          t.enm(Tag.KeyFormatType, E.KeyFormatType!.Raw!),
          t.bytes(Tag.KeyValue, wrapped),
          t.enm(Tag.CryptographicAlgorithm, AES),
          t.int(Tag.CryptographicLength, 256),
          t.struct(Tag.KeyWrappingData, [
            t.enm(Tag.WrappingMethod, ENCRYPT),
            t.struct(Tag.EncryptionKeyInformation, [
              t.text(Tag.UniqueIdentifier, wrappingId),
              t.struct(Tag.CryptographicParameters, params),
            ]),
            t.enm(Tag.EncodingOption, NO_ENCODING),
          ]),
        ]),
      ]),
    ]),
  );
}

/** The Key Block of a Get asking for the key Not Wrapped. */
async function getNotWrapped(send: Send, uid: string): Promise<StructureItem> {
  return keyBlockOf(
    ok(
      await send(Operation.Get, [
        t.text(Tag.UniqueIdentifier, uid),
        t.enm(Tag.KeyWrapType, E.KeyWrapType!.NotWrapped!),
      ]),
    ),
  );
}

function wrapSpec(
  uid: string,
  o: { mode?: number; padding?: number; hash?: number; encoding?: number; names?: string[] } = {},
) {
  const params = [
    o.mode === undefined ? undefined : t.enm(Tag.BlockCipherMode, o.mode),
    o.padding === undefined ? undefined : t.enm(Tag.PaddingMethod, o.padding),
    o.hash === undefined ? undefined : t.enm(Tag.HashingAlgorithm, o.hash),
  ].filter((x) => x !== undefined);
  return t.struct(Tag.KeyWrappingSpecification, [
    t.enm(Tag.WrappingMethod, ENCRYPT),
    t.struct(Tag.EncryptionKeyInformation, [
      t.text(Tag.UniqueIdentifier, uid),
      params.length > 0 ? t.struct(Tag.CryptographicParameters, params) : undefined,
    ]),
    ...(o.names ?? []).map((n) => t.text(Tag.AttributeName, n)),
    o.encoding === undefined ? undefined : t.enm(Tag.EncodingOption, o.encoding),
  ]);
}

function keyBlockOf(getPayload: StructureItem, objectTag: number = Tag.SymmetricKey): StructureItem {
  return find(find(getPayload, objectTag) as StructureItem, Tag.KeyBlock) as StructureItem;
}

const NIST_KW = E.BlockCipherMode!.NISTKeyWrap!;
const KWP = E.BlockCipherMode!.AESKeyWrapPadding!;

describe('Get with a Key Wrapping Specification', () => {
  it('wraps with AES Key Wrap (RFC 3394), No Encoding: openssl unwraps it to the stored key', async () => {
    const { send, object } = opsHarness();
    const kekId = await createAes(send, WRAP | UNWRAP, NIST_KW);
    const keyId = await createAes(send, ENCRYPT_DECRYPT);
    const payload = ok(
      await send(Operation.Get, [
        t.text(Tag.UniqueIdentifier, keyId),
        wrapSpec(kekId, { mode: NIST_KW, encoding: NO_ENCODING }),
      ]),
    );
    const kb = keyBlockOf(payload);
    const wrapped = valueOf(kb, Tag.KeyValue) as Uint8Array;
    expect(wrapped).toBeInstanceOf(Uint8Array);
    expect(wrapped).toHaveLength(40);
    const kwd = find(kb, Tag.KeyWrappingData) as StructureItem;
    expect(valueOf(kwd, Tag.WrappingMethod)).toBe(ENCRYPT);
    expect(valueOf(kwd, Tag.EncodingOption)).toBe(NO_ENCODING);
    expect(valueOf(find(kwd, Tag.EncryptionKeyInformation) as StructureItem, Tag.UniqueIdentifier)).toBe(kekId);
    const kek = (await object(kekId)).keyBlock?.keyMaterial as Uint8Array;
    const key = (await object(keyId)).keyBlock?.keyMaterial as Uint8Array;
    expect(opensslUnwrap(kek, wrapped, false).equals(Buffer.from(key))).toBe(true);
    // The stored key is untouched.
    expect((await object(keyId)).keyBlock?.keyWrappingData).toBeUndefined();
  });

  it('wraps the TTLV-encoded Key Value by default, with the attributes asked for', async () => {
    const { send, object } = opsHarness();
    const kekId = await createAes(send, WRAP, NIST_KW);
    const keyId = await createAes(send, ENCRYPT_DECRYPT);
    const payload = ok(
      await send(Operation.Get, [
        t.text(Tag.UniqueIdentifier, keyId),
        wrapSpec(kekId, { names: ['Cryptographic Usage Mask'] }),
      ]),
    );
    const kb = keyBlockOf(payload);
    expect(valueOf(find(kb, Tag.KeyWrappingData) as StructureItem, Tag.EncodingOption)).toBeUndefined();
    const kek = (await object(kekId)).keyBlock?.keyMaterial as Uint8Array;
    const d = createDecipheriv('id-aes256-wrap', kek, Buffer.from('a6a6a6a6a6a6a6a6', 'hex'));
    const plain = Buffer.concat([d.update(valueOf(kb, Tag.KeyValue) as Uint8Array), d.final()]);
    const keyValue = decodeTtlv(plain) as StructureItem;
    expect(keyValue.tag).toBe(Tag.KeyValue);
    const key = (await object(keyId)).keyBlock?.keyMaterial as Uint8Array;
    expect(Buffer.from(valueOf(keyValue, Tag.KeyMaterial) as Uint8Array).equals(Buffer.from(key))).toBe(true);
    expect(valueOf(find(keyValue, Tag.Attributes) as StructureItem, Tag.CryptographicUsageMask)).toBe(ENCRYPT_DECRYPT);
  });

  it('1.4: wrapped attributes are 1.x Attribute structures inside the Key Value', async () => {
    const { send, object } = opsHarness();
    const v14 = { version: [1, 4] as [number, number] };
    const kekId = await createAes(send, WRAP, NIST_KW);
    const keyId = await createAes(send, ENCRYPT_DECRYPT);
    const payload = ok(
      await send(
        Operation.Get,
        [t.text(Tag.UniqueIdentifier, keyId), wrapSpec(kekId, { names: ['Cryptographic Length'] })],
        v14,
      ),
    );
    const kek = (await object(kekId)).keyBlock?.keyMaterial as Uint8Array;
    const d = createDecipheriv('id-aes256-wrap', kek, Buffer.from('a6a6a6a6a6a6a6a6', 'hex'));
    const kv = decodeTtlv(
      Buffer.concat([d.update(valueOf(keyBlockOf(payload), Tag.KeyValue) as Uint8Array), d.final()]),
    ) as StructureItem;
    const attribute = find(kv, Tag.Attribute) as StructureItem;
    expect(valueOf(attribute, Tag.AttributeName)).toBe('Cryptographic Length');
    expect(valueOf(attribute, Tag.AttributeValue)).toBe(256);
  });

  it('wraps with padding (RFC 5649) when the Block Cipher Mode says so: a 20-byte secret', async () => {
    const { send, object } = opsHarness();
    const kekId = await createAes(send, WRAP, KWP);
    const secret = randomBytes(20);
    const secretId = uidOf(
      await send(Operation.Register, [
        t.enm(Tag.ObjectType, SECRET_DATA),
        t.struct(Tag.Attributes, [t.int(Tag.CryptographicUsageMask, 0x40)]),
        t.struct(Tag.SecretData, [
          t.enm(Tag.SecretDataType, 1),
          t.struct(Tag.KeyBlock, [
            t.enm(Tag.KeyFormatType, E.KeyFormatType!.Opaque!),
            t.struct(Tag.KeyValue, [t.bytes(Tag.KeyMaterial, secret)]),
          ]),
        ]),
      ]),
    );
    const payload = ok(
      await send(Operation.Get, [
        t.text(Tag.UniqueIdentifier, secretId),
        wrapSpec(kekId, { mode: KWP, encoding: NO_ENCODING }),
      ]),
    );
    const wrapped = valueOf(keyBlockOf(payload, Tag.SecretData), Tag.KeyValue) as Uint8Array;
    const kek = (await object(kekId)).keyBlock?.keyMaterial as Uint8Array;
    expect(opensslUnwrap(kek, wrapped, true).equals(secret)).toBe(true);
  });

  it('plain AES Key Wrap refuses a 20-byte secret (RFC 3394 needs multiples of 8 bytes)', async () => {
    const { send } = opsHarness();
    const kekId = await createAes(send, WRAP, NIST_KW);
    const secretId = uidOf(
      await send(Operation.Register, [
        t.enm(Tag.ObjectType, SECRET_DATA),
        t.struct(Tag.Attributes, []),
        t.struct(Tag.SecretData, [
          t.enm(Tag.SecretDataType, 1),
          t.struct(Tag.KeyBlock, [
            t.enm(Tag.KeyFormatType, E.KeyFormatType!.Opaque!),
            t.struct(Tag.KeyValue, [t.bytes(Tag.KeyMaterial, randomBytes(20))]),
          ]),
        ]),
      ]),
    );
    const r = resultOf(
      await send(Operation.Get, [
        t.text(Tag.UniqueIdentifier, secretId),
        wrapSpec(kekId, { mode: NIST_KW, encoding: NO_ENCODING }),
      ]),
    );
    expect(r.status).not.toBe(0);
  });

  it('wraps with an RSA public key (OAEP SHA-256): the private key decrypts it to the key bytes', async () => {
    const { send, object } = opsHarness();
    const { pubId, privId } = await createRsaWrappingPair(send);
    const keyId = await createAes(send, ENCRYPT_DECRYPT);
    const payload = ok(
      await send(Operation.Get, [
        t.text(Tag.UniqueIdentifier, keyId),
        wrapSpec(pubId, {
          padding: E.PaddingMethod!.OAEP!,
          hash: E.HashingAlgorithm!.SHA_256!,
          encoding: NO_ENCODING,
        }),
      ]),
    );
    const wrapped = valueOf(keyBlockOf(payload), Tag.KeyValue) as Uint8Array;
    expect(wrapped).toHaveLength(256);
    const priv = (await object(privId)).keyBlock?.keyMaterial as Uint8Array;
    const plain = privateDecrypt(
      {
        key: createPrivateKey({ key: Buffer.from(priv), format: 'der', type: 'pkcs1' }),
        padding: constants.RSA_PKCS1_OAEP_PADDING,
        oaepHash: 'sha256',
      },
      wrapped,
    );
    expect(plain.equals(Buffer.from((await object(keyId)).keyBlock?.keyMaterial as Uint8Array))).toBe(true);
  });

  it('refuses a wrapping key without the Wrap Key usage', async () => {
    const { send } = opsHarness();
    const notKek = await createAes(send, ENCRYPT_DECRYPT, NIST_KW);
    const keyId = await createAes(send, ENCRYPT_DECRYPT);
    const r = resultOf(await send(Operation.Get, [t.text(Tag.UniqueIdentifier, keyId), wrapSpec(notKek)]));
    expect(r.status).toBe(1);
    expect(r.reason).toBe(ResultReason.IncompatibleCryptographicUsageMask);
  });

  it('refuses parameters the wrapping key does not have, an unknown key, and a key of another client', async () => {
    const { send } = opsHarness();
    const kekId = await createAes(send, WRAP, NIST_KW);
    const keyId = await createAes(send, ENCRYPT_DECRYPT);
    const bad = resultOf(
      await send(Operation.Get, [
        t.text(Tag.UniqueIdentifier, keyId),
        wrapSpec(kekId, { mode: E.BlockCipherMode!.CBC! }),
      ]),
    );
    expect(bad.reason).toBe(ResultReason.BadCryptographicParameters);
    const missing = resultOf(await send(Operation.Get, [t.text(Tag.UniqueIdentifier, keyId), wrapSpec('nope')]));
    expect(missing.reason).toBe(ResultReason.WrappingObjectNotFound);
    const bobKek = await createAes(send, WRAP, NIST_KW, []);
    const bobKey = uidOf(
      await send(
        Operation.Create,
        [
          t.enm(Tag.ObjectType, SYMMETRIC_KEY),
          t.struct(Tag.Attributes, [t.enm(Tag.CryptographicAlgorithm, AES), t.int(Tag.CryptographicLength, 128)]),
        ],
        { identity: 'bob' },
      ),
    );
    const foreign = resultOf(
      await send(Operation.Get, [t.text(Tag.UniqueIdentifier, bobKey), wrapSpec(bobKek)], { identity: 'bob' }),
    );
    expect(foreign.reason).toBe(ResultReason.PermissionDenied);
  });

  it('returns a Sensitive key only wrapped', async () => {
    const { send } = opsHarness();
    const kekId = await createAes(send, WRAP, NIST_KW);
    const keyId = await createAes(send, ENCRYPT_DECRYPT, undefined, [t.bool(Tag.Sensitive, true)]);
    expect(resultOf(await send(Operation.Get, [t.text(Tag.UniqueIdentifier, keyId)])).reason).toBe(
      ResultReason.Sensitive,
    );
    ok(await send(Operation.Get, [t.text(Tag.UniqueIdentifier, keyId), wrapSpec(kekId)]));
  });

  it('never returns a key that is not Extractable, wrapped or not', async () => {
    const { send } = opsHarness();
    const kekId = await createAes(send, WRAP, NIST_KW);
    const keyId = await createAes(send, ENCRYPT_DECRYPT, undefined, [t.bool(Tag.Extractable, false)]);
    expect(resultOf(await send(Operation.Get, [t.text(Tag.UniqueIdentifier, keyId), wrapSpec(kekId)])).reason).toBe(
      ResultReason.NotExtractable,
    );
  });
});

describe('Register of a wrapped key', () => {
  it('stores it as given with a Wrapping Key Link; Get returns it as registered or, asked Not Wrapped, unwrapped', async () => {
    const { send, object } = opsHarness();
    const kekId = await createAes(send, WRAP | UNWRAP, NIST_KW);
    const kek = (await object(kekId)).keyBlock?.keyMaterial as Uint8Array;
    const key = randomBytes(32);
    const c = createCipheriv('id-aes256-wrap', kek, Buffer.from('a6a6a6a6a6a6a6a6', 'hex'));
    const wrapped = Buffer.concat([c.update(key), c.final()]);
    const uid = await registerWrapped(
      send,
      wrapped,
      kekId,
      [t.enm(Tag.BlockCipherMode, NIST_KW)],
      [t.int(Tag.CryptographicUsageMask, ENCRYPT_DECRYPT)],
    );
    expect((await object(uid)).attributes['Link']).toContainEqual({
      LinkType: 'WrappingKeyLink',
      LinkedObjectIdentifier: kekId,
    });
    const asRegistered = keyBlockOf(ok(await send(Operation.Get, [t.text(Tag.UniqueIdentifier, uid)])));
    expect(Buffer.from(valueOf(asRegistered, Tag.KeyValue) as Uint8Array).equals(wrapped)).toBe(true);
    const unwrapped = await getNotWrapped(send, uid);
    const material = valueOf(find(unwrapped, Tag.KeyValue) as StructureItem, Tag.KeyMaterial) as Uint8Array;
    expect(Buffer.from(material).equals(key)).toBe(true);
    expect(find(unwrapped, Tag.KeyWrappingData)).toBeUndefined();
  });
  it('unwraps a key registered wrapped with an RSA public key, with the linked private key (Unwrap Key usage)', async () => {
    const { send, object } = opsHarness();
    const { pubId } = await createRsaWrappingPair(send);
    const pub = await object(pubId);
    const key = randomBytes(32);
    const wrapped = publicEncrypt(
      {
        key: createPublicKey({
          key: Buffer.from(pub.keyBlock?.keyMaterial as Uint8Array),
          format: 'der',
          type: 'pkcs1',
        }),
        padding: constants.RSA_PKCS1_OAEP_PADDING,
        oaepHash: 'sha256',
      },
      key,
    );
    const uid = await registerWrapped(send, wrapped, pubId, [
      t.enm(Tag.PaddingMethod, E.PaddingMethod!.OAEP!),
      t.enm(Tag.HashingAlgorithm, E.HashingAlgorithm!.SHA_256!),
    ]);
    const material = valueOf(
      find(await getNotWrapped(send, uid), Tag.KeyValue) as StructureItem,
      Tag.KeyMaterial,
    ) as Uint8Array;
    expect(Buffer.from(material).equals(key)).toBe(true);
  });
});
