/**
 * The Tokens panel's wizards and the shared token picker, rendered to markup: labelled fields,
 * PIN inputs that browsers neither show nor remember, a locked PIN steering to the security
 * officer, and only the vault objects a token can take offered for import.
 */
import { describe, expect, it } from 'vitest';
import { renderToStaticMarkup } from 'react-dom/server';
import type { ReactNode } from 'react';
import type { ObjectSummary, TokenSummary, VaultStatus } from '../../shared/api/index.js';
import { createKeyholdStore } from '../../renderer/src/store/index.js';
import { StoreProvider } from '../../renderer/src/store/context.js';
import { PinField, TokenPicker, chosenToken } from '../../renderer/src/components/token-picker.js';
import { BackupWizard, ChangePinWizard, ImportWizard } from '../../renderer/src/components/token-wizards.js';
import { fakeApi } from './fake-api.js';

const vault: VaultStatus = { state: 'unlocked', path: '/tmp/v.kvault', autoLockSeconds: 300 };

function render(node: ReactNode, state: Record<string, unknown> = {}): string {
  const store = createKeyholdStore(fakeApi({}).api);
  store.setState({ vault, ...state });
  Object.assign(store, { getInitialState: store.getState });
  return renderToStaticMarkup(<StoreProvider store={store}>{node}</StoreProvider>);
}

function unlabelled(html: string): string[] {
  const ids = new Set([...html.matchAll(/<label[^>]*for="([^"]+)"/g)].map((m) => m[1]));
  return [...html.matchAll(/<(input|select)\b[^>]*>/g)]
    .map((m) => m[0])
    .filter((tag) => !/type="(radio|checkbox|hidden)"/.test(tag))
    .filter((tag) => !ids.has(/id="([^"]+)"/.exec(tag)?.[1]));
}

const token = (label: string): TokenSummary => ({
  modulePath: '/usr/lib/softhsm/libsofthsm2.so',
  slotId: label.length,
  label,
  manufacturer: 'SoftHSM project',
  model: 'SoftHSM v2',
  serialNumber: 'x',
  flags: [],
  pinPad: false,
});

describe('the token picker', () => {
  it('says what to do when no token is plugged in', () => {
    const html = render(<TokenPicker tokens={[]} value="" onChange={() => undefined} />);
    expect(html).toContain('No token is plugged in');
    expect(html).not.toContain('<select');
  });

  it('lists the tokens, picking the first when nothing is chosen', () => {
    const tokens = [token('Desk'), token('Spare')];
    const html = render(<TokenPicker tokens={tokens} value="" onChange={() => undefined} />);
    expect(html).toMatch(/<option value="Desk" selected="">Desk — SoftHSM project SoftHSM v2<\/option>/);
    expect(unlabelled(html)).toEqual([]);
    expect(chosenToken(tokens, 'Spare')).toBe('Spare');
    expect(chosenToken(tokens, 'Gone')).toBe('Desk');
  });

  it('a PIN field is a password field the browser does not fill', () => {
    const html = render(<PinField label="User PIN" value="" onChange={() => undefined} />);
    expect(html).toMatch(/<input[^>]*type="password"[^>]*autoComplete="off"/);
    expect(unlabelled(html)).toEqual([]);
  });
});

describe('the token wizards', () => {
  it('change PIN: a locked PIN leaves only the security officer', () => {
    const html = render(<ChangePinWizard label="Desk" locked onDone={() => undefined} />);
    expect(html).toContain('The user PIN is locked.');
    expect(html).toMatch(/<input[^>]*type="radio"[^>]*disabled=""/);
    expect(html).toContain('SO PIN');
    expect(html).not.toContain('Current PIN');
    expect([...html.matchAll(/type="password"/g)]).toHaveLength(3);
    expect(unlabelled(html)).toEqual([]);
  });

  it('change PIN: otherwise asks for the current PIN first', () => {
    const html = render(<ChangePinWizard label="Desk" locked={false} onDone={() => undefined} />);
    expect(html).toContain('Current PIN');
    expect(html).not.toContain('The user PIN is locked.');
  });

  it('import offers only live keys and certificates the token can take', () => {
    const objects: ObjectSummary[] = [
      { uniqueIdentifier: 'a', objectType: 'SymmetricKey', name: 'payroll-db', state: 'Active' },
      { uniqueIdentifier: 'b', objectType: 'PublicKey', name: 'pub', state: 'Active' },
      { uniqueIdentifier: 'c', objectType: 'PrivateKey', name: 'old', state: 'Destroyed' },
      { uniqueIdentifier: 'd', objectType: 'Certificate', name: 'web', state: 'Active' },
    ];
    const html = render(<ImportWizard pin="1234" onDone={() => undefined} />, { objects, openedToken: 'Desk' });
    const options = [...html.matchAll(/<option value="([^"]+)"/g)].map((m) => m[1]);
    expect(options).toEqual(['a', 'd']);
    expect(html).toContain('Put a vault key on “Desk”');
    expect(unlabelled(html)).toEqual([]);
  });

  it('backup starts with every object of the vault', () => {
    const objects: ObjectSummary[] = [
      { uniqueIdentifier: 'a', objectType: 'SymmetricKey', name: 'k1', state: 'Active' },
      { uniqueIdentifier: 'b', objectType: 'SymmetricKey', name: 'k2', state: 'Active' },
    ];
    const html = render(<BackupWizard pin="1234" onDone={() => undefined} />, { objects, openedToken: 'Desk' });
    expect(html).toContain('Every object in the vault');
    expect(html).toContain('2 objects');
    expect(html).not.toContain('1234');
  });
});
