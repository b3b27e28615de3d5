import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { profileSuite, sendSpoken } from './support/profile-suite.js';
import {
  at,
  attributes1x,
  e,
  hex,
  ok,
  op,
  s,
  txt,
  type BatchItemSpec,
  type RequestOptions,
  type Version,
} from './support/wire.js';

/**
 * MongoDB drivers' client-side encryption (libmongocrypt, kms-message kms_kmip_request.c; MongoDB
 * "KMIP" KMS provider docs): KMIP 1.4, one connection per request. Creates its master key as a
 * 96-byte Secret Data (type Seed, Raw) with an EMPTY Template Attribute, batched with an Activate
 * that names no object (the ID placeholder) and Unique Batch Item IDs "A" and "B"; then Get with
 * only the Unique Identifier; DiscoverVersions with an empty payload.
 */
const V14: Version = [1, 4];
const mongocryptd = profileSuite('libmongocrypt', 'mongocryptd');

/** libmongocrypt opens a fresh TLS connection for each KMS request; each answer is checked as spoken. */
async function once(items: BatchItemSpec[], o: RequestOptions = {}) {
  const c = await mongocryptd.open();
  try {
    return await sendSpoken(c, V14, items, o);
  } finally {
    c.close();
  }
}

const registerSecret = (material: Buffer) =>
  op(
    'Register',
    [
      e('ObjectType', 'SecretData'),
      s('TemplateAttribute'),
      s(
        'SecretData',
        e('SecretDataType', 'Seed'),
        s('KeyBlock', e('KeyFormatType', 'Raw'), s('KeyValue', hex('KeyMaterial', material))),
      ),
    ],
    'A',
  );

describe('libmongocrypt (KMIP 1.4, libmongocrypt PR #202)', () => {
  it('DiscoverVersions with an empty payload lists 1.4 and answers in 1.4', async () => {
    const r = await once([op('DiscoverVersions')]);
    const versions = (ok(r)?.value as { value: { value: number }[] }[]).map(
      (v) => `${v.value[0]!.value}.${v.value[1]!.value}`,
    );
    expect(versions).toContain('1.4');
  });

  it('Register 96-byte Secret Data + Activate by the ID placeholder, then Get returns the same bytes', async () => {
    const material = randomBytes(96);
    const r = await once([registerSecret(material), op('Activate', [], 'B')]);
    expect(r.items.map((x) => [x.operation, x.status, x.id])).toEqual([
      ['Register', 'Success', 'A'],
      ['Activate', 'Success', 'B'],
    ]);
    // The Get below is in a new connection, as libmongocrypt does: the key is stored, not just batched.
    const uid = at(r.items[0]!.payload, 'UniqueIdentifier') as string;
    expect(at(r.items[1]!.payload, 'UniqueIdentifier')).toBe(uid);

    const g = await once([op('Get', [txt('UniqueIdentifier', uid)])]);
    const p = ok(g);
    expect(at(p, 'ObjectType')).toBe('SecretData');
    expect(at(p, 'SecretData', 'SecretDataType')).toBe('Seed');
    expect(at(p, 'SecretData', 'KeyBlock', 'KeyFormatType')).toBe('Raw');
    expect(at(p, 'SecretData', 'KeyBlock', 'KeyValue', 'KeyMaterial')).toBe(material.toString('hex'));
  });

  it('released flow: Register alone (Batch Item ID "A"), Activate by Unique Identifier, Get', async () => {
    const material = randomBytes(96);
    const reg = await once([registerSecret(material)]);
    expect(reg.items[0]).toMatchObject({ operation: 'Register', status: 'Success', id: 'A' });
    const uid = at(reg.items[0]!.payload, 'UniqueIdentifier') as string;
    const act = await once([op('Activate', [txt('UniqueIdentifier', uid)])]);
    expect(at(ok(act), 'UniqueIdentifier')).toBe(uid);
    const state = await once([op('GetAttributes', [txt('UniqueIdentifier', uid), txt('AttributeName', 'State')])]);
    expect(attributes1x(ok(state)).get('State')).toEqual(['Active']);
    const g = await once([op('Get', [txt('UniqueIdentifier', uid)])]);
    expect(at(ok(g), 'SecretData', 'KeyBlock', 'KeyValue', 'KeyMaterial')).toBe(material.toString('hex'));
  });

  it('a pre-release libmongocrypt declared Batch Count 1 for two items: refused whole as Invalid Message, nothing half-done', async () => {
    const r = await once([registerSecret(randomBytes(96)), op('Activate', [], 'B')], { batchCount: 1 });
    expect(r.items).toHaveLength(1);
    expect(r.items[0]).toMatchObject({ status: 'OperationFailed', reason: 'InvalidMessage' });
  });
});
