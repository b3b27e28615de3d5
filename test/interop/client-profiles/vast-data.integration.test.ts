import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectSpoken, profileSuite } from './support/profile-suite.js';
import {
  aesAttrs,
  at,
  attr,
  attributes1x,
  e,
  HttpsTtlvSession,
  nameAttr,
  ok,
  op,
  request,
  s,
  template,
  txt,
  uid,
  uidOf,
  type BatchItemSpec,
  type Version,
} from './support/wire.js';

/**
 * VAST Data (Cosmian docs vast_data.md): KMIP 1.4 TTLV bodies POSTed to /kmip over HTTPS with a
 * client certificate, many requests on one kept-alive connection. DiscoverVersions, Create AES-256,
 * three AddAttribute calls (a Name and custom x- attributes), Activate, Locate, Get, GetAttributes
 * again and again (every ~61 s in the field), Revoke, Destroy.
 */
const V14: Version = [1, 4];
const vast = profileSuite('vast', 'vast-cluster');
let http: HttpsTtlvSession;

beforeAll(() => {
  http = new HttpsTtlvSession(vast.server.port, vast.files);
});
afterAll(() => http?.close());

async function post(items: BatchItemSpec[]) {
  const r = await http.post(request(V14, items));
  expect(r.status).toBe(200);
  expect(r.type).toBe('application/octet-stream');
  return expectSpoken(r.response, V14);
}

describe('VAST Data (KMIP 1.4 TTLV over HTTPS, Cosmian vast_data.md)', () => {
  it('runs its whole key lifecycle as POST /kmip on one kept-alive TLS connection', async () => {
    const versions = ok(await post([op('DiscoverVersions')]));
    expect(JSON.stringify(versions)).toContain('"ProtocolVersionMinor","type":"Integer","value":4}');

    const id = uidOf(ok(await post([op('Create', [e('ObjectType', 'SymmetricKey'), template(...aesAttrs(256))])])));

    const added = [
      nameAttr('vast-tenant-7-key'),
      attr('x-vast-cluster', txt('', 'cluster-a')),
      attr('x-vast-tenant', txt('', 'tenant-7')),
    ];
    const names = ['Name', 'x-vast-cluster', 'x-vast-tenant'];
    for (const [k, a] of added.entries()) {
      const r = await post([op('AddAttribute', [uid(id), a])]);
      expect(uidOf(ok(r))).toBe(id);
      expect(at(ok(r), 'Attribute', 'AttributeName')).toBe(names[k]);
    }

    expect(uidOf(ok(await post([op('Activate', [uid(id)])])))).toBe(id);
    expect(at(ok(await post([op('Locate', [nameAttr('vast-tenant-7-key')])])), 'UniqueIdentifier')).toBe(id);
    expect(at(ok(await post([op('Locate', [attr('x-vast-tenant', txt('', 'tenant-7'))])])), 'UniqueIdentifier')).toBe(
      id,
    );

    const got = ok(await post([op('Get', [uid(id)])]));
    expect(String(at(got, 'SymmetricKey', 'KeyBlock', 'KeyValue', 'KeyMaterial'))).toHaveLength(64);

    // The periodic health check: the same GetAttributes, answered the same each time.
    for (let n = 0; n < 3; n++) {
      const a = attributes1x(ok(await post([op('GetAttributes', [uid(id)])])));
      expect(a.get('State')).toEqual(['Active']);
      expect(a.get('x-vast-cluster')).toEqual(['cluster-a']);
      expect(a.get('x-vast-tenant')).toEqual(['tenant-7']);
    }

    const revoked = await post([
      op('Revoke', [uid(id), s('RevocationReason', e('RevocationReasonCode', 'CessationOfOperation'))]),
    ]);
    expect(uidOf(ok(revoked))).toBe(id);
    expect(uidOf(ok(await post([op('Destroy', [uid(id)])])))).toBe(id);
    const gone = await post([op('GetAttributes', [uid(id), txt('AttributeName', 'State')])]);
    expect(attributes1x(ok(gone)).get('State')).toEqual(['Destroyed']);
    expect(http.sockets.size).toBe(1);
  });
});
