import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKey, openModule, withTokenSession, type Pkcs11Module } from '../../../main/tokens/pkcs11/index.js';
import { tokenKeyReference } from '../../../main/tokens/pkcs11/reference.js';
import { parsePkcs11Uri, TokenCrypto } from '../../../main/tokens/pkcs11/token-crypto.js';
import type { ManagedObject } from '../../../main/vault/model.js';
import { SoftHsm } from '../softhsm.js';

const PIN = '1234';

describe('TokenCrypto: crypto on vault objects whose key stays on a token', () => {
  let hsm: SoftHsm;
  let dir: string;
  let modules: Pkcs11Module[];
  let aes: Omit<ManagedObject, 'uniqueIdentifier'>;
  let ec: Omit<ManagedObject, 'uniqueIdentifier'>;
  let ecPublic: Omit<ManagedObject, 'uniqueIdentifier'>;

  beforeAll(async () => {
    hsm = new SoftHsm();
    dir = hsm.initToken('crypto', PIN, '87654321');
    modules = [openModule(hsm.module)];
    await withTokenSession(modules, { label: 'crypto' }, { pin: PIN, readWrite: true }, (s) => {
      const [a] = generateKey(s, { algorithm: 'AES', label: 'data key' });
      aes = tokenKeyReference(s.token, a!, 'data key');
      const pair = generateKey(s, { algorithm: 'EC', label: 'signer' });
      ec = tokenKeyReference(
        s.token,
        pair.find((o) => o.objectClass === 'PrivateKey')!,
        'signer',
      );
      ecPublic = tokenKeyReference(
        s.token,
        pair.find((o) => o.objectClass === 'PublicKey')!,
        'signer',
      );
    });
  });
  afterAll(() => hsm.dispose());

  it('parses the PKCS#11 URI the reference carries', () => {
    const loc = parsePkcs11Uri(String(ec.attributes['x-Keyhold-PKCS11-URI']![0]));
    expect(loc.token).toBe('crypto');
    expect(loc.filter).toMatchObject({ label: 'signer', objectClass: 'PrivateKey' });
    expect(loc.filter.id).toMatch(/^[0-9a-f]+$/);
    expect(aes.keyBlock).toBeUndefined();
  });

  it('encrypts, decrypts, signs and verifies on the token', async () => {
    const tc = new TokenCrypto(modules, { pin: PIN });
    expect(tc.handles(aes)).toBe(true);
    expect(tc.handles({ attributes: {} })).toBe(false);
    const iv = randomBytes(12);
    const plain = Buffer.from('payroll for November');
    const ct = await tc.encrypt(aes, 'AES-GCM', plain, iv);
    expect(Buffer.from(ct).subarray(0, plain.length).equals(plain)).toBe(false);
    expect(Buffer.from(await tc.decrypt(aes, 'AES-GCM', ct, iv)).toString()).toBe('payroll for November');
    const sig = await tc.sign(ec, 'ECDSA-SHA256', plain);
    expect(await tc.verify(ecPublic, 'ECDSA-SHA256', plain, sig)).toBe(true);
    expect(await tc.verify(ecPublic, 'ECDSA-SHA256', Buffer.from('other'), sig)).toBe(false);
  });

  it('says the token is absent when it is removed, and works again once re-inserted', async () => {
    const tc = new TokenCrypto(modules, { pin: PIN });
    hsm.removeToken(dir);
    await expect(tc.sign(ec, 'ECDSA-SHA256', Buffer.from('x'))).rejects.toThrow(/no token labelled "crypto"|removed/);
    hsm.reinsertToken(dir);
    expect((await tc.sign(ec, 'ECDSA-SHA256', Buffer.from('x'))).length).toBe(64);
  });
});
