import { describe, expect, it } from 'vitest';
import { profileSuite, sendSpoken } from './support/profile-suite.js';
import {
  aesAttrs,
  at,
  attr,
  attributes1x,
  children,
  date,
  e,
  hex,
  i,
  ok,
  op,
  template,
  txt,
  uid,
  uidOf,
  type BatchItemSpec,
  type J,
  type Version,
} from './support/wire.js';

/**
 * NetApp ONTAP external key manager (PyKMIP #489; #459, #460 for custom attributes): KMIP 1.x
 * (1.2 here) on port 5696 with a client certificate and a Username/Password Credential; every
 * Create carries about 16 x-NETAPP-* custom attributes, some of them not text. ONTAP later finds
 * its keys by those attributes and reads them back with GetAttributes.
 */
const V12: Version = [1, 2];
const ontap = profileSuite('ontap', 'ontap-cluster1', { session: true });

const custom = (n: number): J[] => [
  attr('x-NETAPP-ClusterId', txt('', '2b6b2c41-0000-11ee-9c1b-00a098d39e12')),
  attr('x-NETAPP-ClusterName', txt('', 'cluster1')),
  attr('x-NETAPP-KeyId', txt('', `00000000000000000200000000000100${n.toString(16).padStart(32, '0')}`)),
  attr('x-NETAPP-KeyUsage', txt('', 'NSE-AK')),
  attr('x-NETAPP-KeyTag', txt('', `node-0${n}`)),
  attr('x-NETAPP-Product', txt('', 'Data ONTAP')),
  attr('x-NETAPP-ProductVersion', txt('', '9.14.1')),
  attr('x-NETAPP-Vserver', txt('', 'svm0')),
  attr('x-NETAPP-VserverId', i('', 4)),
  attr('x-NETAPP-Node', txt('', `cluster1-0${n}`)),
  attr('x-NETAPP-NodeId', i('', n)),
  attr('x-NETAPP-Volume', txt('', 'vol0')),
  attr('x-NETAPP-DiskId', hex('', Buffer.from('5000c500a1b2c3d4', 'hex'))),
  attr('x-NETAPP-Created', date('', new Date('2026-11-28T12:00:00Z'))),
  attr('x-NETAPP-Policy', txt('', 'default')),
  attr('x-NETAPP-Version', i('', 1)),
];

describe('NetApp ONTAP (KMIP 1.2, PyKMIP #489)', () => {
  it('Create with 16 x-NETAPP-* attributes (text, integer, bytes, date), Locate by one, GetAttributes returns them typed', async () => {
    const credential = { username: 'ontap', password: 'ignored-unless-configured' };
    const send = (items: BatchItemSpec[]) => sendSpoken(ontap.session, V12, items, { credential });
    const ids: string[] = [];
    for (const n of [1, 2]) {
      ids.push(
        uidOf(
          ok(await send([op('Create', [e('ObjectType', 'SymmetricKey'), template(...aesAttrs(256), ...custom(n))])])),
        ),
      );
    }
    const found = await send([op('Locate', [attr('x-NETAPP-KeyTag', txt('', 'node-02'))])]);
    expect(children(ok(found), 'UniqueIdentifier').map((u) => u.value)).toEqual([ids[1]]);
    const byInt = await send([op('Locate', [attr('x-NETAPP-NodeId', i('', 1))])]);
    expect(children(ok(byInt), 'UniqueIdentifier').map((u) => u.value)).toEqual([ids[0]]);

    const a = attributes1x(ok(await send([op('GetAttributes', [uid(ids[0]!)])])));
    expect([...a.keys()].filter((k) => k.startsWith('x-NETAPP-'))).toHaveLength(16);
    expect(a.get('x-NETAPP-ClusterName')).toEqual(['cluster1']);
    expect(a.get('x-NETAPP-NodeId')).toEqual([1]);
    expect(a.get('x-NETAPP-DiskId')).toEqual(['5000c500a1b2c3d4']);
    expect(String(a.get('x-NETAPP-Created')?.[0])).toMatch(/^2026-11-28T12:00:00/);

    const some = attributes1x(
      ok(
        await send([
          op('GetAttributes', [uid(ids[1]!), txt('AttributeName', 'x-NETAPP-KeyId'), txt('AttributeName', 'State')]),
        ]),
      ),
    );
    expect([...some.keys()].sort()).toEqual(['State', 'x-NETAPP-KeyId']);
    const got = ok(await send([op('Get', [uid(ids[1]!)])]));
    expect(at(got, 'SymmetricKey', 'KeyBlock', 'CryptographicLength')).toBe(256);
  });
});

describe('storage array batch (PyKMIP #459): Query + Locate + Get + GetAttributes in one 1.0 message', () => {
  it('Get and GetAttributes without identifiers use the ID placeholder Locate set; answered in 1.0', async () => {
    const v: Version = [1, 0];
    const name = 'array-batch-key';
    const mk = await sendSpoken(ontap.session, v, [
      op('Create', [
        e('ObjectType', 'SymmetricKey'),
        template(
          ...aesAttrs(128),
          attr('Name', {
            tag: '',
            value: [txt('NameValue', name), e('NameType', 'UninterpretedTextString')],
          }),
        ),
      ]),
    ]);
    const id = uidOf(ok(mk));
    const r = await sendSpoken(ontap.session, v, [
      op('Query', [e('QueryFunction', 'QueryOperations')]),
      op('Locate', [
        attr('Name', { tag: '', value: [txt('NameValue', name), e('NameType', 'UninterpretedTextString')] }),
      ]),
      op('Get'),
      op('GetAttributes', [txt('AttributeName', 'Cryptographic Length')]),
    ]);
    expect(r.items.map((x) => [x.operation, x.status])).toEqual([
      ['Query', 'Success'],
      ['Locate', 'Success'],
      ['Get', 'Success'],
      ['GetAttributes', 'Success'],
    ]);
    expect(uidOf(r.items[2]!.payload)).toBe(id);
    expect(attributes1x(r.items[3]!.payload).get('Cryptographic Length')).toEqual([128]);
  });
});
