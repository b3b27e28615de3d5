import { describe, expect, it } from 'vitest';
import { renderToStaticMarkup } from 'react-dom/server';
import type { ReactNode } from 'react';
import type { Capabilities, VaultStatus } from '../../shared/api/index.js';
import { createKeyholdStore } from '../../renderer/src/store/index.js';
import { StoreProvider } from '../../renderer/src/store/context.js';
import { CreateVault, UnlockVault } from '../../renderer/src/components/vault-gate.js';
import { KeyWizard } from '../../renderer/src/components/key-wizard.js';
import { ObjectBrowser } from '../../renderer/src/components/object-browser.js';
import { fakeApi } from './fake-api.js';

function render(node: ReactNode, vault: VaultStatus, calls: string[] = []): string {
  const store = createKeyholdStore(fakeApi({}).api);
  const capabilities: Capabilities = { transport: 'http', calls: Object.fromEntries(calls.map((c) => [c, true])) };
  store.setState({ vault, capabilities });
  // Server rendering reads zustand's initial state: make it the state set up here.
  Object.assign(store, { getInitialState: store.getState });
  return renderToStaticMarkup(<StoreProvider store={store}>{node}</StoreProvider>);
}

/** Every input and select has a label pointing at it, or an aria-label. */
function unlabelled(html: string): string[] {
  const ids = new Set([...html.matchAll(/<label[^>]*for="([^"]+)"/g)].map((m) => m[1]));
  return [...html.matchAll(/<(input|select)\b[^>]*>/g)]
    .map((m) => m[0])
    .filter((tag) => !/type="(radio|checkbox|hidden)"/.test(tag))
    .filter((tag) => !/aria-label=/.test(tag))
    .filter((tag) => !ids.has(/id="([^"]+)"/.exec(tag)?.[1]));
}

const absent: VaultStatus = { path: '/home/me/v.kvault', state: 'absent', autoLockSeconds: 300 };

describe('components', () => {
  it('first run: labelled passphrase fields, a strength meter, and Create disabled until ready', () => {
    const html = render(<CreateVault />, absent, ['vault.create']);
    expect(html).toContain('Create your vault');
    expect(html).toContain('/home/me/v.kvault');
    expect(html).toContain('role="meter"');
    expect(html).toMatch(/<button type="submit" disabled="">Create vault<\/button>/);
    expect(unlabelled(html)).toEqual([]);
  });

  it('says clearly when the vault engine is missing', () => {
    const html = render(<UnlockVault />, { ...absent, state: 'locked' });
    expect(html).toContain('Unlocking needs the vault engine, which is not in this build yet.');
  });

  it('key wizard: shows the unavailable notice without the engine, the first step with it', () => {
    expect(render(<KeyWizard />, absent)).toContain('Key generation is not available in this build yet');
    const html = render(<KeyWizard />, absent, ['keys.generate']);
    expect(html).toContain('What kind of key?');
    expect(html).toContain('aria-current="step"');
    expect(unlabelled(html)).toEqual([]);
  });

  it('object browser: labelled search and filters, a listbox', () => {
    const html = render(<ObjectBrowser />, { ...absent, state: 'unlocked' }, ['objects.list']);
    expect(html).toContain('role="search"');
    expect(unlabelled(html)).toEqual([]);
  });
});
