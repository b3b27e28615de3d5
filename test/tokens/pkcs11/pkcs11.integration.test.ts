import { generateKeyPairSync, createVerify, randomBytes, createPublicKey } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeyholdError } from '../../../shared/errors.js';
import {
  changePin,
  decrypt,
  deleteObjects,
  encrypt,
  finalizeAllModules,
  findSystemModules,
  generateKey,
  importKey,
  initUserPin,
  listObjects,
  listTokens,
  openModule,
  readCertificate,
  sign,
  verify,
  withTokenSession,
  writeCertificate,
  watchTokens,
  x509Signer,
  type Pkcs11Module,
  type TokenEvent,
} from '../../../main/tokens/pkcs11/index.js';
import { SoftHsm } from '../softhsm.js';

const PIN = '123456';
const SO_PIN = '87654321';

describe('PKCS#11 on SoftHSM2', () => {
  let hsm: SoftHsm;
  let modules: Pkcs11Module[];
  let dirA: string;
  let dirB: string;

  beforeAll(() => {
    hsm = new SoftHsm();
    dirA = hsm.initToken('alpha', PIN, SO_PIN);
    dirB = hsm.initToken('beta', PIN, SO_PIN);
    modules = [openModule(hsm.module)];
  });
  afterAll(() => {
    finalizeAllModules();
    hsm.dispose();
  });

  const onA = <T>(fn: Parameters<typeof withTokenSession<T>>[3], pin = PIN) =>
    withTokenSession(modules, { label: 'alpha' }, { pin }, fn);

  it('finds the module on the system and lists both tokens with their details', () => {
    expect(findSystemModules()).toContain(hsm.module);
    const tokens = listTokens(modules, { mechanisms: true });
    expect(tokens.map((t) => t.label).sort()).toEqual(['alpha', 'beta']);
    const a = tokens.find((t) => t.label === 'alpha')!;
    expect(a.manufacturer).toBe('SoftHSM project');
    expect(a.model).toBe('SoftHSM v2');
    expect(a.serialNumber).toMatch(/^[0-9a-f]{16}$/);
    expect(a.flags).toContain('LOGIN_REQUIRED');
    expect(a.mechanisms!.find((m) => m.name === 'AES_KEY_WRAP_PAD')?.flags).toEqual(
      expect.arrayContaining(['wrap', 'unwrap']),
    );
    // --slot N picks the same token.
    expect(listTokens(modules).find((t) => t.slotId === a.slotId)?.label).toBe('alpha');
  });

  it('generates AES, RSA and EC keys that are sensitive and non-extractable by default, and uses them', async () => {
    await onA((s) => {
      const [aes] = generateKey(s, { algorithm: 'AES', label: 'aes1' });
      expect(aes).toMatchObject({
        objectClass: 'SecretKey',
        keyType: 'AES',
        bits: 256,
        sensitive: true,
        extractable: false,
      });
      const [rsa, rsaPub] = generateKey(s, { algorithm: 'RSA', length: 2048, label: 'rsa1' });
      expect(rsa).toMatchObject({
        objectClass: 'PrivateKey',
        keyType: 'RSA',
        bits: 2048,
        sensitive: true,
        extractable: false,
      });
      expect(rsaPub!.id).toBe(rsa!.id);
      const [ec] = generateKey(s, { algorithm: 'EC', curve: 'P-384', label: 'ec1' });
      expect(ec).toMatchObject({ keyType: 'EC', curve: 'P-384', bits: 384 });

      const iv = randomBytes(12);
      const ct = encrypt(s, { label: 'aes1' }, 'AES-GCM', Buffer.from('hello token'), iv);
      expect(Buffer.from(decrypt(s, { label: 'aes1' }, 'AES-GCM', ct, iv)).toString()).toBe('hello token');
      const data = Buffer.from('to be signed');
      for (const [label, mech] of [
        ['rsa1', 'RSA-PKCS1-SHA256'],
        ['rsa1', 'RSA-PSS-SHA256'],
        ['ec1', 'ECDSA-SHA384'],
      ] as const) {
        const sig = sign(s, { label }, mech, data);
        expect(verify(s, { label }, mech, data, sig)).toBe(true);
        expect(verify(s, { label }, mech, Buffer.from('tampered'), sig)).toBe(false);
      }
      const oaepCt = encrypt(s, { label: 'rsa1' }, 'RSA-OAEP-SHA1', Buffer.from('secret'));
      expect(Buffer.from(decrypt(s, { label: 'rsa1' }, 'RSA-OAEP-SHA1', oaepCt)).toString()).toBe('secret');
    });
  });

  it('imports raw AES and PKCS#8 RSA/EC keys; signatures verify with the original public key', async () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const data = Buffer.from('imported');
    await onA((s) => {
      importKey(s, { kind: 'secret', keyType: 'AES', value: randomBytes(32) }, { label: 'imp-aes' });
      const [priv] = importKey(
        s,
        { kind: 'pkcs8', der: rsa.privateKey.export({ format: 'der', type: 'pkcs8' }) },
        { label: 'imp-rsa' },
      );
      expect(priv).toMatchObject({ keyType: 'RSA', bits: 2048, extractable: false });
      const rsaSig = sign(s, { label: 'imp-rsa' }, 'RSA-PKCS1-SHA256', data);
      expect(createVerify('sha256').update(data).verify(rsa.publicKey, rsaSig)).toBe(true);
      importKey(s, { kind: 'pkcs8', der: ec.privateKey.export({ format: 'der', type: 'pkcs8' }) }, { label: 'imp-ec' });
      const raw = Buffer.from(sign(s, { label: 'imp-ec' }, 'ECDSA-SHA256', data));
      expect(createVerify('sha256').update(data).verify({ key: ec.publicKey, dsaEncoding: 'ieee-p1363' }, raw)).toBe(
        true,
      );
      expect(verify(s, { label: 'imp-ec', objectClass: 'PublicKey' }, 'ECDSA-SHA256', data, raw)).toBe(true);
    });
  });

  it('asks for the PIN again for a CKA_ALWAYS_AUTHENTICATE key (context-specific login)', async () => {
    await onA((s) => {
      generateKey(s, { algorithm: 'EC', label: 'always', alwaysAuthenticate: true });
      const objs = listObjects(s, { label: 'always', objectClass: 'PrivateKey' });
      expect(objs[0]!.alwaysAuthenticate).toBe(true);
      const sig = sign(s, { label: 'always' }, 'ECDSA-SHA256', Buffer.from('x'));
      expect(verify(s, { label: 'always' }, 'ECDSA-SHA256', Buffer.from('x'), sig)).toBe(true);
    });
  });

  it('writes a certificate and deletes objects', async () => {
    const dir = hsm.dir;
    const { execFileSync } = await import('node:child_process');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-subj',
        '/CN=keyhold-test',
        '-days',
        '2',
        '-keyout',
        join(dir, 'k.pem'),
        '-outform',
        'DER',
        '-out',
        join(dir, 'c.der'),
      ],
      { stdio: 'pipe' },
    );
    const der = readFileSync(join(dir, 'c.der'));
    await onA((s) => {
      writeCertificate(s, der, 'cert1', 'c0ffee');
      expect(Buffer.from(readCertificate(s, { label: 'cert1' })).equals(der)).toBe(true);
      expect(deleteObjects(s, { label: 'cert1' })).toBe(1);
      expect(listObjects(s, { label: 'cert1' })).toEqual([]);
    });
    // pkcs11-tool sees objects Keyhold wrote.
    await onA((s) => void writeCertificate(s, der, 'cert2', 'beef'));
    expect(hsm.pkcs11Tool(['--token-label', 'alpha', '--list-objects', '--type', 'cert'])).toContain('cert2');
    writeFileSync(join(dir, 'unused'), '');
  });

  it('refuses a wrong PIN with "incorrect PIN", refuses a locked PIN, and the SO resets it', async () => {
    const wrong = withTokenSession(modules, { label: 'beta' }, { pin: '000000' }, () => 1);
    await expect(wrong).rejects.toThrow(/incorrect PIN/);
    await expect(wrong).rejects.toMatchObject({ code: 'token' });
    await expect(wrong).rejects.not.toThrow(/000000/);
    hsm.lockUserPin(dirB);
    finalizeAllModules();
    expect(listTokens(modules).find((t) => t.label === 'beta')?.flags).toContain('USER_PIN_LOCKED');
    // Even the right PIN is not sent while the token says the PIN is locked.
    await expect(withTokenSession(modules, { label: 'beta' }, { pin: PIN }, () => 1)).rejects.toThrow(
      /PIN of token "beta" is locked.*security officer must reset it/,
    );
    await initUserPin(modules, { label: 'beta' }, SO_PIN, '222222');
    await expect(withTokenSession(modules, { label: 'beta' }, { pin: '222222' }, () => 'ok')).resolves.toBe('ok');
    await changePin(modules, { label: 'beta' }, '222222', PIN);
    await expect(withTokenSession(modules, { label: 'beta' }, { pin: PIN }, () => 'ok')).resolves.toBe('ok');
    await expect(withTokenSession(modules, { label: 'beta' }, { pin: '222222' }, () => 'ok')).rejects.toThrow(
      /incorrect PIN/,
    );
  });

  it('gives a clear error when the token is removed mid-operation, and works again once re-inserted', async () => {
    await onA((s) => void generateKey(s, { algorithm: 'AES', label: 'before-removal' }));
    const attempt = onA((s) => {
      hsm.removeToken(dirA);
      generateKey(s, { algorithm: 'AES', label: 'during-removal' });
    });
    await expect(attempt).rejects.toThrow(/removed|no token/);
    await expect(onA(() => 1)).rejects.toThrow(/no token labelled "alpha" is present/);
    hsm.reinsertToken(dirA);
    const labels = await onA((s) => listObjects(s, { objectClass: 'SecretKey' }).map((o) => o.label));
    expect(labels).toContain('before-removal');
    expect(labels).not.toContain('during-removal');
  });

  it('gives a clear error when the module is finalized mid-operation', async () => {
    const attempt = onA((s) => {
      s.module.reset();
      return listObjects(s);
    });
    await expect(attempt).rejects.toThrow(KeyholdError);
    await expect(onA((s) => listObjects(s).length)).resolves.toBeGreaterThan(0);
  });

  it('reads keys pkcs11-tool generated', async () => {
    hsm.pkcs11Tool([
      '--token-label',
      'beta',
      '--login',
      '--pin',
      PIN,
      '--keypairgen',
      '--key-type',
      'EC:prime256v1',
      '--label',
      'from-opensc',
      '--id',
      'a1b2',
    ]);
    const objs = await withTokenSession(modules, { label: 'beta' }, { pin: PIN }, (s) =>
      listObjects(s, { label: 'from-opensc' }),
    );
    expect(objs.map((o) => o.objectClass).sort()).toEqual(['PrivateKey', 'PublicKey']);
    expect(objs[0]).toMatchObject({ id: 'a1b2', keyType: 'EC', curve: 'P-256' });
    const pub = await withTokenSession(modules, { label: 'beta' }, { pin: PIN }, (s) => {
      const sig = sign(s, { label: 'from-opensc' }, 'ECDSA-SHA256', Buffer.from('m'));
      return verify(s, { label: 'from-opensc' }, 'ECDSA-SHA256', Buffer.from('m'), sig);
    });
    expect(pub).toBe(true);
    void createPublicKey;
  });

  it('signs in X.509 encoding (DER ECDSA) so a CSR or certificate can be signed by a token key', async () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const tbs = Buffer.from('to-be-signed certificate request info');
    const [ecSig, rsaSig] = await onA((s) => {
      importKey(s, { kind: 'pkcs8', der: ec.privateKey.export({ format: 'der', type: 'pkcs8' }) }, { label: 'csr-ec' });
      importKey(
        s,
        { kind: 'pkcs8', der: rsa.privateKey.export({ format: 'der', type: 'pkcs8' }) },
        { label: 'csr-rsa' },
      );
      return [
        x509Signer(s, { label: 'csr-ec' }, 'ECDSA-SHA256')(tbs),
        x509Signer(s, { label: 'csr-rsa' }, 'RSA-PKCS1-SHA256')(tbs),
      ];
    });
    expect(ecSig![0]).toBe(0x30);
    expect(createVerify('sha256').update(tbs).verify(ec.publicKey, Buffer.from(ecSig!))).toBe(true);
    expect(createVerify('sha256').update(tbs).verify(rsa.publicKey, Buffer.from(rsaSig!))).toBe(true);
  });

  it('watches for tokens being inserted and removed', async () => {
    const events: TokenEvent[] = [];
    const watcher = watchTokens(modules, (e) => events.push(e), { intervalMs: 60_000 });
    try {
      expect(watcher.present.map((t) => t.label)).toContain('alpha');
      const dir = hsm.initToken('gamma', PIN, SO_PIN);
      expect(watcher.poll().map((e) => [e.type, e.token.label])).toEqual([['inserted', 'gamma']]);
      hsm.removeToken(dir);
      expect(watcher.poll().map((e) => [e.type, e.token.label])).toEqual([['removed', 'gamma']]);
      hsm.reinsertToken(dir);
      expect(watcher.poll().map((e) => [e.type, e.token.label])).toEqual([['inserted', 'gamma']]);
      expect(watcher.poll()).toEqual([]);
      expect(events.map((e) => e.type)).toEqual(['inserted', 'removed', 'inserted']);
    } finally {
      watcher.stop();
    }
  });
});
