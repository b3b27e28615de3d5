import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { profileSuite } from './support/profile-suite.js';
import {
  aesAttrs,
  at,
  attr,
  attributes1x,
  children,
  e,
  hex,
  i,
  nameAttr,
  ok,
  op,
  s,
  template,
  txt,
  uid,
  uidOf,
  type J,
} from './support/wire.js';

/**
 * Database engines with KMIP key providers: MongoDB Enterprise (MongoDB KMIP docs: 1.2 by default
 * with Encrypt/Decrypt, 1.0/1.1 with kmipUseLegacyProtocol: Create + Get), Percona Server for
 * MongoDB (KMIP 1.0, polls the key's State; Cosmian #687, hashicorp/vault #24309), MySQL / Percona
 * component_keyring_kmip (1.1: Register with an Object Group, Locate by Object Group + Name, Get),
 * Percona pg_tde (1.4: Create, Register, Locate, Get, Activate, Revoke, Destroy) and InterSystems
 * IRIS / EDB TDE (2.0 / 2.1 Encrypt and Decrypt with the Attributes model).
 */
const dbhost = profileSuite('databases', 'dbhost');

const createAes = (bits: number, ...more: J[]) =>
  op('Create', [e('ObjectType', 'SymmetricKey'), template(...aesAttrs(bits), ...more)]);

describe('MongoDB Enterprise (KMIP 1.2 Encrypt/Decrypt; 1.0 and 1.1 legacy Create/Get)', () => {
  it('1.2: Create, Activate, Encrypt then Decrypt its master-key wrap with the server-chosen IV', async () => {
    await dbhost.speakingIn([1, 2], async (c) => {
      const id = uidOf(ok(await c.send([createAes(256)])));
      ok(await c.send([op('Activate', [uid(id)])]));
      const dataKey = randomBytes(96);
      const enc = ok(await c.send([op('Encrypt', [uid(id), hex('Data', dataKey)])]));
      const ct = String(at(enc, 'Data'));
      const iv = at(enc, 'IVCounterNonce');
      expect(Buffer.from(ct, 'hex').equals(dataKey)).toBe(false);
      const dec = ok(
        await c.send([
          op('Decrypt', [
            uid(id),
            { tag: 'Data', type: 'ByteString', value: ct },
            ...(typeof iv === 'string' ? [{ tag: 'IVCounterNonce', type: 'ByteString', value: iv }] : []),
          ]),
        ]),
      );
      expect(at(dec, 'Data')).toBe(dataKey.toString('hex'));
    });
  });

  for (const minor of [0, 1]) {
    it(`1.${minor} legacy: Create AES-256 and Get it, answered in 1.${minor} with no newer field`, async () => {
      await dbhost.speakingIn([1, minor], async (c) => {
        const id = uidOf(ok(await c.send([createAes(256)])));
        ok(await c.send([op('Activate', [uid(id)])]));
        const got = ok(await c.send([op('Get', [uid(id)])]));
        expect(String(at(got, 'SymmetricKey', 'KeyBlock', 'KeyValue', 'KeyMaterial'))).toHaveLength(64);
      });
    });
  }
});

describe('Percona Server for MongoDB (KMIP 1.0, polls key state; Cosmian #687, vault #24309)', () => {
  it('State polled again and again in 1.0: no Fresh, no Server Correlation Value, no 1.x-later attribute', async () => {
    await dbhost.speakingIn([1, 0], async (c) => {
      const id = uidOf(ok(await c.send([createAes(256, nameAttr('percona-mongod-master'))])));
      ok(await c.send([op('Activate', [uid(id)])]));
      for (let n = 0; n < 3; n++) {
        const st = attributes1x(ok(await c.send([op('GetAttributes', [uid(id), txt('AttributeName', 'State')])])));
        expect(st.get('State')).toEqual(['Active']);
      }
      const all = attributes1x(ok(await c.send([op('GetAttributes', [uid(id)])])));
      expect(all.has('Fresh')).toBe(false);
      expect(all.get('Name')).toBeDefined();
      const list = ok(await c.send([op('GetAttributeList', [uid(id)])]));
      expect(children(list, 'AttributeName').map((n) => n.value)).not.toContain('Fresh');
    });
  });
});

describe('MySQL Enterprise / Percona component_keyring_kmip (KMIP 1.1)', () => {
  it('Register keys in an Object Group, Locate by Object Group (+ Name), Get', async () => {
    await dbhost.speakingIn([1, 1], async (c) => {
      const register = (group: string, name: string, material: Buffer) =>
        op('Register', [
          e('ObjectType', 'SymmetricKey'),
          template(
            attr('Cryptographic Algorithm', e('', 'AES')),
            attr('Cryptographic Length', i('', material.length * 8)),
            attr('Cryptographic Usage Mask', i('', 0x0c)),
            attr('Object Group', txt('', group)),
            nameAttr(name),
          ),
          s(
            'SymmetricKey',
            s(
              'KeyBlock',
              e('KeyFormatType', 'Raw'),
              s('KeyValue', hex('KeyMaterial', material)),
              e('CryptographicAlgorithm', 'AES'),
              i('CryptographicLength', material.length * 8),
            ),
          ),
        ]);
      const m1 = randomBytes(32);
      const a = uidOf(ok(await c.send([register('mysql-server-1', 'INNODBKey-uuid-1', m1)])));
      const b = uidOf(ok(await c.send([register('mysql-server-1', 'percona_binlog_0', randomBytes(32))])));
      await c.send([register('mysql-server-2', 'INNODBKey-uuid-1', randomBytes(32))]);

      const group = await c.send([op('Locate', [attr('Object Group', txt('', 'mysql-server-1'))])]);
      expect(
        children(ok(group), 'UniqueIdentifier')
          .map((u) => u.value)
          .sort(),
      ).toEqual([a, b].sort());
      const one = await c.send([
        op('Locate', [attr('Object Group', txt('', 'mysql-server-1')), nameAttr('INNODBKey-uuid-1')]),
      ]);
      expect(children(ok(one), 'UniqueIdentifier').map((u) => u.value)).toEqual([a]);
      const got = ok(await c.send([op('Get', [uid(a)])]));
      expect(at(got, 'SymmetricKey', 'KeyBlock', 'KeyValue', 'KeyMaterial')).toBe(m1.toString('hex'));
    });
  });
});

describe('Percona pg_tde (KMIP 1.4)', () => {
  it('Register a principal key, Locate by Name, Get, Activate; Create one; Revoke and Destroy', async () => {
    await dbhost.speakingIn([1, 4], async (c) => {
      const material = randomBytes(16);
      const reg = await c.send([
        op('Register', [
          e('ObjectType', 'SymmetricKey'),
          template(attr('Cryptographic Usage Mask', i('', 0x0c)), nameAttr('pg_tde-principal-key-1')),
          s(
            'SymmetricKey',
            s(
              'KeyBlock',
              e('KeyFormatType', 'Raw'),
              s('KeyValue', hex('KeyMaterial', material)),
              e('CryptographicAlgorithm', 'AES'),
              i('CryptographicLength', 128),
            ),
          ),
        ]),
      ]);
      const id = uidOf(ok(reg));
      const found = await c.send([op('Locate', [nameAttr('pg_tde-principal-key-1')])]);
      expect(children(ok(found), 'UniqueIdentifier').map((u) => u.value)).toEqual([id]);
      expect(at(ok(await c.send([op('Get', [uid(id)])])), 'SymmetricKey', 'KeyBlock', 'KeyValue', 'KeyMaterial')).toBe(
        material.toString('hex'),
      );
      ok(await c.send([op('Activate', [uid(id)])]));
      const created = uidOf(ok(await c.send([createAes(128, nameAttr('pg_tde-principal-key-2'))])));
      for (const k of [id, created]) {
        ok(
          await c.send([
            op('Revoke', [
              uid(k),
              s('RevocationReason', e('RevocationReasonCode', 'KeyCompromise'), {
                tag: 'CompromiseOccurrenceDate',
                type: 'DateTime',
                value: '2026-11-28T00:00:00+00:00',
              }),
            ]),
          ]),
        );
        expect(uidOf(ok(await c.send([op('Destroy', [uid(k)])])))).toBe(k);
      }
    });
  });
});

describe('InterSystems IRIS / EDB TDE (KMIP 2.0 and 2.1 Encrypt/Decrypt)', () => {
  for (const minor of [0, 1]) {
    it(`2.${minor}: Create with Attributes, Activate, Encrypt/Decrypt AES-GCM, answered in 2.${minor}`, async () => {
      await dbhost.speakingIn([2, minor], async (c) => {
        const id = uidOf(
          ok(
            await c.send([
              op('Create', [
                e('ObjectType', 'SymmetricKey'),
                s(
                  'Attributes',
                  e('CryptographicAlgorithm', 'AES'),
                  i('CryptographicLength', 256),
                  { tag: 'CryptographicUsageMask', type: 'Integer', value: 0x0c },
                  s('Name', txt('NameValue', `iris-dek-2.${minor}`), e('NameType', 'UninterpretedTextString')),
                ),
              ]),
            ]),
          ),
        );
        ok(await c.send([op('Activate', [uid(id)])]));
        const params = s('CryptographicParameters', e('BlockCipherMode', 'GCM'), i('TagLength', 16));
        const plain = randomBytes(64);
        const nonce = randomBytes(12);
        const enc = ok(
          await c.send([op('Encrypt', [uid(id), params, hex('Data', plain), hex('IVCounterNonce', nonce)])]),
        );
        const tag = String(at(enc, 'AuthenticatedEncryptionTag'));
        expect(tag).toHaveLength(32);
        const dec = ok(
          await c.send([
            op('Decrypt', [
              uid(id),
              params,
              { tag: 'Data', type: 'ByteString', value: at(enc, 'Data') },
              hex('IVCounterNonce', nonce),
              { tag: 'AuthenticatedEncryptionTag', type: 'ByteString', value: tag },
            ]),
          ]),
        );
        expect(at(dec, 'Data')).toBe(plain.toString('hex'));
      });
    });
  }
});
