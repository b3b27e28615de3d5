import { describe, expect, it } from 'vitest';
import { hashClientPassword } from '../../../main/server/credentials.js';
import { profileSuite, sendSpoken } from './support/profile-suite.js';
import {
  aesAttrs,
  at,
  attributes1x,
  e,
  nameAttr,
  ok,
  op,
  request,
  template,
  txt,
  uid,
  uidOf,
  type BatchItemSpec,
  type Version,
} from './support/wire.js';

/**
 * VMware vSphere standard key provider (PyKMIP #211, #218; Cosmian docs vcenter.md): KMIP 1.1 over
 * mutual TLS, a Username/Password Credential in every header (INTEROP-NOTES 4), Create AES-256
 * with a Template Attribute and a Name, Activate, GetAttributes State before using a key, Get
 * (Raw symmetric key), Locate by Name, Revoke.
 */
const V11: Version = [1, 1];
const credential = { username: 'vcenter', password: 'vc-secret' };
const vcenter = profileSuite('vsphere', 'vcenter', { session: true });
const send = (items: BatchItemSpec[]) => sendSpoken(vcenter.session, V11, items, { credential });

describe('VMware vSphere (KMIP 1.1, PyKMIP #211 #218)', () => {
  it('DiscoverVersions answers in 1.1 and offers 1.1', async () => {
    const r = await send([op('DiscoverVersions')]);
    expect(JSON.stringify(ok(r))).toContain('"ProtocolVersionMinor","type":"Integer","value":1}');
  });

  it('Create AES-256 (Credential sent, not configured: accepted), Activate, GetAttributes State, Get Raw, Locate, Revoke', async () => {
    const name = 'vsphere-key-0001';
    const created = await send([
      op('Create', [e('ObjectType', 'SymmetricKey'), template(...aesAttrs(256), nameAttr(name))]),
    ]);
    const id = uidOf(ok(created));

    expect(uidOf(ok(await send([op('Activate', [uid(id)])])))).toBe(id);

    const attrs = await send([op('GetAttributes', [uid(id), txt('AttributeName', 'State')])]);
    expect(attributes1x(ok(attrs))).toEqual(new Map([['State', ['Active']]]));

    const got = await send([op('Get', [uid(id)])]);
    const p = ok(got);
    expect(at(p, 'ObjectType')).toBe('SymmetricKey');
    expect(at(p, 'SymmetricKey', 'KeyBlock', 'KeyFormatType')).toBe('Raw');
    expect(at(p, 'SymmetricKey', 'KeyBlock', 'CryptographicAlgorithm')).toBe('AES');
    expect(at(p, 'SymmetricKey', 'KeyBlock', 'CryptographicLength')).toBe(256);
    expect(String(at(p, 'SymmetricKey', 'KeyBlock', 'KeyValue', 'KeyMaterial'))).toHaveLength(64);

    const found = await send([op('Locate', [nameAttr(name)])]);
    expect(at(ok(found), 'UniqueIdentifier')).toBe(id);

    const revoked = await send([
      op('Revoke', [uid(id), { tag: 'RevocationReason', value: [e('RevocationReasonCode', 'CessationOfOperation')] }]),
    ]);
    expect(uidOf(ok(revoked))).toBe(id);
    const after = await send([op('GetAttributes', [uid(id), txt('AttributeName', 'State')])]);
    expect(attributes1x(ok(after)).get('State')).toEqual(['Deactivated']);
  });

  it('a 1.1 GetAttributes of every attribute carries only 1.0/1.1 attributes', async () => {
    const id = uidOf(ok(await send([op('Create', [e('ObjectType', 'SymmetricKey'), template(...aesAttrs(256))])])));
    const all = await send([op('GetAttributes', [uid(id)])]);
    const names = [...attributes1x(ok(all)).keys()];
    expect(names).toEqual(expect.arrayContaining(['Cryptographic Algorithm', 'Cryptographic Length', 'State']));
  });

  it('with a password set for vcenter (INTEROP-NOTES 4), the Credential it sends is enforced', async () => {
    const query = (c?: { username: string; password: string }) =>
      vcenter.session.send(
        request(V11, [op('Query', [e('QueryFunction', 'QueryOperations')])], c ? { credential: c } : {}),
      );
    const stored = await hashClientPassword(credential.username, Buffer.from(credential.password, 'utf8'));
    await vcenter.server.running.control.setCredential('vcenter', stored);
    try {
      expect(ok(await send([op('DiscoverVersions')]))).toBeDefined();
      for (const bad of [undefined, { ...credential, password: 'not-vc-secret' }]) {
        const r = await query(bad);
        expect(r.items[0]?.status).toBe('OperationFailed');
        expect(r.items[0]?.reason).toBe('AuthenticationNotSuccessful');
      }
    } finally {
      await vcenter.server.running.control.setCredential('vcenter', undefined);
    }
    expect((await query()).items[0]?.status).toBe('Success');
  });
});
