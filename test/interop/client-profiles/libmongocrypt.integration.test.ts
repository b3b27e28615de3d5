import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProfileServer, type ClientFiles, type ProfileServer } from './support/profile-server.js';
import {
  at,
  attributes1x,
  e,
  hex,
  newerFields,
  ok,
  op,
  RawSession,
  request,
  s,
  txt,
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
let server: ProfileServer;
let files: ClientFiles;

beforeAll(async () => {
  server = await startProfileServer('libmongocrypt');
  files = await server.enroll('mongocryptd');
}, 120_000);
afterAll(() => server?.stop());

/** libmongocrypt opens a fresh TLS connection for each KMS request. */
async function once(bytes: Buffer) {
  const c = await RawSession.open(server.port, files);
  try {
    return await c.send(bytes);
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
    const r = await once(request(V14, [op('DiscoverVersions')]));
    expect(r.version).toEqual(V14);
    const versions = (ok(r)?.value as { value: { value: number }[] }[]).map(
      (v) => `${v.value[0]!.value}.${v.value[1]!.value}`,
    );
    expect(versions).toContain('1.4');
    expect(newerFields(r.raw, V14)).toEqual([]);
  });

  it('Register 96-byte Secret Data + Activate by the ID placeholder, then Get returns the same bytes', async () => {
    const material = randomBytes(96);
    const r = await once(request(V14, [registerSecret(material), op('Activate', [], 'B')]));
    expect(r.version).toEqual(V14);
    expect(r.items.map((x) => [x.operation, x.status, x.id])).toEqual([
      ['Register', 'Success', 'A'],
      ['Activate', 'Success', 'B'],
    ]);
    // The Get below is in a new connection, as libmongocrypt does: the key is stored, not just batched.
    const uid = at(r.items[0]!.payload, 'UniqueIdentifier') as string;
    expect(at(r.items[1]!.payload, 'UniqueIdentifier')).toBe(uid);
    expect(newerFields(r.raw, V14)).toEqual([]);

    const g = await once(request(V14, [op('Get', [txt('UniqueIdentifier', uid)])]));
    const p = ok(g);
    expect(at(p, 'ObjectType')).toBe('SecretData');
    expect(at(p, 'SecretData', 'SecretDataType')).toBe('Seed');
    expect(at(p, 'SecretData', 'KeyBlock', 'KeyFormatType')).toBe('Raw');
    expect(at(p, 'SecretData', 'KeyBlock', 'KeyValue', 'KeyMaterial')).toBe(material.toString('hex'));
    expect(newerFields(g.raw, V14)).toEqual([]);
  });

  it('released flow: Register alone (Batch Item ID "A"), Activate by Unique Identifier, Get', async () => {
    const material = randomBytes(96);
    const reg = await once(request(V14, [registerSecret(material)]));
    expect(reg.items[0]).toMatchObject({ operation: 'Register', status: 'Success', id: 'A' });
    const uid = at(reg.items[0]!.payload, 'UniqueIdentifier') as string;
    const act = await once(request(V14, [op('Activate', [txt('UniqueIdentifier', uid)])]));
    expect(at(ok(act), 'UniqueIdentifier')).toBe(uid);
    const state = await once(
      request(V14, [op('GetAttributes', [txt('UniqueIdentifier', uid), txt('AttributeName', 'State')])]),
    );
    expect(attributes1x(ok(state)).get('State')).toEqual(['Active']);
    const g = await once(request(V14, [op('Get', [txt('UniqueIdentifier', uid)])]));
    expect(at(ok(g), 'SecretData', 'KeyBlock', 'KeyValue', 'KeyMaterial')).toBe(material.toString('hex'));
  });

  it('a pre-release libmongocrypt declared Batch Count 1 for two items: refused whole as Invalid Message, nothing half-done', async () => {
    const r = await once(request(V14, [registerSecret(randomBytes(96)), op('Activate', [], 'B')], { batchCount: 1 }));
    expect(r.version).toEqual(V14);
    expect(r.items).toHaveLength(1);
    expect(r.items[0]).toMatchObject({ status: 'OperationFailed', reason: 'InvalidMessage' });
  });
});
