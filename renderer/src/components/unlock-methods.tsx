/**
 * Settings › Unlock methods: the vault's key slots, with remove, and two short wizards with a
 * review step: "Unlock with this computer's TPM" (optionally bound to PCR 7, Secure Boot state)
 * and "Unlock with a token" (a key on a PKCS#11 token, PIN at each unlock).
 */
import { useEffect, useState } from 'react';
import { useKeyhold } from '../store/context.js';
import { formatDate, GridTable, Review, Unavailable, useSupported } from './common.js';
import { chosenToken, PinField, ProblemBox, TokenPicker } from './token-picker.js';
import { RunStep, StepForm, ToReview, WizardCard } from './wizard.js';

type Wizard = 'tpm' | 'token' | undefined;

const kindWords: Record<string, string> = { passphrase: 'Passphrase', tpm: 'TPM', pkcs11: 'Token' };

function TpmWizard({ onDone }: { onDone: () => void }) {
  const addTpmSlot = useKeyhold((s) => s.addTpmSlot);
  const notify = useKeyhold((s) => s.notify);
  const [step, setStep] = useState(0);
  const [pcr7, setPcr7] = useState(false);
  return (
    <WizardCard id="tpm-wizard" title="Unlock with this computer’s TPM" steps={['Options', 'Review']} step={step}>
      {step === 0 ? (
        <StepForm onNext={() => setStep(1)}>
          <p className="muted small">
            The vault’s key is sealed to this computer’s TPM, so the vault opens here without a passphrase. It opens on
            no other computer. Your passphrase keeps working.
          </p>
          <label className="check">
            <input type="checkbox" checked={pcr7} onChange={(e) => setPcr7(e.target.checked)} /> Also bind to the Secure
            Boot state (PCR 7)
          </label>
          <p className="hint">
            With PCR 7 the TPM refuses if the Secure Boot settings or keys change; you then unlock with the passphrase.
          </p>
          <ToReview onCancel={onDone} />
        </StepForm>
      ) : (
        <>
          <Review
            rows={[
              ['Unlock method', 'This computer’s TPM 2.0'],
              ['Bound to', pcr7 ? 'PCR 7 (Secure Boot state)' : 'Nothing else: any boot of this computer'],
              ['Passphrase', 'Still works'],
            ]}
          />
          <RunStep
            label="Add TPM unlock"
            busyLabel="Sealing to the TPM…"
            workingText="Sealing the vault key to the TPM…"
            onBack={() => setStep(0)}
            run={() => addTpmSlot(pcr7 ? [7] : [])}
            onDone={() => {
              notify({ kind: 'success', title: 'TPM unlock added.', action: 'This computer now opens the vault.' });
              onDone();
            }}
            // The problem is shown above; the review stays for another try.
            onFailed={() => undefined}
          />
        </>
      )}
    </WizardCard>
  );
}

function TokenWizard({ onDone }: { onDone: () => void }) {
  const addTokenSlot = useKeyhold((s) => s.addTokenSlot);
  const loadTokens = useKeyhold((s) => s.loadTokens);
  const tokens = useKeyhold((s) => s.tokenList?.tokens) ?? [];
  const notify = useKeyhold((s) => s.notify);
  const [step, setStep] = useState(0);
  const [label, setLabel] = useState('');
  const [pin, setPin] = useState('');
  useEffect(() => {
    void loadTokens();
  }, [loadTokens]);
  const chosen = chosenToken(tokens, label);
  const cancel = () => {
    setPin('');
    onDone();
  };
  return (
    <WizardCard id="token-wizard" title="Unlock with a token" steps={['Token and PIN', 'Review']} step={step}>
      {step === 0 ? (
        <StepForm ready={chosen !== '' && pin !== ''} onNext={() => setStep(1)}>
          <TokenPicker tokens={tokens} value={chosen} onChange={setLabel} />
          <PinField
            label="Token PIN"
            hint="Used now to create a key on the token; asked again at each unlock."
            value={pin}
            onChange={setPin}
          />
          <ToReview onCancel={cancel} disabled={chosen === '' || pin === ''} />
        </StepForm>
      ) : (
        <>
          <Review
            rows={[
              ['Unlock method', `A key on token “${chosen}”`],
              ['At each unlock', 'Insert the token and enter its PIN'],
              ['Passphrase', 'Still works'],
            ]}
          />
          <RunStep
            label="Add token unlock"
            busyLabel="Working on the token…"
            workingText="Creating a key on the token and wrapping the vault key…"
            onBack={() => setStep(0)}
            run={() => addTokenSlot(chosen, pin).finally(() => setPin(''))}
            onDone={() => {
              notify({
                kind: 'success',
                title: 'Token unlock added.',
                action: `Token “${chosen}” now opens the vault.`,
              });
              onDone();
            }}
          />
        </>
      )}
    </WizardCard>
  );
}

export function UnlockMethods() {
  const supported = useSupported('vault.slots.list', 'vault.slots.remove');
  const slots = useKeyhold((s) => s.slots);
  const problem = useKeyhold((s) => s.slotProblem);
  const loadSlots = useKeyhold((s) => s.loadSlots);
  const removeSlot = useKeyhold((s) => s.removeSlot);
  const [wizard, setWizard] = useState<Wizard>(undefined);
  const [confirming, setConfirming] = useState<string | undefined>(undefined);
  useEffect(() => {
    if (supported) void loadSlots();
  }, [supported, loadSlots]);
  if (!supported) return <Unavailable what="Unlock methods" calls={['vault.slots.list', 'vault.slots.remove']} />;
  return (
    <div className="stack">
      <section className="card" aria-labelledby="unlock-title">
        <div className="card-head">
          <h2 id="unlock-title">Unlock methods</h2>
          <div className="row">
            <button
              type="button"
              className="secondary"
              onClick={() => setWizard('tpm')}
              disabled={wizard !== undefined}
            >
              Unlock with this computer’s TPM…
            </button>
            <button
              type="button"
              className="secondary"
              onClick={() => setWizard('token')}
              disabled={wizard !== undefined}
            >
              Unlock with a token…
            </button>
          </div>
        </div>
        <p className="muted small">Each key slot opens the vault on its own. The last one cannot be removed.</p>
        <GridTable label="Key slots" columns={['Method', 'Details', 'Added']} actions>
          {slots.map((s) => (
            <tr key={s.id}>
              <td>
                <strong>{kindWords[s.kind] ?? s.kind}</strong>
                {s.label.toLowerCase() !== (kindWords[s.kind] ?? s.kind).toLowerCase() && (
                  <span className="muted small"> {s.label}</span>
                )}
              </td>
              <td>{s.detail}</td>
              <td>{formatDate(s.createdAt)}</td>
              <td>
                {confirming === s.id ? (
                  <span className="row">
                    <button
                      type="button"
                      className="danger"
                      onClick={() => void removeSlot(s.id).then(() => setConfirming(undefined))}
                    >
                      Remove
                    </button>
                    <button type="button" className="secondary" onClick={() => setConfirming(undefined)}>
                      Keep
                    </button>
                  </span>
                ) : (
                  <button
                    type="button"
                    className="secondary"
                    disabled={slots.length <= 1}
                    aria-label={`Remove ${kindWords[s.kind] ?? s.kind} key slot ${s.label}`}
                    onClick={() => setConfirming(s.id)}
                  >
                    Remove…
                  </button>
                )}
              </td>
            </tr>
          ))}
        </GridTable>
      </section>
      {problem && <ProblemBox problem={problem} />}
      {wizard === 'tpm' && <TpmWizard onDone={() => setWizard(undefined)} />}
      {wizard === 'token' && <TokenWizard onDone={() => setWizard(undefined)} />}
    </div>
  );
}
