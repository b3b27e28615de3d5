import { execFileSync } from 'node:child_process';
import { createCipheriv, createHash, createHmac, pbkdf2Sync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { StructureItem, TtlvItem } from '../../main/kmip/ttlv/index.js';
import { MAX_PBKDF2_ITERATIONS, deriveKey } from '../../main/ops/derive-key.js';
import { MemoryObjectStore } from '../../main/ops/index.js';
import { GrantTable } from '../../main/server/access.js';
import { t } from '../../main/ops/ttlv.js';
import { EnumNames, Operation, ResultReason, Tag } from '../../main/ops/vocabulary.js';
import { opsHarness, resultOf, uidOf } from './ops-harness.js';
import { versionedAttributes } from './support/versioned-attributes.js';

const SYMMETRIC_KEY = 2;
const SECRET_DATA = 7;
const OPAQUE_OBJECT = 8;
const AES = 3;
const HMAC_SHA256 = 9;
const DERIVE = 0x200;
const M = EnumNames['DerivationMethod'] as Record<string, number>;
const H = EnumNames['HashingAlgorithm'] as Record<string, number>;
const yesterday = new Date(Date.now() - 86_400_000);
const hex = (s: string) => Buffer.from(s, 'hex');

type Harness = ReturnType<typeof opsHarness>;
type Version = [number, number];

/** Registers a Symmetric Key or Secret Data (2.1 or 1.4 shape), Active unless told otherwise. */
async function register(
  h: Harness,
  type: 'SymmetricKey' | 'SecretData',
  material: Uint8Array,
  o: { algorithm?: number; usage?: number; active?: boolean; version?: Version } = {},
): Promise<string> {
  const version = o.version ?? [2, 1];
  const attrs: [string, number, TtlvItem][] = [
    ['Cryptographic Usage Mask', Tag.CryptographicUsageMask, t.int(Tag.AttributeValue, o.usage ?? DERIVE)],
  ];
  if (o.active !== false) attrs.push(['Activation Date', Tag.ActivationDate, t.date(Tag.AttributeValue, yesterday)]);
  const attributes = versionedAttributes(version, attrs);
  const keyBlock = t.struct(Tag.KeyBlock, [
    t.enm(Tag.KeyFormatType, type === 'SymmetricKey' ? 1 : 2),
    t.struct(Tag.KeyValue, [t.bytes(Tag.KeyMaterial, material)]),
    type === 'SymmetricKey' ? t.enm(Tag.CryptographicAlgorithm, o.algorithm ?? AES) : undefined,
    type === 'SymmetricKey' ? t.int(Tag.CryptographicLength, material.length * 8) : undefined,
  ]);
  const object =
    type === 'SymmetricKey'
      ? t.struct(Tag.SymmetricKey, [keyBlock])
      : t.struct(Tag.SecretData, [t.enm(Tag.SecretDataType, 1), keyBlock]);
  return uidOf(
    await h.send(
      Operation.Register,
      [t.enm(Tag.ObjectType, type === 'SymmetricKey' ? SYMMETRIC_KEY : SECRET_DATA), attributes, object],
      { version },
    ),
  );
}

interface DeriveRequest {
  uids: string[];
  method: number;
  objectType?: number;
  algorithm?: number;
  bits: number;
  hashing?: number;
  cryptoParams?: TtlvItem[];
  iv?: Uint8Array;
  data?: Uint8Array;
  salt?: Uint8Array;
  iterations?: number;
  version?: Version;
}

function deriveSend(h: Harness, r: DeriveRequest): Promise<StructureItem> {
  const version = r.version ?? [2, 1];
  const objectType = r.objectType ?? (r.algorithm !== undefined ? SYMMETRIC_KEY : SECRET_DATA);
  const cp = [...(r.cryptoParams ?? []), r.hashing !== undefined ? t.enm(Tag.HashingAlgorithm, r.hashing) : undefined];
  const wanted: [string, number, TtlvItem][] = [['Cryptographic Length', Tag.CryptographicLength, t.int(0, r.bits)]];
  if (r.algorithm !== undefined)
    wanted.push(['Cryptographic Algorithm', Tag.CryptographicAlgorithm, t.enm(0, r.algorithm)]);
  const attributes = versionedAttributes(version, wanted);
  return h.send(
    Operation.DeriveKey,
    [
      t.enm(Tag.ObjectType, objectType),
      ...r.uids.map((u) => t.text(Tag.UniqueIdentifier, u)),
      t.enm(Tag.DerivationMethod, r.method),
      t.struct(Tag.DerivationParameters, [
        cp.some((c) => c !== undefined) ? t.struct(Tag.CryptographicParameters, cp) : undefined,
        r.iv ? t.bytes(Tag.InitializationVector, r.iv) : undefined,
        r.data ? t.bytes(Tag.DerivationData, r.data) : undefined,
        r.salt ? t.bytes(Tag.Salt, r.salt) : undefined,
        r.iterations !== undefined ? t.int(Tag.IterationCount, r.iterations) : undefined,
      ]),
      attributes,
    ],
    { version },
  );
}

/** Derives and returns the new object's key material. */
async function derived(h: Harness, r: DeriveRequest): Promise<Buffer> {
  const uid = uidOf(await deriveSend(h, r));
  const o = await h.object(uid);
  return Buffer.from(o.keyBlock?.keyMaterial as Uint8Array);
}

function openssl(args: string[]): Buffer {
  const out = execFileSync('openssl', ['kdf', ...args], { encoding: 'utf8' }).trim();
  return Buffer.from(out.replace(/:/g, ''), 'hex');
}

/** The base object a case derives from. */
interface Base {
  type: 'SymmetricKey' | 'SecretData';
  material: Uint8Array;
  algorithm?: number;
  active?: boolean;
  version?: Version;
}

/** A Derive Key request with its base object (the `uids` of the request are filled in). */
interface Case {
  name: string;
  base: Base;
  request: Omit<DeriveRequest, 'uids'>;
}

async function sendCase(c: Case): Promise<{ h: Harness; item: StructureItem }> {
  const h = opsHarness();
  const { type, material, ...o } = c.base;
  const uid = await register(h, type, material, o);
  return { h, item: await deriveSend(h, { ...c.request, uids: [uid] }) };
}

const pbkdf2Key = hex('a1b2c3d4e5f60708');
const hkdfKey = hex('00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff');
const cipherKey = hex('603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4');
const kbkdfKey = hex('dd1d91b7d90b2bd3138533ce92b272fbf8a369316aefe242e659cc0ae238afe0');
const kbkdfData = Buffer.concat([Buffer.from('label'), Buffer.from([0]), Buffer.from('context')]);
const kbkdfIv = Buffer.alloc(32, 0x11);
/** `openssl kdf` options of the NIST SP 800-108 cases. */
const kbkdf = [
  '-kdfopt',
  'mac:HMAC',
  '-kdfopt',
  `hexkey:${kbkdfKey.toString('hex')}`,
  '-kdfopt',
  `hexsalt:${kbkdfData.toString('hex')}`,
  '-kdfopt',
  'use-separator:0',
];
const hmacData = Buffer.from('derive me');

/** RFC 6070 PBKDF2 HMAC-SHA-1 vectors. */
const rfc6070 = [
  { p: 'password', s: 'salt', c: 1, len: 20, dk: '0c60c80f961f0e71f3a9b524af6012062fe037a6' },
  { p: 'password', s: 'salt', c: 2, len: 20, dk: 'ea6c014dc72d6f8ccd1ed92ace1d41f0d8de8957' },
  { p: 'password', s: 'salt', c: 4096, len: 20, dk: '4b007901b765489abead49d926f721d065a429c1' },
  {
    p: 'passwordPASSWORDpassword',
    s: 'saltSALTsaltSALTsaltSALTsaltSALTsalt',
    c: 4096,
    len: 25,
    dk: '3d2eec4fe41c849b80c8d83662c0e44a8b291a964cf2f07038',
  },
];

/** Derivations whose key material is known: published vectors, openssl kdf, node:crypto. */
const derivations: (Case & { expected: () => Buffer[] })[] = [
  ...rfc6070.map((v) => ({
    name: `PBKDF2: HMAC-SHA-1 (the default PRF), c=${v.c}, ${v.len} bytes (RFC 6070)`,
    base: { type: 'SecretData' as const, material: Buffer.from(v.p) },
    request: { method: M['PBKDF2'] as number, bits: v.len * 8, salt: Buffer.from(v.s), iterations: v.c },
    expected: () => [hex(v.dk)],
  })),
  {
    name: 'PBKDF2: HMAC-SHA-256 from the Hashing Algorithm, to an AES-256 key, equal to openssl kdf PBKDF2',
    base: { type: 'SecretData', material: Buffer.from('correct horse') },
    request: {
      method: M['PBKDF2'] as number,
      algorithm: AES,
      bits: 256,
      hashing: H['SHA_256'],
      salt: pbkdf2Key,
      iterations: 1000,
    },
    expected: () => [
      openssl([
        '-keylen',
        '32',
        '-kdfopt',
        'digest:SHA256',
        '-kdfopt',
        'pass:correct horse',
        '-kdfopt',
        'hexsalt:a1b2c3d4e5f60708',
        '-kdfopt',
        'iter:1000',
        'PBKDF2',
      ]),
      pbkdf2Sync('correct horse', pbkdf2Key, 1000, 32, 'sha256'),
    ],
  },
  {
    name: 'PBKDF2: the 1.4 request shape (Template Attribute) gives the same key',
    base: { type: 'SecretData', material: Buffer.from('password'), version: [1, 4] },
    request: { method: M['PBKDF2'] as number, bits: 160, salt: Buffer.from('salt'), iterations: 2, version: [1, 4] },
    expected: () => [hex('ea6c014dc72d6f8ccd1ed92ace1d41f0d8de8957')],
  },
  {
    name: 'HKDF: RFC 5869 test case 1: Salt, Derivation Data as info, SHA-256',
    base: { type: 'SecretData', material: Buffer.alloc(22, 0x0b) },
    request: {
      method: M['HKDF'] as number,
      bits: 42 * 8,
      salt: hex('000102030405060708090a0b0c'),
      data: hex('f0f1f2f3f4f5f6f7f8f9'),
    },
    expected: () => [hex('3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865')],
  },
  {
    name: 'HKDF: SHA-512 from the Hashing Algorithm, equal to openssl kdf HKDF',
    base: { type: 'SymmetricKey', material: hkdfKey },
    request: {
      method: M['HKDF'] as number,
      algorithm: AES,
      bits: 128,
      hashing: H['SHA_512'],
      salt: hex('0102'),
      data: Buffer.from('context'),
    },
    expected: () => [
      openssl([
        '-keylen',
        '16',
        '-kdfopt',
        'digest:SHA512',
        '-kdfopt',
        `hexkey:${hkdfKey.toString('hex')}`,
        '-kdfopt',
        'hexsalt:0102',
        '-kdfopt',
        'info:context',
        'HKDF',
      ]),
    ],
  },
  {
    name: 'HASH: SHA-256 over the key, truncated to an AES-128 key',
    base: { type: 'SymmetricKey', material: cipherKey },
    request: { method: M['HASH'] as number, algorithm: AES, bits: 128, hashing: H['SHA_256'] },
    expected: () => [createHash('sha256').update(cipherKey).digest().subarray(0, 16)],
  },
  {
    name: 'HMAC: the PRF is the derivation key’s own algorithm (HMAC-SHA256); the data is HMACed',
    base: { type: 'SymmetricKey', material: cipherKey, algorithm: HMAC_SHA256 },
    request: { method: M['HMAC'] as number, algorithm: AES, bits: 256, data: hmacData },
    expected: () => [createHmac('sha256', cipherKey).update(hmacData).digest()],
  },
  {
    name: 'NIST SP 800-108: counter mode (NIST800-108-C), SHA-256, 40 bytes of Secret Data, equal to openssl kdf KBKDF',
    base: { type: 'SymmetricKey', material: kbkdfKey, algorithm: HMAC_SHA256 },
    request: { method: M['NIST800_108_C'] as number, bits: 320, hashing: H['SHA_256'], data: kbkdfData },
    expected: () => [openssl(['-keylen', '40', ...kbkdf, '-kdfopt', 'digest:SHA2-256', 'KBKDF'])],
  },
  {
    name: 'NIST SP 800-108: counter mode takes the PRF from an HMAC key when no parameters are given',
    base: { type: 'SymmetricKey', material: kbkdfKey, algorithm: HMAC_SHA256 },
    request: { method: M['NIST800_108_C'] as number, algorithm: AES, bits: 256, data: kbkdfData },
    expected: () => [openssl(['-keylen', '32', ...kbkdf, '-kdfopt', 'digest:SHA2-256', 'KBKDF'])],
  },
  {
    name: 'NIST SP 800-108: counter mode with SHA-384 when asked',
    base: { type: 'SymmetricKey', material: kbkdfKey, algorithm: HMAC_SHA256 },
    request: {
      method: M['NIST800_108_C'] as number,
      algorithm: AES,
      bits: 256,
      hashing: H['SHA_384'],
      data: kbkdfData,
    },
    expected: () => [openssl(['-keylen', '32', ...kbkdf, '-kdfopt', 'digest:SHA2-384', 'KBKDF'])],
  },
  {
    name: 'NIST SP 800-108: feedback mode (NIST800-108-F) with the Initialization Vector as K(0)',
    base: { type: 'SymmetricKey', material: kbkdfKey, algorithm: HMAC_SHA256 },
    request: {
      method: M['NIST800_108_F'] as number,
      bits: 640,
      hashing: H['SHA_256'],
      data: kbkdfData,
      iv: kbkdfIv,
    },
    expected: () => [
      openssl([
        '-keylen',
        '80',
        '-kdfopt',
        'mode:FEEDBACK',
        ...kbkdf,
        '-kdfopt',
        `hexseed:${kbkdfIv.toString('hex')}`,
        '-kdfopt',
        'digest:SHA2-256',
        'KBKDF',
      ]),
    ],
  },
];

describe('Derive Key: the derived key material', () => {
  it.each(derivations)('$name', async (c) => {
    const { h, item } = await sendCase(c);
    const out = Buffer.from((await h.object(uidOf(item))).keyBlock?.keyMaterial as Uint8Array);
    for (const e of c.expected()) expect(out).toEqual(e);
  });

  it('ENCRYPT: AES-256-ECB of the data under the base key; CBC with the empty (zero) IV or a given one', async () => {
    const h = opsHarness();
    const base = await register(h, 'SymmetricKey', cipherKey);
    const data = hex('6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51');
    const ecb = await derived(h, {
      uids: [base],
      method: M['ENCRYPT'] as number,
      algorithm: AES,
      bits: 256,
      cryptoParams: [t.enm(Tag.BlockCipherMode, 2)],
      data,
    });
    const c = createCipheriv('aes-256-ecb', cipherKey, null).setAutoPadding(false);
    expect(ecb).toEqual(Buffer.concat([c.update(data), c.final()]));
    // NIST SP 800-38A F.1.5: the first block of AES-256-ECB.
    expect(ecb.subarray(0, 16).toString('hex')).toBe('f3eed1bdb5d2a03c064b5a7e3db181f8');
    const iv = hex('000102030405060708090a0b0c0d0e0f');
    for (const given of [undefined, iv]) {
      const cbc = await derived(h, {
        uids: [base],
        method: M['ENCRYPT'] as number,
        bits: 128,
        cryptoParams: [t.enm(Tag.BlockCipherMode, 1)],
        data,
        ...(given ? { iv: given } : {}),
      });
      const e = createCipheriv('aes-256-cbc', cipherKey, given ?? Buffer.alloc(16)).setAutoPadding(false);
      expect(cbc).toEqual(Buffer.concat([e.update(data), e.final()]).subarray(0, 16));
    }
  });
});

/** Requests a derivation refuses, with the Result Reason (and the message's subject) it answers. */
const refusals: (Case & { reason: number; message?: RegExp })[] = [
  {
    name: 'PBKDF2 needs Salt',
    base: { type: 'SecretData', material: Buffer.from('pw') },
    request: { method: M['PBKDF2'] as number, bits: 128, iterations: 1 },
    reason: ResultReason.InvalidField,
    message: /Salt/,
  },
  {
    name: 'PBKDF2 refuses an Iteration Count that would hold a worker for long',
    base: { type: 'SecretData', material: Buffer.from('pw') },
    request: {
      method: M['PBKDF2'] as number,
      bits: 128,
      salt: Buffer.from('s'),
      iterations: MAX_PBKDF2_ITERATIONS + 1,
    },
    reason: ResultReason.InvalidField,
    message: /Iteration Count/,
  },
  {
    name: 'HKDF is not a 1.x Derivation Method',
    base: { type: 'SecretData', material: Buffer.alloc(22, 0x0b), version: [1, 4] },
    request: { method: M['HKDF'] as number, bits: 128, version: [1, 4] },
    reason: ResultReason.InvalidField,
  },
  {
    name: 'HASH longer than the hash is a Cryptographic Failure',
    base: { type: 'SymmetricKey', material: cipherKey },
    request: { method: M['HASH'] as number, bits: 512, hashing: H['SHA_256'] },
    reason: ResultReason.CryptographicFailure,
  },
  {
    name: 'HASH without a Hashing Algorithm is Invalid Field',
    base: { type: 'SymmetricKey', material: cipherKey },
    request: { method: M['HASH'] as number, bits: 128 },
    reason: ResultReason.InvalidField,
  },
  {
    name: 'HMAC longer than the PRF is a Cryptographic Failure',
    base: { type: 'SymmetricKey', material: cipherKey, algorithm: HMAC_SHA256 },
    request: { method: M['HMAC'] as number, bits: 264, data: hmacData },
    reason: ResultReason.CryptographicFailure,
  },
  {
    name: 'ENCRYPT refuses a stream mode (a fixed IV would reuse the keystream)',
    base: { type: 'SymmetricKey', material: cipherKey },
    request: {
      method: M['ENCRYPT'] as number,
      bits: 128,
      cryptoParams: [t.enm(Tag.BlockCipherMode, 6)],
      data: Buffer.alloc(16),
    },
    reason: ResultReason.InvalidField,
  },
  {
    name: 'NIST SP 800-108: an AES key without HMAC parameters has no PRF: Invalid Field',
    base: { type: 'SymmetricKey', material: kbkdfKey },
    request: { method: M['NIST800_108_C'] as number, bits: 128, data: kbkdfData },
    reason: ResultReason.InvalidField,
  },
  {
    name: 'a Pre-Active key: Wrong Key Lifecycle State',
    base: { type: 'SymmetricKey', material: Buffer.alloc(32, 1), active: false },
    request: { method: M['HASH'] as number, bits: 128, hashing: H['SHA_256'] },
    reason: ResultReason.WrongKeyLifecycleState,
  },
];

describe('Derive Key: refusals of a single base object', () => {
  it.each(refusals)('$name', async (c) => {
    const r = resultOf((await sendCase(c)).item);
    expect(r).toMatchObject({ status: 1, reason: c.reason });
    if (c.message) expect(r.message).toMatch(c.message);
  });
});

describe('Derive Key: the new object, links, audit, and refusals', () => {
  it('sets the ID Placeholder to the derived object and never reads it in place of a Unique Identifier', async () => {
    const store = new MemoryObjectStore();
    const h = opsHarness(store);
    const pw = await register(h, 'SecretData', Buffer.from('password'));
    const ctx = {
      store,
      access: new GrantTable(),
      identity: 'alice',
      version: { major: 2, minor: 1 },
      idPlaceholder: pw as string | undefined,
      now: () => new Date(),
    };
    const request = (uids: string[]) =>
      t.struct(Tag.RequestPayload, [
        t.enm(Tag.ObjectType, SECRET_DATA),
        ...uids.map((u) => t.text(Tag.UniqueIdentifier, u)),
        t.enm(Tag.DerivationMethod, M['PBKDF2'] as number),
        t.struct(Tag.DerivationParameters, [t.bytes(Tag.Salt, Buffer.from('salt')), t.int(Tag.IterationCount, 1)]),
        t.struct(Tag.Attributes, [t.int(Tag.CryptographicLength, 160)]),
      ]);
    await expect(deriveKey(request([]), ctx)).rejects.toMatchObject({ reason: 'Invalid Field' });
    const out = await deriveKey(request([pw]), ctx);
    const uid = (out.value[0] as { value: string }).value;
    expect(uid).not.toBe(pw);
    expect(ctx.idPlaceholder).toBe(uid);
  });

  it('makes a Symmetric Key with the requested attributes, links both ways, audits like Create', async () => {
    const h = opsHarness();
    const pw = await register(h, 'SecretData', Buffer.from('password'));
    const item = await deriveSend(h, {
      uids: [pw],
      method: M['PBKDF2'] as number,
      algorithm: AES,
      bits: 128,
      salt: Buffer.from('salt'),
      iterations: 1,
    });
    const uid = uidOf(item);
    const [key, base] = [await h.object(uid), await h.object(pw)];
    expect(key.objectType).toBe('SymmetricKey');
    expect(key.attributes['CryptographicAlgorithm']).toEqual(['AES']);
    expect(key.attributes['CryptographicLength']).toEqual([128]);
    expect(key.keyBlock?.keyMaterial).toEqual(hex('0c60c80f961f0e71f3a9b524af601206'));
    expect(key.attributes['Link']).toEqual([{ LinkType: 'DerivationBaseObjectLink', LinkedObjectIdentifier: pw }]);
    expect(base.attributes['Link']).toEqual([{ LinkType: 'DerivedKeyLink', LinkedObjectIdentifier: uid }]);
    expect(h.store.auditLog.at(-1)).toMatchObject({
      operation: 'DeriveKey',
      uniqueIdentifier: uid,
      result: 'Success',
      identity: 'alice',
    });
  });

  it('Derivation Data may come from a second (Secret Data) object, linked too; not both ways at once', async () => {
    const h = opsHarness();
    const key = Buffer.alloc(20, 0x0b);
    const base = await register(h, 'SymmetricKey', key, { algorithm: HMAC_SHA256 });
    const dataObj = await register(h, 'SecretData', Buffer.from('Hi There'));
    const uid = uidOf(await deriveSend(h, { uids: [base, dataObj], method: M['HMAC'] as number, bits: 256 }));
    const out = await h.object(uid);
    // RFC 4231 test case 1.
    expect(Buffer.from(out.keyBlock?.keyMaterial as Uint8Array).toString('hex')).toBe(
      'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7',
    );
    expect(out.attributes['Link']).toHaveLength(2);
    expect((await h.object(dataObj)).attributes['Link']).toEqual([
      { LinkType: 'DerivedKeyLink', LinkedObjectIdentifier: uid },
    ]);
    const both = await deriveSend(h, {
      uids: [base, dataObj],
      method: M['HMAC'] as number,
      bits: 256,
      data: Buffer.from('x'),
    });
    expect(resultOf(both)).toMatchObject({ status: 1, reason: ResultReason.InvalidMessage });
  });

  it('a key without Derive Key usage: Incompatible Cryptographic Usage Mask (2.x), Invalid Field (1.x)', async () => {
    const h = opsHarness();
    const k2 = await register(h, 'SymmetricKey', Buffer.alloc(32, 1), { usage: 12 });
    const r2 = await deriveSend(h, { uids: [k2], method: M['HASH'] as number, bits: 128, hashing: H['SHA_256'] });
    expect(resultOf(r2)).toMatchObject({ status: 1, reason: ResultReason.IncompatibleCryptographicUsageMask });
    const k1 = await register(h, 'SymmetricKey', Buffer.alloc(32, 1), { usage: 12, version: [1, 4] });
    const r1 = await deriveSend(h, {
      uids: [k1],
      method: M['HASH'] as number,
      bits: 128,
      hashing: H['SHA_256'],
      version: [1, 4],
    });
    expect(resultOf(r1)).toMatchObject({ status: 1, reason: ResultReason.InvalidField });
    expect((await h.store.all()).length).toBe(2);
  });

  it('refuses an unknown object, a non-key base, a missing identifier, an unsupported method', async () => {
    const h = opsHarness();
    const missing = await deriveSend(h, { uids: ['nope'], method: M['HASH'] as number, bits: 128, hashing: 6 });
    expect(resultOf(missing)).toMatchObject({ status: 1, reason: ResultReason.ObjectNotFound });
    const opaque = uidOf(
      await h.send(Operation.Register, [
        t.enm(Tag.ObjectType, OPAQUE_OBJECT),
        t.struct(Tag.Attributes, [t.int(Tag.CryptographicUsageMask, DERIVE)]),
        t.struct(Tag.OpaqueObject, [t.enm(Tag.OpaqueDataType, 0x80000000), t.bytes(Tag.OpaqueDataValue, hex('01'))]),
      ]),
    );
    const wrongType = await deriveSend(h, { uids: [opaque], method: M['HASH'] as number, bits: 128, hashing: 6 });
    expect(resultOf(wrongType)).toMatchObject({ status: 1, reason: ResultReason.InvalidObjectType });
    const none = await deriveSend(h, { uids: [], method: M['HASH'] as number, bits: 128, hashing: 6 });
    expect(resultOf(none)).toMatchObject({ status: 1, reason: ResultReason.InvalidField });
    const k = await register(h, 'SymmetricKey', Buffer.alloc(32, 1));
    const dpi = await deriveSend(h, { uids: [k], method: M['NIST800_108_DPI'] as number, bits: 128, data: hex('00') });
    expect(resultOf(dpi)).toMatchObject({ status: 1, reason: ResultReason.InvalidField });
    const badLength = await deriveSend(h, {
      uids: [k],
      method: M['HASH'] as number,
      algorithm: AES,
      bits: 100 * 8,
      hashing: 6,
    });
    expect(resultOf(badLength)).toMatchObject({ status: 1, reason: ResultReason.InvalidField });
  });

  it('another client cannot derive from my key', async () => {
    const h = opsHarness();
    const k = await register(h, 'SymmetricKey', Buffer.alloc(32, 1));
    const r = await h.send(
      Operation.DeriveKey,
      [
        t.enm(Tag.ObjectType, SECRET_DATA),
        t.text(Tag.UniqueIdentifier, k),
        t.enm(Tag.DerivationMethod, M['HASH'] as number),
        t.struct(Tag.DerivationParameters, [t.struct(Tag.CryptographicParameters, [t.enm(Tag.HashingAlgorithm, 6)])]),
        t.struct(Tag.Attributes, [t.int(Tag.CryptographicLength, 128)]),
      ],
      { identity: 'bob' },
    );
    expect(resultOf(r)).toMatchObject({ status: 1, reason: ResultReason.PermissionDenied });
  });

  it('Query lists Derive Key, Create Split Key and Join Split Key', async () => {
    const h = opsHarness();
    const q = await h.send(Operation.Query, [t.enm(Tag.QueryFunction, 1)]);
    const ops = (q.value.find((i) => i.tag === Tag.ResponsePayload) as StructureItem).value.map((i) => i.value);
    expect(ops).toEqual(
      expect.arrayContaining([Operation.DeriveKey, Operation.CreateSplitKey, Operation.JoinSplitKey]),
    );
  });
});
