import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../main/api/handlers.js';
import type { Engine } from '../../main/api/handlers.js';
import { createRouter } from '../../main/api/router.js';
import type { Router } from '../../main/api/router.js';
import type { Result, TokenList, TokenObject, VaultSlot } from '../../shared/api/index.js';
import { SoftHsm } from '../tokens/softhsm.js';
import { SwTpm } from '../tokens/swtpm.js';

const PIN = '246810';
let dir: string;
let hsm: SoftHsm;
let tpm: SwTpm;
let engine: Engine;
let router: Router;
const previousTcti = process.env.KEYHOLD_TCTI;

function value<T>(r: Result<unknown>): T {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.value as T;
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'keyhold-api-tokens-'));
  hsm = new SoftHsm();
  hsm.initToken('Desk', PIN, '11223344');
  tpm = await SwTpm.start();
  process.env.KEYHOLD_TCTI = tpm.tcti;
  engine = createEngine({
    vaultPath: path.join(dir, 'v.kvault'),
    identity: 'console:test',
    sealOptions: { argon2: { memoryKiB: 1024, iterations: 1, parallelism: 1 } },
    settingsFile: path.join(dir, 'settings.json'),
  });
  router = createRouter(engine.handlers, 'http');
  value(await router.call('vault.create', { passphrase: 'correct horse battery' }));
}, 60_000);

afterAll(async () => {
  await engine.close();
  await tpm.stop();
  if (previousTcti === undefined) delete process.env.KEYHOLD_TCTI;
  else process.env.KEYHOLD_TCTI = previousTcti;
  hsm.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('token calls', () => {
  it('lists the SoftHSM2 module and the token the test made', async () => {
    const list = value<TokenList>(await router.call('tokens.list', {}));
    expect(list.modules.some((m) => m.path === hsm.module)).toBe(true);
    const desk = list.tokens.find((t) => t.label === 'Desk');
    expect(desk?.manufacturer).toMatch(/SoftHSM/);
    expect(desk?.flags).toContain('TOKEN_INITIALIZED');
  });

  it('generates an EC key on the token and lists it with the PIN', async () => {
    const made = value<TokenObject[]>(
      await router.call('tokens.generate', {
        label: 'Desk',
        pin: PIN,
        algorithm: 'EC',
        curve: 'P-256',
        name: 'sign-1',
      }),
    );
    expect(made.map((o) => o.objectClass).sort()).toEqual(['PrivateKey', 'PublicKey']);
    const objects = value<TokenObject[]>(await router.call('tokens.objects', { label: 'Desk', pin: PIN }));
    const priv = objects.find((o) => o.objectClass === 'PrivateKey' && o.label === 'sign-1');
    expect(priv?.keyType).toBe('EC');
    expect(priv?.sensitive).toBe(true);
    expect(priv?.extractable).toBe(false);
  });

  it('a wrong PIN is a token error saying so, and never echoes the PIN', async () => {
    const r = await router.call('tokens.objects', { label: 'Desk', pin: '999999' });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('token');
      expect(r.error.message).toMatch(/incorrect PIN/);
      expect(r.error.message).not.toContain('999999');
    }
  });

  it('rejects a request without a PIN at the schema', async () => {
    const r = await router.call('tokens.objects', { label: 'Desk' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('invalid-argument');
  });
});

describe('vault key slot calls', () => {
  it('adds a TPM slot bound to PCR 7 and a token slot, lists and removes them', async () => {
    const before = value<VaultSlot[]>(await router.call('vault.slots.list', {}));
    expect(before.map((s) => s.kind)).toEqual(['passphrase']);
    const tpmSlot = value<VaultSlot>(await router.call('vault.slots.addTpm', { pcrs: [7] }));
    expect(tpmSlot.kind).toBe('tpm');
    expect(tpmSlot.detail).toBe('TPM, bound to PCR 7');
    const tokenSlot = value<VaultSlot>(await router.call('vault.slots.addToken', { label: 'Desk', pin: PIN }));
    expect(tokenSlot.kind).toBe('pkcs11');
    expect(tokenSlot.detail).toBe('token “Desk”');
    const all = value<VaultSlot[]>(await router.call('vault.slots.list', {}));
    expect(all.map((s) => s.kind)).toEqual(['passphrase', 'tpm', 'pkcs11']);
    const after = value<VaultSlot[]>(await router.call('vault.slots.remove', { id: tokenSlot.id }));
    expect(after.map((s) => s.id)).toEqual([before[0]!.id, tpmSlot.id]);
  }, 60_000);

  it('says "No TPM found" when the TCTI answers nothing', async () => {
    const r = await router.call('vault.slots.addTpm', { tcti: 'swtpm:host=127.0.0.1,port=1' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toMatch(/^No TPM found/);
  }, 60_000);

  it('needs an unlocked vault', async () => {
    value(await router.call('vault.lock', {}));
    const r = await router.call('vault.slots.list', {});
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('vault-locked');
  });
});
