/**
 * The Tokens screen and Settings › Unlock methods end to end in Chromium, over a SoftHSM2 token
 * and a swtpm this test starts: see the token, list its objects with the PIN, generate an EC key
 * on it, then add a TPM unlock slot (bound to PCR 7) through the wizard and see it listed.
 * Screenshots go to test-results/e2e/tokens-*.png.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { SoftHsm } from '../tokens/softhsm.js';
import { SwTpm } from '../tokens/swtpm.js';
import { shot, startSession } from './support.js';
import type { Session } from './support.js';

const PIN = '135790';
const passphrase = 'copper lantern 42 mossy-ridge';
let hsm: SoftHsm;
let tpm: SwTpm;
let s: Session;
let page: Page;
const previousTcti = process.env.KEYHOLD_TCTI;

beforeAll(async () => {
  hsm = new SoftHsm();
  hsm.initToken('Office Key', PIN, '97531864');
  tpm = await SwTpm.start();
  process.env.KEYHOLD_TCTI = tpm.tcti;
  s = await startSession();
  page = s.page;
}, 120_000);

afterAll(async () => {
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

  it('looks right in the dark theme too', async () => {
    await page.getByRole('button', { name: 'Switch to dark theme' }).click();
    await shot(page, 'tokens-unlock-methods-dark');
    await nav('Tokens');
    await page.getByRole('list', { name: 'Tokens present' }).waitFor();
    await shot(page, 'tokens-list-dark');
  });
});
