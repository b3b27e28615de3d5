/**
 * The renderer's shared parts, rendered to markup: the wizard pieces every short wizard is made
 * of, the one secret input and the grid table.
 */
import type { ReactNode } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { Capabilities, ObjectSummary, ServerStatus } from '../../shared/api/index.js';
import { Certificates } from '../../renderer/src/components/certificates.js';
import { Field, GridTable } from '../../renderer/src/components/common.js';
import { CsrWizard } from '../../renderer/src/components/csr-wizard.js';
import { SecretField } from '../../renderer/src/components/secret-field.js';
import { ClientsCard } from '../../renderer/src/components/server-panel.js';
import { Settings } from '../../renderer/src/components/settings.js';
import { ImportWizard } from '../../renderer/src/components/token-wizards.js';
import { DoneStep, RunStep, StepForm, ToReview, WizardCard } from '../../renderer/src/components/wizard.js';
import { StoreProvider } from '../../renderer/src/store/context.js';
import { createKeyholdStore } from '../../renderer/src/store/index.js';
import { fakeApi } from './fake-api.js';
import { clientEntry } from './server-fixtures.js';
import { hintLinks } from './hint-links.js';

const noop = () => undefined;

describe('wizard parts', () => {
  it('labels the wizard card by its title and marks the current step', () => {
    const html = renderToStaticMarkup(
      <WizardCard id="demo" title="Do a thing" steps={['One', 'Two', 'Three']} step={1}>
        <p>body</p>
      </WizardCard>,
    );
    expect(html).toMatch(
      /^<section class="card narrow wizard" aria-labelledby="demo-title"><h3 id="demo-title">Do a thing<\/h3>/,
    );
    expect(html).toContain('<li class="done"><span class="step-num">1</span> One</li>');
    expect(html).toContain('<li class="current" aria-current="step"><span class="step-num">2</span> Two</li>');
    expect(html).toContain('<p>body</p>');
  });

  it('ends a first step with Cancel and a Review… submit that says why it is disabled', () => {
    const html = renderToStaticMarkup(
      <StepForm ready={false} onNext={noop}>
        <ToReview onCancel={noop} disabled title="Enter a name." />
      </StepForm>,
    );
    expect(html).toMatch(/^<form class="stack">/);
    expect(html).toContain('<button type="button" class="secondary">Cancel</button>');
    expect(html).toContain('<button type="submit" disabled="" title="Enter a name.">Review…</button>');
    const back = renderToStaticMarkup(<ToReview onCancel={noop} cancelText="Back" />);
    expect(back).toContain('>Back</button>');
    expect(back).toContain('<button type="submit">Review…</button>');
  });

  it('shows the run button idle with Back beside it and no working line', () => {
    const html = renderToStaticMarkup(
      <RunStep
        label="Put on token"
        busyLabel="Working…"
        workingText="Putting the key on the token…"
        onBack={noop}
        run={async () => 1}
        onDone={noop}
        disabled
      />,
    );
    expect(html).toContain('>Back</button>');
    expect(html).toContain('<button type="button" disabled="">Put on token</button>');
    expect(html).not.toContain('Putting the key on the token…');
  });

  it('says what was done, with Done and an optional other action', () => {
    const html = renderToStaticMarkup(
      <DoneStep title="Backed up 3 objects." onDone={noop} other={{ text: 'Download again', onClick: noop }}>
        Keep the file safe.
      </DoneStep>,
    );
    expect(html).toContain('<div class="notice notice-success" role="status"><strong>Backed up 3 objects.</strong>');
    expect(html).toContain('Keep the file safe.');
    expect(html).toContain('<button type="button" class="secondary">Download again</button>');
    expect(html).toContain('<button type="button">Done</button>');
    expect(
      renderToStaticMarkup(
        <DoneStep title="Restored." onDone={noop}>
          x
        </DoneStep>,
      ),
    ).not.toContain('secondary');
  });
});

describe('SecretField', () => {
  it('is a password input the browser neither spell-checks nor offers to fill, unless asked', () => {
    const pin = renderToStaticMarkup(<SecretField label="PIN" value="1234" onChange={noop} autoComplete="off" />);
    expect(pin).toMatch(/<input[^>]*type="password"[^>]*autoComplete="off"[^>]*spellCheck="false"/);
    expect(pin).not.toContain('aria-invalid');
    expect(pin).not.toContain('role="meter"');
    const chosen = renderToStaticMarkup(
      <SecretField label="Passphrase" value="abc" onChange={noop} meter="passphrase" invalid hint="Long is good." />,
    );
    expect(chosen).toContain('autoComplete="new-password"');
    expect(chosen).toContain('aria-invalid="true"');
    expect(chosen).toContain('role="meter" aria-label="Passphrase strength"');
    expect(chosen).toMatch(/aria-describedby="[^"]*?(\S+)-strength"[^>]*>.*id="\1-strength"/s);
    // The hint (e.g. "The two passwords differ.") is read with the input, not only shown beside it.
    expect(chosen).toMatch(
      /aria-describedby="([^"]+)-hint \1-strength"[^>]*>.*<span class="hint" id="\1-hint">Long is good.<\/span>/s,
    );
    const unlock = renderToStaticMarkup(
      <SecretField label="Passphrase" value="" onChange={noop} autoComplete="current-password" />,
    );
    expect(unlock).toContain('autoComplete="current-password"');
  });
});

/** Renders a screen with the store it reads, in the given state. */
function renderScreen(node: ReactNode, state: Record<string, unknown>, calls: string[] = []): string {
  const store = createKeyholdStore(fakeApi({}).api);
  const capabilities: Capabilities = { transport: 'http', calls: Object.fromEntries(calls.map((c) => [c, true])) };
  store.setState({ vault: { state: 'unlocked', path: '/tmp/v.kvault', autoLockSeconds: 300 }, capabilities, ...state });
  // Server rendering reads zustand's initial state: make it the state set up here.
  Object.assign(store, { getInitialState: store.getState });
  return renderToStaticMarkup(<StoreProvider store={store}>{node}</StoreProvider>);
}

describe('Field hints are read with their input (aria-describedby)', () => {
  it('Field hands its input the hint id, and only when it shows a hint', () => {
    const seen: (string | undefined)[] = [];
    const field = (hint?: string) =>
      renderToStaticMarkup(
        <Field label="Port" {...(hint !== undefined ? { hint } : {})}>
          {(id, hintId) => {
            seen.push(hintId);
            return <input id={id} aria-describedby={hintId} />;
          }}
        </Field>,
      );
    const html = field('0 picks a free one.');
    expect(html).toMatch(/<input id="([^"]+)" aria-describedby="\1-hint"\/><span class="hint" id="\1-hint">/);
    expect(hintLinks(html)).toEqual({ linked: ['0 picks a free one.'], unlinked: [] });
    // No hint, or an empty one: nothing shown, so nothing named (no dangling reference).
    expect(field()).not.toContain('aria-describedby');
    expect(field('')).not.toContain('aria-describedby');
    expect(seen).toEqual([expect.stringMatching(/-hint$/), undefined, undefined]);
  });

  it('the checker notices a hint its input does not name', () => {
    const html = renderToStaticMarkup(
      <Field label="Port" hint="0 picks a free one.">
        {(id) => <input id={id} />}
      </Field>,
    );
    expect(hintLinks(html)).toEqual({ linked: [], unlinked: ['0 picks a free one.'] });
  });

  it('settings: the auto-lock and clipboard hints', () => {
    expect(hintLinks(renderScreen(<Settings />, {}))).toEqual({
      linked: [
        'The vault locks after this long without use, even with the window closed. 0 never locks it.',
        'Between 5 and 600 seconds.',
      ],
      unlinked: [],
    });
  });

  it('certificate import: the file hint', () => {
    const links = hintLinks(renderScreen(<Certificates />, {}, ['certificates.import']));
    expect(links.unlinked).toEqual([]);
    expect(links.linked).toEqual(['PEM, DER, PKCS#7 or PKCS#12 (.pem .crt .cer .der .p7b .p12 .pfx)']);
  });

  it('CSR wizard: the private key hint', () => {
    const objects: ObjectSummary[] = [
      { uniqueIdentifier: 'k', objectType: 'PrivateKey', name: 'web', state: 'Active' },
    ];
    const links = hintLinks(renderScreen(<CsrWizard />, { objects }, ['csr.create']));
    expect(links).toEqual({ linked: ['The request carries its public key and is signed with it.'], unlinked: [] });
  });

  it('token import wizard: the vault key and token label hints', () => {
    const objects: ObjectSummary[] = [
      { uniqueIdentifier: 'a', objectType: 'SymmetricKey', name: 'payroll-db', state: 'Active' },
    ];
    const links = hintLinks(renderScreen(<ImportWizard pin="1234" onDone={() => undefined} />, { objects }));
    expect(links).toEqual({
      linked: [
        'Secret keys, private keys (the public half comes along) and certificates.',
        'The label (CKA_LABEL); by default the key’s name in the vault.',
      ],
      unlinked: [],
    });
  });

  it('server clients card: the client name, grant object and operations hints', () => {
    const status: ServerStatus = {
      available: true,
      running: true,
      clients: [clientEntry()],
      connectionCount: 0,
      connections: [],
      requestLog: [],
    };
    const links = hintLinks(
      renderScreen(<ClientsCard status={status} onChange={() => undefined} onStatus={() => undefined} />, {}),
    );
    expect(links.unlinked).toEqual([]);
    expect(links.linked).toEqual(
      expect.arrayContaining([
        'Letters, digits, dot, dash or underscore.',
        'An object another client created or registered.',
        'Comma-separated, e.g. Get, Encrypt. Empty: every operation.',
      ]),
    );
  });

  it('every hinted Field in the renderer hands the hint id on (those shown only after a click too)', () => {
    // Vault path, key wizard name, token key label, server address and port appear only after a
    // click or a server answer, which markup rendering cannot reach: check their source instead.
    const sources = import.meta.glob('../../renderer/src/components/*.tsx', {
      query: '?raw',
      import: 'default',
      eager: true,
    });
    const missing: string[] = [];
    let hinted = 0;
    for (const [file, source] of Object.entries(sources)) {
      for (const m of source.matchAll(/<Field\b[^>]*?\bhint=[\s\S]*?<\/Field>/g)) {
        hinted++;
        if (!/\(id, hintId\) =>[\s\S]*aria-describedby=\{hintId\}/.test(m[0]))
          missing.push(`${file.split('/').at(-1)}: ${/label="([^"]+)"/.exec(m[0])?.[1] ?? m[0].slice(0, 60)}`);
      }
    }
    expect(missing).toEqual([]);
    expect(hinted).toBeGreaterThanOrEqual(17);
  });
});

describe('GridTable', () => {
  it('names the table, scopes each header, and names the actions column without showing it', () => {
    const html = renderToStaticMarkup(
      <GridTable label="Key slots" columns={['Method', 'Added']} actions>
        <tr>
          <td>a</td>
        </tr>
      </GridTable>,
    );
    expect(html).toBe(
      '<table class="grid" aria-label="Key slots"><thead><tr><th scope="col">Method</th><th scope="col">Added</th>' +
        '<th scope="col" aria-label="Actions"></th></tr></thead><tbody><tr><td>a</td></tr></tbody></table>',
    );
    expect(
      renderToStaticMarkup(
        <GridTable label="Log" columns={['Time']}>
          {null}
        </GridTable>,
      ),
    ).not.toContain('Actions');
  });
});
