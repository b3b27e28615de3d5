import { createPrivateKey, createPublicKey, privateDecrypt, publicEncrypt, randomBytes } from 'node:crypto';
import type tls from 'node:tls';
import { describe, expect, it } from 'vitest';
import { profileSuite } from './support/profile-suite.js';
import {
  at,
  attr,
  child,
  e,
  i,
  nameAttr,
  newerFields,
  ok,
  op,
  request,
  s,
  uid,
  uidOf,
  type RawSession,
  type Version,
} from './support/wire.js';

/**
 * Veeam Backup & Replication 12 (Cosmian docs veeam.md): KMIP 1.4; Locate by Name first, then
 * CreateKeyPair RSA-2048 (Common / Private / Public Key Template Attributes), Activate both, Get the
 * public and the private key, Revoke + Destroy at rotation. It opens a new TLS connection per job and
 * resumes the TLS session; it rejects Attributes inside a Key Value for 1.x (INTEROP-NOTES 7).
 */
const V14: Version = [1, 4];
const veeam = profileSuite('veeam', 'veeam');

/** Connects, waits for the session the server hands out (TLS 1.3 sends it after the handshake). */
async function sessionFrom(maxVersion: tls.SecureVersion): Promise<{ c: RawSession; ticket: Buffer }> {
  const c = await veeam.open({ maxVersion });
  let ticket: Buffer | undefined;
  c.socket.on('session', (t: Buffer) => (ticket = t));
  // TLS 1.3 tickets arrive after the handshake, with the first response at the latest.
  expect((await c.send(request(V14, [op('DiscoverVersions')]))).items[0]?.status).toBe('Success');
  ticket ??= c.socket.getSession();
  if (!ticket) throw new Error(`no ${maxVersion} session to resume`);
  return { c, ticket };
}

describe('Veeam B&R 12 (KMIP 1.4, Cosmian veeam.md)', () => {
  for (const maxVersion of ['TLSv1.2', 'TLSv1.3'] as const) {
    it(`resumes the TLS session on its next connection (${maxVersion}) and is served on it`, async () => {
      const first = await sessionFrom(maxVersion);
      first.c.close();
      const second = await veeam.open({ session: first.ticket, maxVersion });
      try {
        expect(second.socket.isSessionReused()).toBe(true);
        const r = await second.send(request(V14, [op('Query', [e('QueryFunction', 'QueryOperations')])]));
        expect(r.items[0]?.status).toBe('Success');
      } finally {
        second.close();
      }
    });
  }

  it('Locate (none yet), CreateKeyPair RSA-2048, Activate both, Get public and private, Revoke, Destroy', async () => {
    await veeam.speakingIn(V14, async ({ send }) => {
      const none = await send([op('Locate', [nameAttr('veeam-rsa-1')])]);
      expect(ok(none)?.value ?? []).toEqual([]);

      const pair = await send([
        op('CreateKeyPair', [
          s(
            'CommonTemplateAttribute',
            attr('Cryptographic Algorithm', e('', 'RSA')),
            attr('Cryptographic Length', i('', 2048)),
          ),
          s(
            'PrivateKeyTemplateAttribute',
            nameAttr('veeam-rsa-1'),
            attr('Cryptographic Usage Mask', i('', 0x01 | 0x08)),
          ),
          s(
            'PublicKeyTemplateAttribute',
            nameAttr('veeam-rsa-1-pub'),
            attr('Cryptographic Usage Mask', i('', 0x02 | 0x04)),
          ),
        ]),
      ]);
      const priv = String(at(ok(pair), 'PrivateKeyUniqueIdentifier'));
      const pub = String(at(ok(pair), 'PublicKeyUniqueIdentifier'));
      expect(priv).not.toBe(pub);

      for (const id of [priv, pub]) expect(uidOf(ok(await send([op('Activate', [uid(id)])])))).toBe(id);

      const found = await send([op('Locate', [nameAttr('veeam-rsa-1')])]);
      expect(at(ok(found), 'UniqueIdentifier')).toBe(priv);

      const gotPub = await send([op('Get', [uid(pub)])]);
      const pubBlock = child(child(ok(gotPub), 'PublicKey'), 'KeyBlock');
      const gotPriv = await send([op('Get', [uid(priv)])]);
      const privBlock = child(child(ok(gotPriv), 'PrivateKey'), 'KeyBlock');
      for (const [block, raw] of [
        [pubBlock, gotPub.raw],
        [privBlock, gotPriv.raw],
      ] as const) {
        expect(at(block, 'CryptographicAlgorithm')).toBe('RSA');
        expect(at(block, 'CryptographicLength')).toBe(2048);
        // No Attribute inside a 1.x Key Value: Veeam refuses the key otherwise.
        expect(child(child(block, 'KeyValue'), 'Attribute')).toBeUndefined();
        expect(newerFields(raw, V14)).toEqual([]);
      }
      // The formats decode as RSA keys that work together (PKCS#1 default for 1.x RSA keys).
      const pubFormat = String(at(pubBlock, 'KeyFormatType'));
      const privFormat = String(at(privBlock, 'KeyFormatType'));
      const pubDer = Buffer.from(String(at(pubBlock, 'KeyValue', 'KeyMaterial')), 'hex');
      const privDer = Buffer.from(String(at(privBlock, 'KeyValue', 'KeyMaterial')), 'hex');
      const publicKey = createPublicKey({
        key: pubDer,
        format: 'der',
        type: pubFormat === 'PKCS_1' ? 'pkcs1' : 'spki',
      });
      const privateKey = createPrivateKey({
        key: privDer,
        format: 'der',
        type: privFormat === 'PKCS_1' ? 'pkcs1' : 'pkcs8',
      });
      const secret = randomBytes(32);
      expect(privateDecrypt(privateKey, publicEncrypt(publicKey, secret)).equals(secret)).toBe(true);

      for (const id of [priv, pub]) {
        const revoked = await send([
          op('Revoke', [uid(id), s('RevocationReason', e('RevocationReasonCode', 'Superseded'))]),
        ]);
        expect(revoked.items[0]?.status).toBe('Success');
        const destroyed = await send([op('Destroy', [uid(id)])]);
        expect(uidOf(ok(destroyed))).toBe(id);
      }
      const gone = await send([op('Get', [uid(priv)])]);
      expect(gone.items[0]?.status).toBe('OperationFailed');
    });
  });
});
