import { beforeAll, describe, expect, it } from 'vitest';
import type { ClientFiles } from './support/profile-server.js';
import { profileSuite, sendSpoken } from './support/profile-suite.js';
import {
  aesAttrs,
  at,
  children,
  e,
  nameAttr,
  ok,
  op,
  RawSession,
  template,
  uid,
  uidOf,
  type BatchItemSpec,
  type Version,
} from './support/wire.js';

/**
 * FortiOS 7.4 (Cosmian docs fortigate.md): speaks KMIP 1.0 to 1.4; Create AES with a Template
 * Attribute, Locate whose filter arrives wrapped in a Template Attribute, Get, Activate, Destroy.
 * Cosmian #935: a Template Attribute filter was dropped and the Locate matched everything, handing
 * the firewall a key it must not see. Here the filter holds.
 */
const fortigate = profileSuite('fortios', 'fortigate');
let other: ClientFiles;

beforeAll(async () => {
  other = await fortigate.server.enroll('someone-else');
});

describe('FortiOS 7.4 (KMIP 1.0-1.4, Cosmian fortigate.md, Cosmian #935)', () => {
  for (const minor of [0, 1, 2, 3, 4]) {
    const v: Version = [1, minor];
    it(`KMIP 1.${minor}: Create, Locate with a Template Attribute filter (no leak), Get, Activate, Destroy`, async () => {
      const c = await fortigate.open();
      const o = await RawSession.open(fortigate.server.port, other);
      const send = (s: RawSession, items: BatchItemSpec[]) => sendSpoken(s, v, items);
      try {
        // Another key of the same shape, by this client and by another one: neither may match.
        await send(c, [
          op('Create', [e('ObjectType', 'SymmetricKey'), template(...aesAttrs(256), nameAttr(`fgt-other-1.${minor}`))]),
        ]);
        await send(o, [
          op('Create', [e('ObjectType', 'SymmetricKey'), template(...aesAttrs(256), nameAttr(`fgt-1.${minor}-x`))]),
        ]);
        const name = `fgt-1.${minor}`;
        const id = uidOf(
          ok(
            await send(c, [
              op('Create', [e('ObjectType', 'SymmetricKey'), template(...aesAttrs(256), nameAttr(name))]),
            ]),
          ),
        );

        const located = await send(c, [op('Locate', [template(nameAttr(name))])]);
        // Only this key: the wrapped filter holds (matching everything leaked a key in Cosmian #935).
        expect(children(ok(located), 'UniqueIdentifier').map((u) => u.value)).toEqual([id]);
        const plain = await send(c, [op('Locate', [nameAttr(name)])]);
        expect(children(ok(plain), 'UniqueIdentifier').map((u) => u.value)).toEqual([id]);

        const got = ok(await send(c, [op('Get', [uid(id)])]));
        expect(at(got, 'SymmetricKey', 'KeyBlock', 'CryptographicAlgorithm')).toBe('AES');
        expect(uidOf(ok(await send(c, [op('Activate', [uid(id)])])))).toBe(id);
        // Destroy of an Active key is refused; FortiOS revokes first when rotating.
        const early = await send(c, [op('Destroy', [uid(id)])]);
        expect(early.items[0]?.status).toBe('OperationFailed');
        ok(
          await send(c, [
            op('Revoke', [uid(id), { tag: 'RevocationReason', value: [e('RevocationReasonCode', 'Superseded')] }]),
          ]),
        );
        expect(uidOf(ok(await send(c, [op('Destroy', [uid(id)])])))).toBe(id);
      } finally {
        c.close();
        o.close();
      }
    });
  }
});
