import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { profileSuite, sendSpoken } from './support/profile-suite.js';
import {
  at,
  attr,
  attributes1x,
  children,
  e,
  hex,
  nameAttr,
  ok,
  op,
  s,
  template,
  txt,
  uid,
  uidOf,
  type BatchItemSpec,
  type Version,
} from './support/wire.js';

/**
 * Synology DSM 7 encrypted shared folders / volume key vault (Cosmian docs synology_dsm.md): KMIP
 * 1.2. DiscoverVersions, Query, Locate by Name, Register Secret Data (the volume's key), Activate,
 * ModifyAttribute (renames the key), GetAttributes, Get, Revoke, Destroy.
 */
const V12: Version = [1, 2];
const dsm = profileSuite('synology', 'diskstation', { session: true });
const send = (items: BatchItemSpec[]) => sendSpoken(dsm.session, V12, items);

describe('Synology DSM 7 (KMIP 1.2, Cosmian synology_dsm.md)', () => {
  it('DiscoverVersions and Query (operations, objects) answer in 1.2', async () => {
    ok(await send([op('DiscoverVersions')]));
    const q = ok(
      await send([op('Query', [e('QueryFunction', 'QueryOperations'), e('QueryFunction', 'QueryObjects')])]),
    );
    const ops = children(q, 'Operation').map((o) => o.value);
    expect(ops).toEqual(
      expect.arrayContaining(['Register', 'Locate', 'Activate', 'ModifyAttribute', 'Revoke', 'Destroy']),
    );
    expect(children(q, 'ObjectType').map((o) => o.value)).toContain('SecretData');
  });

  it('Locate, Register Secret Data, Activate, ModifyAttribute, GetAttributes, Get, Revoke, Destroy', async () => {
    const name = 'DS920-volume1';
    expect(ok(await send([op('Locate', [nameAttr(name)])]))?.value ?? []).toEqual([]);
    const material = randomBytes(32);
    const reg = await send([
      op('Register', [
        e('ObjectType', 'SecretData'),
        template(nameAttr(name), attr('Cryptographic Usage Mask', { tag: '', type: 'Integer', value: 0x0c })),
        s(
          'SecretData',
          e('SecretDataType', 'Password'),
          s('KeyBlock', e('KeyFormatType', 'Opaque'), s('KeyValue', hex('KeyMaterial', material))),
        ),
      ]),
    ]);
    const id = uidOf(ok(reg));
    expect(uidOf(ok(await send([op('Activate', [uid(id)])])))).toBe(id);
    expect(at(ok(await send([op('Locate', [nameAttr(name)])])), 'UniqueIdentifier')).toBe(id);

    const renamed = nameAttr(`${name}-rotated`);
    const mod = await send([op('ModifyAttribute', [uid(id), { ...renamed, value: [...(renamed.value as object[])] }])]);
    expect(at(ok(mod), 'Attribute', 'AttributeName')).toBe('Name');
    expect(at(ok(mod), 'Attribute', 'AttributeValue', 'NameValue')).toBe(`${name}-rotated`);

    const a = attributes1x(
      ok(await send([op('GetAttributes', [uid(id), txt('AttributeName', 'Name'), txt('AttributeName', 'State')])])),
    );
    expect(a.get('State')).toEqual(['Active']);
    expect(JSON.stringify(a.get('Name'))).toContain(`${name}-rotated`);
    expect(ok(await send([op('Locate', [nameAttr(name)])]))?.value ?? []).toEqual([]);

    const got = ok(await send([op('Get', [uid(id)])]));
    expect(at(got, 'SecretData', 'SecretDataType')).toBe('Password');
    expect(at(got, 'SecretData', 'KeyBlock', 'KeyValue', 'KeyMaterial')).toBe(material.toString('hex'));

    ok(await send([op('Revoke', [uid(id), s('RevocationReason', e('RevocationReasonCode', 'CessationOfOperation'))])]));
    expect(uidOf(ok(await send([op('Destroy', [uid(id)])])))).toBe(id);
    const gone = await send([op('Get', [uid(id)])]);
    expect(gone.items[0]?.status).toBe('OperationFailed');
  });
});
