import { constants, generateKeyPairSync, publicEncrypt } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { TtlvItem } from '../../main/kmip/ttlv/index.js';
import { t } from '../../main/ops/ttlv.js';
import { EnumNames, Operation, ResultReason, Tag } from '../../main/ops/vocabulary.js';
import { ok, opsHarness, resultOf, valueOf } from './ops-harness.js';

/**
 * The path every single-part key operation shares (main/ops/crypto-ops.ts `useKey`): each
 * operation on each kind of key it takes (key bytes, a private key, a public key) needs its own
 * Cryptographic Usage Mask bit, an Active key, and counts against the key's Usage Limits.
 */
const E = EnumNames;
const HOUR = 3600_000;
const MASK = { Sign: 0x01, Verify: 0x02, Encrypt: 0x04, Decrypt: 0x08, MACGenerate: 0x80, MACVerify: 0x100 };
const ALL = Object.values(MASK).reduce((a, b) => a | b, 0);

type Harness = ReturnType<typeof opsHarness>;
type KeyKind = 'AES' | 'HMAC' | 'RSA private' | 'RSA public';

const AES_BYTES = Buffer.alloc(16, 7);
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const rsaDer = {
  'RSA private': rsa.privateKey.export({ type: 'pkcs8', format: 'der' }),
  'RSA public': rsa.publicKey.export({ type: 'spki', format: 'der' }),
};

function keyValue(kind: KeyKind): {
  objectType: string;
  format: string;
  material: Uint8Array;
  alg: string;
  len: number;
} {
  if (kind === 'AES') return { objectType: 'SymmetricKey', format: 'Raw', material: AES_BYTES, alg: 'AES', len: 128 };
  if (kind === 'HMAC')
    return { objectType: 'SymmetricKey', format: 'Raw', material: Buffer.alloc(32, 9), alg: 'HMAC_SHA256', len: 256 };
  const priv = kind === 'RSA private';
  return {
    objectType: priv ? 'PrivateKey' : 'PublicKey',
    format: priv ? 'PKCS_8' : 'X_509',
    material: rsaDer[kind],
    alg: 'RSA',
    len: 2048,
  };
}

/** Registers a key of `kind` with `mask`, Active since an hour ago unless `active` is false. */
async function register(h: Harness, kind: KeyKind, mask: number, o: { active?: boolean; uses?: bigint } = {}) {
  const v = keyValue(kind);
  const payload = ok(
    await h.send(Operation.Register, [
      t.enm(Tag.ObjectType, E.ObjectType![v.objectType]!),
      t.struct(Tag.Attributes, [
        t.int(Tag.CryptographicUsageMask, mask),
        o.active === false ? undefined : t.date(Tag.ActivationDate, new Date(Date.now() - HOUR)),
        o.uses === undefined
          ? undefined
          : t.struct(Tag.UsageLimits, [
              t.long(Tag.UsageLimitsTotal, o.uses),
              t.enm(Tag.UsageLimitsUnit, E.UsageLimitsUnit!['Object']!),
            ]),
      ]),
      t.struct(Tag[v.objectType as 'SymmetricKey']!, [
        t.struct(Tag.KeyBlock, [
          t.enm(Tag.KeyFormatType, E.KeyFormatType![v.format]!),
          t.struct(Tag.KeyValue, [t.bytes(Tag.KeyMaterial, v.material)]),
          t.enm(Tag.CryptographicAlgorithm, E.CryptographicAlgorithm![v.alg]!),
          t.int(Tag.CryptographicLength, v.len),
        ]),
      ]),
    ]),
  );
  return valueOf(payload, Tag.UniqueIdentifier) as string;
}

const ecb = () => t.struct(Tag.CryptographicParameters, [t.enm(Tag.BlockCipherMode, E.BlockCipherMode!['ECB']!)]);
const rsaSignature = () =>
  t.struct(Tag.CryptographicParameters, [
    t.enm(Tag.DigitalSignatureAlgorithm, E.DigitalSignatureAlgorithm!['SHA_256WithRSAEncryption']!),
  ]);
interface Case {
  op: string;
  operation: number;
  kind: KeyKind;
  usage: number;
  /** The request's fields after the Unique Identifier. */
  fields: () => (TtlvItem | undefined)[];
  /** The response field the operation answers with (besides the Unique Identifier). */
  answer: number;
}

const cases: Case[] = [
  {
    op: 'Encrypt',
    operation: Operation.Encrypt,
    kind: 'AES',
    usage: MASK.Encrypt,
    fields: () => [ecb(), t.bytes(Tag.Data, Buffer.alloc(16, 1))],
    answer: Tag.Data,
  },
  {
    op: 'Decrypt',
    operation: Operation.Decrypt,
    kind: 'AES',
    usage: MASK.Decrypt,
    // ECB without padding (KMIP names no default): any 16 bytes decrypt.
    fields: () => [ecb(), t.bytes(Tag.Data, Buffer.alloc(16, 2))],
    answer: Tag.Data,
  },
  {
    op: 'Encrypt',
    operation: Operation.Encrypt,
    kind: 'RSA public',
    usage: MASK.Encrypt,
    fields: () => [t.bytes(Tag.Data, Buffer.alloc(16, 1))],
    answer: Tag.Data,
  },
  {
    op: 'Decrypt',
    operation: Operation.Decrypt,
    kind: 'RSA private',
    usage: MASK.Decrypt,
    fields: () => [
      t.bytes(
        Tag.Data,
        publicEncrypt({ key: rsa.publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING }, Buffer.alloc(16, 1)),
      ),
    ],
    answer: Tag.Data,
  },
  {
    op: 'Sign',
    operation: Operation.Sign,
    kind: 'RSA private',
    usage: MASK.Sign,
    fields: () => [rsaSignature(), t.bytes(Tag.Data, Buffer.from('to sign'))],
    answer: Tag.SignatureData,
  },
  {
    op: 'Signature Verify',
    operation: Operation.SignatureVerify,
    kind: 'RSA public',
    usage: MASK.Verify,
    fields: () => [
      rsaSignature(),
      t.bytes(Tag.Data, Buffer.from('signed')),
      t.bytes(Tag.SignatureData, Buffer.alloc(256)),
    ],
    answer: Tag.ValidityIndicator,
  },
  {
    op: 'MAC',
    operation: Operation.MAC,
    kind: 'HMAC',
    usage: MASK.MACGenerate,
    fields: () => [t.bytes(Tag.Data, Buffer.from('to mac'))],
    answer: Tag.MACData,
  },
  {
    op: 'MAC Verify',
    operation: Operation.MACVerify,
    kind: 'HMAC',
    usage: MASK.MACVerify,
    fields: () => [t.bytes(Tag.Data, Buffer.from('maced')), t.bytes(Tag.MACData, Buffer.alloc(32))],
    answer: Tag.ValidityIndicator,
  },
];

const send = (h: Harness, c: Case, uid: string) =>
  h.send(c.operation, [t.text(Tag.UniqueIdentifier, uid), ...c.fields()]);

describe.each(cases)('$op with $kind key', (c) => {
  it('answers with the Unique Identifier and its own field when the mask allows it', async () => {
    const h = opsHarness();
    const uid = await register(h, c.kind, c.usage);
    const payload = ok(await send(h, c, uid));
    expect(valueOf(payload, Tag.UniqueIdentifier)).toBe(uid);
    expect(valueOf(payload, c.answer)).toBeDefined();
  });

  it('is Incompatible Cryptographic Usage Mask when every other bit is set but its own', async () => {
    const h = opsHarness();
    const uid = await register(h, c.kind, ALL & ~c.usage);
    expect(resultOf(await send(h, c, uid))).toMatchObject({
      status: 1,
      reason: ResultReason.IncompatibleCryptographicUsageMask,
    });
  });

  it('is Wrong Key Lifecycle State on a key not yet Active', async () => {
    const h = opsHarness();
    const uid = await register(h, c.kind, c.usage, { active: false });
    expect(resultOf(await send(h, c, uid))).toMatchObject({ status: 1, reason: ResultReason.WrongKeyLifecycleState });
  });

  it('counts one use against Usage Limits (Object) and refuses the next', async () => {
    const h = opsHarness();
    const uid = await register(h, c.kind, c.usage, { uses: 1n });
    ok(await send(h, c, uid));
    const limits = (await h.object(uid)).attributes['UsageLimits']?.[0] as Record<string, unknown>;
    expect(limits['UsageLimitsCount']).toBe(0n);
    expect(resultOf(await send(h, c, uid))).toMatchObject({ status: 1, reason: ResultReason.PermissionDenied });
  });
});
