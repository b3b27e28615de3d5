/**
 * The web console end to end in Chromium: create a vault, generate an AES key and an EC key
 * pair, make a CSR and sign it with the local CA where the engine has them, lock and unlock,
 * see the audit chain verify. Screenshots of each screen go to test-results/e2e/.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { KmipClient } from '../../main/client/kmip-client.js';
import { queryAs } from '../api/support/kmip-bundle.js';
import { shot, startSession } from './support.js';
import type { Session } from './support.js';

let s: Session;
let page: Page;
const passphrase = 'violet anchor 7 tundra-lamp';
const credentialPassword = 'amber quarry 59 velvet';
const newCredentialPassword = 'second harbor 61 pebble';
let vcenter: { cert: string; key: string; ca: string; port: number };

/** One Query from Keyhold's own KMIP client as vcenter: 'Success', or the result reason it was refused with. */
const kmipQuery = (credential?: { username: string; password: string }): Promise<string> =>
  queryAs(vcenter, credential);

beforeAll(async () => {
  s = await startSession();
  page = s.page;
});

afterAll(async () => {
  await s?.close();
});

function nav(name: string) {
  return page
    .getByRole('navigation', { name: 'Sections' })
    .getByRole('button', { name: new RegExp(`^${name}`) })
    .click();
}

async function supported(call: string): Promise<boolean> {
  const caps = await s.engine!.handlers;
  return call in caps;
}

async function generate(kind: RegExp, setup: () => Promise<void>, name: string, activation = /Active now/) {
  await nav('Generate key');
  await page.getByRole('radio', { name: kind }).check();
  await page.getByRole('button', { name: 'Next' }).click();
  await setup();
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByRole('radio', { name: activation }).check();
  await page.getByRole('button', { name: 'Next' }).click();
}

describe('web console in Chromium', () => {
  it('refuses the page without the token', async () => {
    const res = await page.goto(s.console.origin + '/');
    expect(res?.status()).toBe(401);
    expect(await page.textContent('body')).toMatch(/access token/);
  });

  it('creates a vault with a passphrase strength meter', async () => {
    await page.goto(s.console.url);
    await expect.poll(() => page.url()).toBe(s.console.origin + '/');
    await page.getByRole('heading', { name: 'Create your vault' }).waitFor();
    await page.getByLabel('Passphrase', { exact: true }).fill('password1');
    expect(await page.getByRole('meter', { name: 'Passphrase strength' }).getAttribute('aria-valuetext')).toBe(
      'Very weak',
    );
    await page.getByLabel('Passphrase', { exact: true }).fill(passphrase);
    await page.getByLabel('Confirm passphrase').fill(passphrase);
    await shot(page, '01-create-vault');
    await page.getByRole('button', { name: 'Create vault' }).click();
    await page.getByRole('heading', { name: 'The vault is empty' }).waitFor();
    await shot(page, '02-empty-vault');
  });

  it('generates an AES-256 key through the wizard with a review step', async () => {
    await generate(
      /Symmetric key/,
      async () => {
        await page.getByLabel('Algorithm').selectOption('AES');
        await page.getByLabel('Key size').selectOption('256');
      },
      'backup-encryption',
      /Pre-Active/,
    );
    await page.getByText('Check the key before it is created').waitFor();
    await shot(page, '03-key-review');
    await page.getByRole('button', { name: 'Generate key' }).last().click();
    await page.getByRole('heading', { name: 'Key created' }).waitFor();
    await page.getByRole('button', { name: 'Show in the vault' }).click();
    await page.getByTestId('object-count').filter({ hasText: '1 objects' }).waitFor();
  });

  it('generates an EC P-256 key pair', async () => {
    await generate(
      /Key pair/,
      async () => {
        await page.getByLabel('Algorithm').selectOption('EC');
        await page.getByLabel('Curve').selectOption('P256');
      },
      'web-server-tls',
    );
    await page.getByRole('button', { name: 'Generate key' }).last().click();
    await page.getByRole('heading', { name: 'Key created' }).waitFor();
    await page.getByRole('button', { name: 'Show in the vault' }).click();
    await page.getByTestId('object-count').filter({ hasText: '3 objects' }).waitFor();
    await page.getByRole('heading', { name: 'web-server-tls' }).waitFor();
    await shot(page, '04-object-browser');
  });

  it('shows the detail pane: links, lifecycle, audit', async () => {
    await page.getByRole('tab', { name: /Links/ }).click();
    await page.getByText('PublicKeyLink').waitFor();
    await page.getByRole('tab', { name: /Lifecycle/ }).click();
    await page.getByText('Activation', { exact: true }).waitFor();
    await shot(page, '05-detail-lifecycle');
    await page.getByRole('tab', { name: /Audit/ }).click();
    await page.getByText('CreateKeyPair').first().waitFor();
  });

  it('filters the list', async () => {
    await page.getByLabel('Search').fill('backup');
    await page.getByTestId('object-count').filter({ hasText: '1 of 3 objects' }).waitFor();
    await page.getByLabel('Search').fill('');
    await page.getByLabel('Type').selectOption('PublicKey');
    await page.getByTestId('object-count').filter({ hasText: '1 of 3 objects' }).waitFor();
    await page.getByRole('button', { name: 'Clear filters' }).click();
  });

  it('moves a key through its lifecycle from the detail pane', async () => {
    await page.getByRole('option', { name: /backup-encryption/ }).click();
    await page.getByRole('heading', { name: 'backup-encryption' }).waitFor();
    await page.locator('.detail-head .badge', { hasText: 'Pre-Active' }).waitFor();
    await page.getByRole('button', { name: 'Activate' }).click();
    await page.locator('.detail-head .badge', { hasText: /^Active$/ }).waitFor();
    await page.getByRole('tab', { name: /Lifecycle/ }).click();
    await page.getByText('Activation', { exact: true }).waitFor();
  });

  it('makes a CSR and signs it with the local CA, or says the engine part is missing', async () => {
    await nav('Certificate request');
    if (!(await supported('csr.create'))) {
      await page.getByRole('heading', { name: /not available in this build yet/ }).waitFor();
      await shot(page, '06-csr-unavailable');
      return;
    }
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByLabel('Common name (CN)').fill('www.example.com');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByLabel('Alternative name').fill('www.example.com');
    await page.getByRole('button', { name: 'Add' }).click();
    await page.getByRole('button', { name: 'Create request' }).click();
    await page.getByText('The request as a CA will read it').waitFor();
    await shot(page, '06-csr-review');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('button', { name: 'Sign with local CA' }).click();
    await page.getByText('Certificate issued by the local CA.').waitFor();
    await shot(page, '07-csr-signed');
  });

  it('inspects the issued certificate', async () => {
    await nav('Certificates');
    await page.getByRole('button', { name: /www\.example\.com/ }).click();
    await page.getByRole('heading', { name: 'CN=www.example.com' }).waitFor();
    await page.getByText('CN=www.example.com → CN=Keyhold Local CA').waitFor();
    await shot(page, '08-certificate');
  });

  it('exports the key pair with its certificate as PKCS#12', async () => {
    await nav('Vault');
    await page.getByRole('option', { name: /web-server-tls\s*Private key/ }).click();
    await page.getByLabel('Export format').selectOption('PKCS12');
    await page.getByLabel('File passphrase').fill('export passphrase 1');
    await shot(page, '09-export-pkcs12');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export…' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('web-server-tls.p12');
    const file = path.join(s.dir, 'out.p12');
    await download.saveAs(file);
    const certs = execFileSync('openssl', ['pkcs12', '-in', file, '-nokeys', '-passin', 'pass:export passphrase 1'], {
      encoding: 'utf8',
    });
    expect(certs.match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
  });

  it('starts the KMIP server, enrolls a client that connects, shows its connection and requests, stops', async () => {
    await nav('KMIP server');
    await page.getByText(/No client is enrolled yet/).waitFor();
    await page.getByLabel('Port').fill('0');
    await page.getByRole('button', { name: 'Start server' }).click();
    await page.getByText('Running', { exact: true }).waitFor();
    const port = Number((await page.getByLabel('Port').inputValue()).trim());
    expect(port).toBeGreaterThan(0);
    await page.getByLabel('New client name').fill('build-agent');
    await page.getByRole('button', { name: 'Next' }).click();
    // Focus follows the wizard's step (the pressed button is gone with its step): the next step's first field, or
    // on the review (no field) the wizard's title; never left on the page's body.
    const focused = () =>
      page.evaluate(() => {
        // The page's own globals: this test's tsconfig has no DOM types.
        interface Node {
          tagName: string;
          textContent: string | null;
          closest(selector: string): Node | null;
        }
        const a = (globalThis as unknown as { document: { activeElement: Node | null } }).document.activeElement;
        return a?.closest('label')?.textContent?.trim() ?? a?.textContent?.trim() ?? a?.tagName;
      });
    await expect.poll(focused).toMatch(/^Require a Credential/);
    await page.getByRole('button', { name: 'Review…' }).click();
    await page.getByText('Not required: the certificate alone').waitFor();
    await expect.poll(focused).toBe('Enroll a client');
    await page.getByRole('button', { name: 'Back' }).click();
    await expect.poll(focused).toMatch(/^Require a Credential/);
    await page.getByRole('button', { name: 'Review…' }).click();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Enroll and download bundle' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('build-agent-kmip-bundle.pem');
    const file = path.join(s.dir, 'bundle.pem');
    await download.saveAs(file);
    const pem = readFileSync(file, 'utf8');
    const certs = pem.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----\n/g) ?? [];
    const key = pem.match(/-----BEGIN PRIVATE KEY-----[^-]+-----END PRIVATE KEY-----\n/)?.[0];
    const client = await KmipClient.connect({ host: '127.0.0.1', port, cert: certs[0]!, key: key!, ca: certs[1]! });
    try {
      await client.query();
      await page.getByRole('cell', { name: 'Query', exact: true }).waitFor();
      await page.getByText(/build-agent \(.*\) since/).waitFor();
      await shot(page, '10-server-panel');
    } finally {
      await client.close();
    }
  });

  it('enrolls a client that must send a Credential: a real KMIP client is refused without it, accepted with it', async () => {
    const port = Number((await page.getByLabel('Port').inputValue()).trim());
    await page.getByLabel('New client name').fill('vcenter');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByLabel(/Require a Credential/).check();
    await page.getByLabel('Credential username', { exact: true }).fill('vc-kms');
    await page.getByLabel('Credential password', { exact: true }).fill('password1');
    expect(await page.getByRole('meter', { name: 'Password strength' }).getAttribute('aria-valuetext')).toBe(
      'Very weak',
    );
    await page.getByLabel('Credential password', { exact: true }).fill(credentialPassword);
    await page.getByLabel('Confirm password').fill('not the same');
    expect(await page.getByRole('button', { name: 'Review…' }).isDisabled()).toBe(true);
    await page.getByText('The two passwords differ.').waitFor();
    await page.getByLabel('Confirm password').fill(credentialPassword);
    await shot(page, '10a-enroll-credential');
    await page.getByRole('button', { name: 'Review…' }).click();
    await page.getByText('Required: username “vc-kms” and the password you typed').waitFor();
    await shot(page, '10b-enroll-review');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Enroll and download bundle' }).click(),
    ]);
    const file = path.join(s.dir, 'vcenter.pem');
    await download.saveAs(file);
    const pem = readFileSync(file, 'utf8');
    expect(pem).not.toContain(credentialPassword);
    const certs = pem.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----\n/g) ?? [];
    const key = pem.match(/-----BEGIN PRIVATE KEY-----[^-]+-----END PRIVATE KEY-----\n/)?.[0];
    vcenter = { cert: certs[0]!, key: key!, ca: certs[1]!, port };
    // The wizard is back at its first step and no field holds the password any more.
    await page.getByLabel('New client name').waitFor();
    expect(await page.getByLabel('New client name').inputValue()).toBe('');
    for (const input of await page.locator('input').all())
      expect(await input.inputValue()).not.toBe(credentialPassword);
    const row = page.getByRole('row', { name: /vcenter/ });
    await row.getByText('Required').waitFor();
    await row.getByText('vc-kms').waitFor();

    expect(await kmipQuery()).toBe('AuthenticationNotSuccessful');
    expect(await kmipQuery({ username: 'vc-kms', password: 'wrong password' })).toBe('AuthenticationNotSuccessful');
    expect(await kmipQuery({ username: 'vc-kms', password: credentialPassword })).toBe('Success');
    await page.getByRole('cell', { name: 'OperationFailed Authentication Not Successful' }).first().waitFor();
    await page.getByRole('heading', { name: 'KMIP server' }).scrollIntoViewIfNeeded();
    await shot(page, '10c-server-panel-credential');
    await page.getByRole('heading', { name: 'Request log' }).scrollIntoViewIfNeeded();
    await shot(page, '10f-request-log-refused');
  });

  it('changes the password and removes the requirement from the client’s row', async () => {
    const row = page.getByRole('row', { name: /vcenter/ });
    await row.getByRole('button', { name: 'Set the Credential password of vcenter' }).click();
    const form = page.getByRole('form', { name: 'Credential of vcenter' });
    await form.getByLabel('Credential password', { exact: true }).fill(newCredentialPassword);
    await form.getByLabel('Confirm password').fill(newCredentialPassword);
    await shot(page, '10d-set-password');
    await form.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('vcenter must now send Credential username vc-kms.').waitFor();
    await form.waitFor({ state: 'detached' });
    expect(await kmipQuery({ username: 'vc-kms', password: credentialPassword })).toBe('AuthenticationNotSuccessful');
    expect(await kmipQuery({ username: 'vc-kms', password: newCredentialPassword })).toBe('Success');

    await row.getByRole('button', { name: 'Remove the Credential requirement of vcenter' }).click();
    const confirm = row.getByRole('button', { name: 'Confirm: vcenter no longer needs a Credential' });
    await confirm.waitFor();
    await shot(page, '10e-remove-credential-confirm');
    expect(await kmipQuery()).toBe('AuthenticationNotSuccessful');
    await confirm.click();
    await row.getByText('Certificate only', { exact: true }).waitFor();
    expect(await kmipQuery()).toBe('Success');
    // Each change is audited under the console's identity by name and username; no password anywhere.
    const audit = await s.engine!.session.vault().listAudit(1, 100_000);
    expect(JSON.stringify(audit)).not.toContain(credentialPassword);
    expect(JSON.stringify(audit)).not.toContain(newCredentialPassword);
    expect(audit.filter((e) => e.identity === 'console:e2e').map((e) => `${e.operation}: ${e.detail ?? ''}`)).toEqual(
      expect.arrayContaining([
        'EnrollClient: vcenter (credential required)',
        'SetClientCredential: vcenter set (username vc-kms)',
        'SetClientCredential: vcenter cleared',
      ]),
    );
  });

  it('stops the KMIP server', async () => {
    await page.getByRole('button', { name: 'Stop server' }).click();
    await page.getByText('Stopped', { exact: true }).waitFor();
  });

  it('locks and unlocks', async () => {
    await page.getByRole('button', { name: 'Lock', exact: true }).click();
    await page.getByRole('heading', { name: 'Unlock the vault' }).waitFor();
    await page.getByLabel('Passphrase').fill('not the passphrase');
    await page.getByRole('button', { name: 'Unlock' }).click();
    await page.getByText('The passphrase is not correct.').waitFor();
    await shot(page, '11-unlock-wrong-passphrase');
    await page.getByLabel('Passphrase').fill(passphrase);
    await page.getByRole('button', { name: 'Unlock' }).click();
    await nav('Vault');
    await page
      .getByTestId('object-count')
      .filter({ hasText: /^\d+ objects$/ })
      .waitFor();
  });

  it('verifies the audit chain', async () => {
    await nav('Audit log');
    await page.getByTestId('audit-verification').filter({ hasText: 'Chain verified' }).waitFor();
    await shot(page, '12-audit-verified');
  });

  it('switches to the dark theme', async () => {
    await nav('Vault');
    await page.getByRole('button', { name: 'Switch to dark theme' }).click();
    expect(await page.locator('html').getAttribute('data-theme')).toBe('dark');
    await page
      .getByRole('option', { name: /web-server-tls/ })
      .first()
      .click();
    await shot(page, '13-dark-theme');
    await nav('KMIP server');
    const row = page.getByRole('row', { name: /vcenter/ });
    await row.getByText('Certificate only', { exact: true }).waitFor();
    await row.getByRole('button', { name: 'Set the Credential password of vcenter' }).click();
    const form = page.getByRole('form', { name: 'Credential of vcenter' });
    await form.getByLabel('Credential password', { exact: true }).fill(credentialPassword);
    await form.getByLabel('Confirm password').fill(credentialPassword);
    await shot(page, '13b-server-panel-dark');
    await form.getByRole('button', { name: 'Require this Credential' }).click();
    await row.getByText('Required', { exact: true }).waitFor();
    await page.getByRole('heading', { name: 'Enrolled clients' }).scrollIntoViewIfNeeded();
    await shot(page, '13c-server-panel-dark-required');
  });

  it('saves the settings outside the vault', async () => {
    await nav('Settings');
    await page.getByLabel('Lock after idle (minutes)').fill('15');
    await page.getByLabel('Clear copied values after (seconds)').fill('20');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Settings saved.').waitFor();
    await shot(page, '14-settings');
    const saved = JSON.parse(readFileSync(path.join(s.dir, 'config', 'keyhold', 'settings.json'), 'utf8'));
    expect(saved).toEqual({ autoLockMinutes: 15, clipboardClearSeconds: 20, theme: 'dark' });
    expect(s.engine!.session.status().autoLockSeconds).toBe(900);
    await nav('Vault');
  });

  it('keeps keyboard navigation in the object list', async () => {
    const list = page.getByRole('listbox', { name: 'Objects in the vault' });
    await list.focus();
    await page.keyboard.press('Home');
    const selected = list.getByRole('option', { selected: true });
    expect(await selected.getAttribute('aria-posinset')).toBe('1');
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => selected.getAttribute('aria-posinset')).toBe('2');
    await page.keyboard.press('End');
    await expect.poll(() => selected.getAttribute('aria-posinset')).toBe(await selected.getAttribute('aria-setsize'));
  });
});
