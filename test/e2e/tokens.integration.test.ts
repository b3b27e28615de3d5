/**
 * The Tokens screen and Settings › Unlock methods end to end in Chromium, over a SoftHSM2 token
 * and a swtpm this test starts: see the token, list its objects with the PIN, generate an EC key
 * on it, put a vault key on it (pkcs11-tool sees it), back the vault up (a download and a copy on
 * the token), restore another vault's backup file and the on-token copy into the vault, delete an
 * object, change the PIN (a wrong current PIN first), then add a TPM unlock slot (bound to PCR 7)
 * through the wizard and see it listed. Screenshots go to test-results/e2e/tokens-*.png.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { createEngine } from '../../main/api/handlers.js';
import type { Engine } from '../../main/api/handlers.js';
import { createRouter } from '../../main/api/router.js';
import { finalizeAllModules } from '../../main/tokens/pkcs11/index.js';
import type { CreatedObjects, Result, TokenBackup } from '../../shared/api/index.js';
import { SoftHsm } from '../tokens/softhsm.js';
import { SwTpm } from '../tokens/swtpm.js';
import { shot, startSession } from './support.js';
import type { Session } from './support.js';

const PIN = '135790';
const NEW_PIN = '24680135';
const SO_PIN = '97531864';
const passphrase = 'copper lantern 42 mossy-ridge';
let hsm: SoftHsm;
let tokenDir: string;
let tpm: SwTpm;
let s: Session;
let page: Page;
let other: Engine | undefined;
let otherDir: string;
const previousTcti = process.env.KEYHOLD_TCTI;

function value<T>(r: Result<unknown>): T {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.value as T;
}

beforeAll(async () => {
  hsm = new SoftHsm();
  tokenDir = hsm.initToken('Office Key', PIN, SO_PIN);
  tpm = await SwTpm.start();
  process.env.KEYHOLD_TCTI = tpm.tcti;
  s = await startSession();
  page = s.page;
}, 120_000);

afterAll(async () => {
  await other?.close();
  if (otherDir) rmSync(otherDir, { recursive: true, force: true });
  await s?.close();
  await tpm?.stop();
  hsm?.dispose();
  if (previousTcti === undefined) delete process.env.KEYHOLD_TCTI;
  else process.env.KEYHOLD_TCTI = previousTcti;
});

function nav(name: string) {
  return page
    .getByRole('navigation', { name: 'Sections' })
    .getByRole('button', { name: new RegExp(`^${name}`) })
    .click();
}

describe('tokens and unlock methods in Chromium', () => {
  it('creates the vault', async () => {
    await page.goto(s.console.url);
    await page.getByRole('heading', { name: 'Create your vault' }).waitFor();
    await page.getByLabel('Passphrase', { exact: true }).fill(passphrase);
    await page.getByLabel('Confirm passphrase').fill(passphrase);
    await page.getByRole('button', { name: 'Create vault' }).click();
    await page.getByRole('heading', { name: 'The vault is empty' }).waitFor();
  });

  it('shows the SoftHSM2 token on the Tokens screen', async () => {
    await nav('Tokens');
    const tokens = page.getByRole('list', { name: 'Tokens present' });
    await tokens.getByRole('heading', { name: 'Office Key' }).waitFor();
    expect(await tokens.textContent()).toMatch(/SoftHSM/);
    await shot(page, 'tokens-list');
  });

  it('says "Wrong PIN" for a wrong PIN, then lists the objects with the right one', async () => {
    await page.getByRole('button', { name: 'Open token Office Key' }).click();
    await page.getByLabel('User PIN').fill('000000');
    await page.getByRole('button', { name: 'Show objects' }).click();
    await page.getByRole('alert').filter({ hasText: 'Wrong PIN.' }).waitFor();
    await page.getByText('PIN: few tries left').waitFor();
    await shot(page, 'tokens-wrong-pin');
    await page.getByLabel('User PIN').fill(PIN);
    await page.getByRole('button', { name: 'Show objects' }).click();
    await page.getByRole('heading', { name: 'On “Office Key”' }).waitFor();
    await page.getByText('No keys, certificates or data objects on this token yet.').waitFor();
    expect(await page.getByRole('alert').count()).toBe(0);
    await page.getByText('PIN: few tries left').waitFor({ state: 'detached' });
  });

  it('generates an EC P-384 key on the token through a review step and lists it', async () => {
    await page.getByRole('button', { name: 'Generate key on token…' }).click();
    await page.getByLabel('Name on the token').fill('code-signing');
    await page.getByLabel('Algorithm').selectOption('EC');
    await page.getByLabel('Curve').selectOption('P-384');
    await page.getByRole('button', { name: 'Review…' }).click();
    await page.getByRole('heading', { name: 'Review: generate on “Office Key”' }).waitFor();
    expect(await page.locator('dl.review').textContent()).toMatch(/EC P-384/);
    await shot(page, 'tokens-generate-review');
    await page.getByRole('button', { name: 'Generate on token' }).click();
    const table = page.getByRole('table', { name: 'Objects on the token' });
    await table.getByRole('row', { name: /code-signing.*Private key.*EC/ }).waitFor();
    await table.getByRole('row', { name: /code-signing.*Public key.*EC/ }).waitFor();
    expect(await table.getByRole('row', { name: /Private key/ }).textContent()).toMatch(/stays on token/);
    await shot(page, 'tokens-objects');
  });

  it('puts a vault key on the token through a review step; pkcs11-tool sees it', async () => {
    const made = await s.engine!.handlers['keys.generate']!({
      kind: 'SymmetricKey',
      algorithm: 'AES',
      cryptographicLength: 256,
      usageMask: ['Encrypt', 'Decrypt'],
      name: 'payroll-db',
      location: 'vault',
    });
    const uid = made.uniqueIdentifiers[0]!;
    await page.getByRole('button', { name: 'Put vault key on token…' }).click();
    await page.getByLabel('Vault key', { exact: true }).selectOption(uid);
    await page.getByRole('button', { name: 'Review…' }).click();
    const review = page.locator('dl.review');
    await review.waitFor();
    expect(await review.textContent()).toMatch(/payroll-db.*Symmetric key, AES 256.*Office Key.*not extractable/s);
    await page.getByRole('heading', { name: 'Put a vault key on “Office Key”' }).scrollIntoViewIfNeeded();
    await shot(page, 'tokens-import-review');
    await page.getByRole('button', { name: 'Put on token' }).click();
    await page.getByRole('status').filter({ hasText: 'Key put on the token.' }).waitFor();
    const table = page.getByRole('table', { name: 'Objects on the token' });
    await table.getByRole('row', { name: /payroll-db.*Secret key.*AES 256 bits/ }).waitFor();
    const listed = hsm.pkcs11Tool(['--token-label', 'Office Key', '--login', '--pin', PIN, '--list-objects']);
    expect(listed).toMatch(/Secret Key Object; AES length 32/);
    expect(listed).toContain('payroll-db');
  });

  it('backs the vault up to the token: a download and a copy on the token', async () => {
    await page.getByRole('button', { name: 'Back up vault…' }).click();
    await page.getByText('Every object in the vault').waitFor();
    await page.getByLabel('Also keep a copy on the token (a private data object)').check();
    await page.getByLabel('Name of the copy on the token').fill('nightly');
    await page.getByRole('button', { name: 'Review…' }).click();
    expect(await page.locator('dl.review').textContent()).toMatch(/Every object in the vault \(1\).*“nightly”/s);
    await page.getByRole('heading', { name: 'Back up vault keys to “Office Key”' }).scrollIntoViewIfNeeded();
    await shot(page, 'tokens-backup-review');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Back up', exact: true }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^keyhold-token-backup-Office-Key-\d{4}-\d\d-\d\d\.json$/);
    const file = path.join(s.dir, 'backup.json');
    await download.saveAs(file);
    const json = JSON.parse(readFileSync(file, 'utf8')) as { format: string; entries: { wrappedKey?: string }[] };
    expect(json.format).toBe('keyhold-token-backup');
    expect(json.entries).toHaveLength(1);
    expect(json.entries[0]?.wrappedKey).toBeDefined();
    await page.getByRole('status').filter({ hasText: 'Backed up 1 object.' }).waitFor();
    await shot(page, 'tokens-backup-done');
    await page.getByRole('button', { name: 'Done' }).click();
    const table = page.getByRole('table', { name: 'Objects on the token' });
    await table.getByRole('row', { name: /keyhold-kek.*Secret key/ }).waitFor();
    await table.getByRole('row', { name: /nightly.*Data/ }).waitFor();
  });

  it('restores another vault’s backup file (same token) into this vault', async () => {
    // Another vault backs two keys up to the same token's KEK: the file a colleague hands over.
    otherDir = mkdtempSync(path.join(os.tmpdir(), 'keyhold-e2e-other-'));
    other = createEngine({
      vaultPath: path.join(otherDir, 'other.kvault'),
      identity: 'console:other',
      sealOptions: { argon2: { memoryKiB: 1024, iterations: 1, parallelism: 1 } },
      settingsFile: path.join(otherDir, 'settings.json'),
    });
    const router = createRouter(other.handlers, 'http');
    value(await router.call('vault.create', { passphrase: 'another vault passphrase' }));
    const ids: string[] = [];
    for (const name of ['backup-db', 'backup-files'])
      ids.push(
        value<CreatedObjects>(
          await router.call('keys.generate', {
            kind: 'SymmetricKey',
            algorithm: 'AES',
            cryptographicLength: 256,
            usageMask: ['Encrypt', 'Decrypt'],
            name,
            location: 'vault',
          }),
        ).uniqueIdentifiers[0]!,
      );
    const b = value<TokenBackup>(
      await router.call('tokens.backup', { label: 'Office Key', pin: PIN, uniqueIdentifiers: [] }),
    );
    const file = path.join(s.dir, b.file.fileName);
    writeFileSync(file, Buffer.from(b.file.data, 'base64'));

    await page.getByRole('button', { name: 'Restore backup…' }).click();
    await page.getByLabel('Backup file', { exact: true }).setInputFiles(file);
    await page.getByRole('button', { name: 'Review…' }).click();
    expect(await page.locator('dl.review').textContent()).toMatch(/Made with tokenOffice Key.*Objects2/s);
    await page.getByRole('heading', { name: 'Restore a backup with “Office Key”' }).scrollIntoViewIfNeeded();
    await shot(page, 'tokens-restore-review');
    await page.getByRole('button', { name: 'Restore into the vault' }).click();
    await page.getByRole('status').filter({ hasText: 'Restored 2 objects.' }).waitFor();
    await shot(page, 'tokens-restore-done');
    await page.getByRole('button', { name: 'Done' }).click();
    const vault = s.engine!.session.vault();
    for (const id of ids) expect((await vault.getObject(id)).uniqueIdentifier).toBe(id);
  });

  it('restores the copy kept on the token: what the vault has is left as it is', async () => {
    await page.getByRole('button', { name: 'Restore backup…' }).click();
    await page.getByText('1 on it').waitFor();
    await page.getByLabel('A backup kept on this token').check();
    await page.getByLabel('Backup on the token', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Review…' }).click();
    expect(await page.locator('dl.review').textContent()).toMatch(/“nightly”, kept on “Office Key”/);
    await page.getByRole('button', { name: 'Restore into the vault' }).click();
    await page.getByRole('status').filter({ hasText: '1 already in the vault were left as they are.' }).waitFor();
    await page.getByRole('button', { name: 'Done' }).click();
  });

  it('deletes the data object after a confirmation', async () => {
    const table = page.getByRole('table', { name: 'Objects on the token' });
    await page.getByRole('button', { name: 'Delete data object nightly' }).click();
    await shot(page, 'tokens-delete-confirm');
    await page.getByRole('button', { name: 'Confirm delete data object nightly' }).click();
    await table.getByRole('row', { name: /nightly/ }).waitFor({ state: 'detached' });
    await table.getByRole('row', { name: /payroll-db/ }).waitFor();
  });

  it('changes the PIN: a wrong current PIN says so, then the new PIN opens the token', async () => {
    await page.getByRole('button', { name: 'Change the PIN of Office Key' }).click();
    await page.getByLabel('Current PIN', { exact: true }).fill('000000');
    await page.getByLabel('New PIN', { exact: true }).fill(NEW_PIN);
    await page.getByLabel('New PIN again').fill(NEW_PIN);
    await page.getByRole('button', { name: 'Review…' }).click();
    await page.getByRole('button', { name: 'Change PIN' }).click();
    await page.getByRole('alert').filter({ hasText: 'Wrong PIN.' }).waitFor();
    // Every PIN field is cleared after the call.
    expect(await page.getByLabel('Current PIN', { exact: true }).inputValue()).toBe('');
    expect(await page.getByLabel('New PIN', { exact: true }).inputValue()).toBe('');
    await page.getByLabel('Current PIN', { exact: true }).fill(PIN);
    await page.getByLabel('New PIN', { exact: true }).fill(NEW_PIN);
    await page.getByLabel('New PIN again').fill('1');
    await page.getByText('The two new PINs differ.').waitFor();
    await page.getByLabel('New PIN again').fill(NEW_PIN);
    await page.getByRole('button', { name: 'Review…' }).click();
    await page.getByRole('heading', { name: 'Change the PIN of “Office Key”' }).scrollIntoViewIfNeeded();
    await shot(page, 'tokens-pin-review');
    await page.getByRole('button', { name: 'Change PIN' }).click();
    await page.getByRole('status').filter({ hasText: 'PIN changed.' }).waitFor();
    // The opened token closed (its PIN was the old one); the new PIN opens it.
    await page.getByRole('heading', { name: 'On “Office Key”' }).waitFor({ state: 'detached' });
    expect(() => hsm.pkcs11Tool(['--token-label', 'Office Key', '--login', '--pin', PIN, '--list-objects'])).toThrow();
    expect(hsm.pkcs11Tool(['--token-label', 'Office Key', '--login', '--pin', NEW_PIN, '--list-objects'])).toContain(
      'payroll-db',
    );
    await page.getByRole('button', { name: 'Open token Office Key' }).click();
    await page.getByLabel('User PIN').fill(NEW_PIN);
    await page.getByRole('button', { name: 'Show objects' }).click();
    await page.getByRole('heading', { name: 'On “Office Key”' }).waitFor();
    expect(await page.getByRole('alert').count()).toBe(0);
  });

  it('a removed token says so in words, and works again once re-inserted', async () => {
    hsm.removeToken(tokenDir);
    try {
      await page.getByRole('button', { name: 'Back up vault…' }).click();
      await page.getByRole('button', { name: 'Review…' }).click();
      await page.getByRole('button', { name: 'Back up', exact: true }).click();
      await page.getByRole('alert').filter({ hasText: 'The token is not there.' }).waitFor();
      expect(await page.getByRole('alert').textContent()).toMatch(/Insert the token/);
      await shot(page, 'tokens-removed');
    } finally {
      hsm.reinsertToken(tokenDir);
    }
    await page.getByRole('button', { name: 'Review…' }).click();
    await page.getByRole('button', { name: 'Back up', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Backed up 3 objects.' }).waitFor();
    expect(await page.getByRole('alert').count()).toBe(0);
    await page.getByRole('button', { name: 'Done' }).click();
  });

  it('a locked PIN is shown, refused in words, and the security officer sets a new one', async () => {
    await page.getByRole('button', { name: 'Close token' }).click();
    hsm.lockUserPin(tokenDir);
    finalizeAllModules();
    await page.getByRole('button', { name: 'Refresh' }).click();
    await page.getByRole('list', { name: 'Tokens present' }).getByText('PIN locked').waitFor();
    await page.getByRole('button', { name: 'Open token Office Key' }).click();
    await page.getByLabel('User PIN').fill(NEW_PIN);
    await page.getByRole('button', { name: 'Show objects' }).click();
    await page.getByRole('alert').filter({ hasText: 'The token’s PIN is locked.' }).waitFor();
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('button', { name: 'Change the PIN of Office Key' }).click();
    await page.getByText('The user PIN is locked.').waitFor();
    expect(await page.getByRole('radio', { name: /I know the current PIN/ }).isDisabled()).toBe(true);
    expect(await page.getByRole('radio', { name: /Security officer/ }).isChecked()).toBe(true);
    await page.getByLabel('SO PIN', { exact: true }).fill(SO_PIN);
    await page.getByLabel('New PIN', { exact: true }).fill(NEW_PIN);
    await page.getByLabel('New PIN again').fill(NEW_PIN);
    await page.getByRole('heading', { name: 'Change the PIN of “Office Key”' }).scrollIntoViewIfNeeded();
    await shot(page, 'tokens-pin-locked');
    await page.getByRole('button', { name: 'Review…' }).click();
    expect(await page.locator('dl.review').textContent()).toMatch(/set by the security officer/);
    await page.getByRole('button', { name: 'Change PIN' }).click();
    await page.getByRole('status').filter({ hasText: 'PIN changed.' }).waitFor();
    finalizeAllModules();
    await page.getByRole('button', { name: 'Refresh' }).click();
    await page.getByRole('list', { name: 'Tokens present' }).getByText('PIN locked').waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Open token Office Key' }).click();
    await page.getByLabel('User PIN').fill(NEW_PIN);
    await page.getByRole('button', { name: 'Show objects' }).click();
    await page.getByRole('heading', { name: 'On “Office Key”' }).waitFor();
  });

  it('adds a TPM unlock slot bound to PCR 7 through the wizard', async () => {
    await nav('Settings');
    const slots = page.getByRole('table', { name: 'Key slots' });
    await slots.getByRole('row', { name: /Passphrase/ }).waitFor();
    expect(await slots.getByRole('row').count()).toBe(2);
    await page.getByRole('button', { name: 'Unlock with this computer’s TPM…' }).click();
    await page.getByLabel('Also bind to the Secure Boot state (PCR 7)').check();
    await page.getByRole('button', { name: 'Review…' }).click();
    await page.getByText('PCR 7 (Secure Boot state)').waitFor();
    await shot(page, 'tokens-tpm-review');
    await page.getByRole('button', { name: 'Add TPM unlock' }).click();
    await slots.getByRole('row', { name: /TPM.*bound to PCR 7/ }).waitFor();
    expect(await slots.getByRole('row').count()).toBe(3);
    await page.getByRole('status').filter({ hasText: 'TPM unlock added.' }).waitFor();
    await shot(page, 'tokens-unlock-methods');
    const list = await s.engine!.session.vault().listSlots();
    expect(list.map((x) => x.kind)).toEqual(['passphrase', 'tpm']);
    expect(list[1]?.params['pcrs']).toEqual(['7']);
  });

  it('adds a token unlock slot through the wizard (the shared token picker and PIN field)', async () => {
    const slots = page.getByRole('table', { name: 'Key slots' });
    await page.getByRole('button', { name: 'Unlock with a token…' }).click();
    await page.getByLabel('Token', { exact: true }).selectOption('Office Key');
    await page.getByLabel('Token PIN').fill(NEW_PIN);
    await page.getByRole('button', { name: 'Review…' }).click();
    await page.getByText('A key on token “Office Key”').waitFor();
    await shot(page, 'tokens-token-unlock-review');
    await page.getByRole('button', { name: 'Add token unlock' }).click();
    await slots.getByRole('row', { name: /Token.*token “Office Key”/ }).waitFor();
    await page.getByRole('status').filter({ hasText: 'Token unlock added.' }).waitFor();
    const list = await s.engine!.session.vault().listSlots();
    expect(list.map((x) => x.kind)).toEqual(['passphrase', 'tpm', 'pkcs11']);
  });

  it('looks right in the dark theme too', async () => {
    await page.getByRole('button', { name: 'Switch to dark theme' }).click();
    await shot(page, 'tokens-unlock-methods-dark');
    await nav('Tokens');
    await page.getByRole('list', { name: 'Tokens present' }).waitFor();
    await shot(page, 'tokens-list-dark');
    await page.getByRole('button', { name: 'Open token Office Key' }).click();
    await page.getByLabel('User PIN').fill(NEW_PIN);
    await page.getByRole('button', { name: 'Show objects' }).click();
    await page
      .getByRole('table', { name: 'Objects on the token' })
      .getByRole('row', { name: /payroll-db/ })
      .waitFor();
    await shot(page, 'tokens-objects-dark');
    await page.getByRole('button', { name: 'Back up vault…' }).click();
    await page.getByLabel('Chosen objects').check();
    await page
      .getByRole('group', { name: 'Objects to back up' })
      .getByLabel(/payroll-db/)
      .check();
    await page.getByRole('heading', { name: 'Back up vault keys to “Office Key”' }).scrollIntoViewIfNeeded();
    await shot(page, 'tokens-backup-dark');
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('button', { name: 'Change the PIN of Office Key' }).click();
    await page.getByRole('heading', { name: 'Change the PIN of “Office Key”' }).scrollIntoViewIfNeeded();
    await shot(page, 'tokens-pin-dark');
  });
});
