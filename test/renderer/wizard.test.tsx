/**
 * The renderer's shared parts, rendered to markup: the wizard pieces every short wizard is made
 * of, the one secret input and the grid table.
 */
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { GridTable } from '../../renderer/src/components/common.js';
import { SecretField } from '../../renderer/src/components/secret-field.js';
import { DoneStep, RunStep, StepForm, ToReview, WizardCard } from '../../renderer/src/components/wizard.js';

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
