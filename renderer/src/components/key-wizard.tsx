/** Key generation: kind, algorithm and size or curve, usages, name and activation, review, create. */
import { useState } from 'react';
import { usageMaskNames } from '../../../shared/api/index.js';
import type { ApiError, Request } from '../../../shared/api/index.js';
import { useKeyhold } from '../store/context.js';
import { ErrorBox, Field, Review, Steps, Unavailable, useSupported } from './common.js';

type KeyRequest = Request<'keys.generate'>;
type Kind = KeyRequest['kind'];
type Algorithm = KeyRequest['algorithm'];
type Usage = (typeof usageMaskNames)[number];

const algorithmsByKind: Record<Kind, { value: Algorithm; label: string; lengths?: number[]; curves?: boolean }[]> = {
  SymmetricKey: [
    { value: 'AES', label: 'AES', lengths: [128, 192, 256] },
    { value: 'HMACSHA256', label: 'HMAC-SHA256', lengths: [256] },
    { value: 'HMACSHA512', label: 'HMAC-SHA512', lengths: [512] },
    { value: 'ChaCha20', label: 'ChaCha20', lengths: [256] },
  ],
  KeyPair: [
    { value: 'EC', label: 'EC (ECDSA / ECDH)', curves: true },
    { value: 'RSA', label: 'RSA', lengths: [2048, 3072, 4096] },
    { value: 'Ed25519', label: 'Ed25519' },
  ],
  SecretData: [{ value: 'AES', label: 'Random secret bytes', lengths: [128, 256, 512] }],
};

const defaultUsages: Record<Kind, Usage[]> = {
  SymmetricKey: ['Encrypt', 'Decrypt'],
  KeyPair: ['Sign', 'Verify'],
  SecretData: [],
};

const kindLabels: Record<Kind, [string, string]> = {
  SymmetricKey: ['Symmetric key', 'One secret key for encryption, wrapping or MACs (AES, HMAC, ChaCha20).'],
  KeyPair: ['Key pair', 'A private key and its public key, for signatures, TLS and certificates (EC, RSA, Ed25519).'],
  SecretData: ['Secret data', 'Random bytes to hand to an application as a password or seed.'],
};

const steps = ['Kind', 'Algorithm', 'Usage and name', 'Review'];

export function KeyWizard() {
  const supported = useSupported('keys.generate');
  const generateKey = useKeyhold((s) => s.generateKey);
  const select = useKeyhold((s) => s.select);
  const setScreen = useKeyhold((s) => s.setScreen);
  const [step, setStep] = useState(0);
  const [kind, setKind] = useState<Kind>('SymmetricKey');
  const [algorithm, setAlgorithm] = useState<Algorithm>('AES');
  const [length, setLength] = useState<number>(256);
  const [curve, setCurve] = useState<'P256' | 'P384' | 'P521'>('P256');
  const [usages, setUsages] = useState<Usage[]>(defaultUsages.SymmetricKey);
  const [name, setName] = useState('');
  const [activation, setActivation] = useState<'now' | 'later' | 'date'>('now');
  const [activationDate, setActivationDate] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | undefined>();
  const [created, setCreated] = useState<string[] | undefined>();

  if (!supported) return <Unavailable what="Key generation" calls={['keys.generate']} />;

  const alg = algorithmsByKind[kind].find((a) => a.value === algorithm) ?? algorithmsByKind[kind][0]!;

  function chooseKind(k: Kind) {
    setKind(k);
    const first = algorithmsByKind[k][0]!;
    setAlgorithm(first.value);
    setLength(first.lengths?.at(-1) ?? 256);
    setUsages(defaultUsages[k]);
  }

  function request(): KeyRequest {
    const r: KeyRequest = { kind, algorithm, usageMask: usages, name: name.trim(), location: 'vault' };
    if (alg.curves) r.curve = curve;
    else if (alg.lengths) r.cryptographicLength = length;
    if (activation === 'now') r.activationDate = new Date().toISOString();
    if (activation === 'date' && activationDate) r.activationDate = new Date(activationDate).toISOString();
    return r;
  }

  async function create() {
    setBusy(true);
    setError(undefined);
    const r = await generateKey(request());
    setBusy(false);
    if (!r.ok) return setError(r.error);
    setCreated(r.value.uniqueIdentifiers);
  }

  const sizeText = alg.curves ? curve : alg.lengths ? `${length} bits` : 'fixed';

  if (created) {
    return (
      <section className="card wizard" aria-labelledby="wizard-title">
        <h2 id="wizard-title">Key created</h2>
        <p>
          {created.length === 2 ? 'The key pair is in the vault.' : 'The key is in the vault.'} Its identifier
          {created.length > 1 ? 's are' : ' is'}{' '}
          {created.map((id) => (
            <code key={id}>{id} </code>
          ))}
        </p>
        <div className="row">
          <button
            type="button"
            onClick={() => {
              setScreen('objects');
              void select(created[0]);
            }}
          >
            Show in the vault
          </button>
          <button
            type="button"
            className="secondary"
            onClick={() => {
              setCreated(undefined);
              setStep(0);
              setName('');
            }}
          >
            Generate another
          </button>
        </div>
      </section>
    );
  }

  return (
    <section className="card wizard" aria-labelledby="wizard-title">
      <h2 id="wizard-title">Generate a key</h2>
      <Steps steps={steps} current={step} />
      {step === 0 && (
        <fieldset className="choices">
          <legend>What kind of key?</legend>
          {(Object.keys(kindLabels) as Kind[]).map((k) => (
            <label key={k} className={`choice${kind === k ? ' checked' : ''}`}>
              <input type="radio" name="kind" value={k} checked={kind === k} onChange={() => chooseKind(k)} />
              <span>
                <strong>{kindLabels[k][0]}</strong>
                <span className="muted small">{kindLabels[k][1]}</span>
              </span>
            </label>
          ))}
        </fieldset>
      )}
      {step === 1 && (
        <div className="stack">
          <Field label="Algorithm">
            {(id) => (
              <select
                id={id}
                value={algorithm}
                onChange={(e) => {
                  const a = algorithmsByKind[kind].find((x) => x.value === e.target.value)!;
                  setAlgorithm(a.value);
                  if (a.lengths) setLength(a.lengths.at(-1)!);
                }}
              >
                {algorithmsByKind[kind].map((a) => (
                  <option key={a.value} value={a.value}>
                    {a.label}
                  </option>
                ))}
              </select>
            )}
          </Field>
          {alg.lengths && (
            <Field label="Key size">
              {(id) => (
                <select id={id} value={length} onChange={(e) => setLength(Number(e.target.value))}>
                  {alg.lengths!.map((l) => (
                    <option key={l} value={l}>
                      {l} bits
                    </option>
                  ))}
                </select>
              )}
            </Field>
          )}
          {alg.curves && (
            <Field label="Curve">
              {(id) => (
                <select id={id} value={curve} onChange={(e) => setCurve(e.target.value as typeof curve)}>
                  <option value="P256">P-256 (secp256r1)</option>
                  <option value="P384">P-384 (secp384r1)</option>
                  <option value="P521">P-521 (secp521r1)</option>
                </select>
              )}
            </Field>
          )}
        </div>
      )}
      {step === 2 && (
        <div className="stack">
          <Field label="Name" hint="How you will find it; KMIP clients see it as the Name attribute.">
            {(id, hintId) => (
              <input
                id={id}
                aria-describedby={hintId}
                value={name}
                onChange={(e) => setName(e.target.value)}
                placeholder="e.g. backup-encryption-2026"
                required
              />
            )}
          </Field>
          {kind !== 'SecretData' && (
            <fieldset className="usages">
              <legend>Cryptographic usage mask</legend>
              {usageMaskNames.map((u) => (
                <label key={u} className="check">
                  <input
                    type="checkbox"
                    checked={usages.includes(u)}
                    onChange={(e) => setUsages(e.target.checked ? [...usages, u] : usages.filter((x) => x !== u))}
                  />
                  {u.replace(/([a-z])([A-Z])/g, '$1 $2')}
                </label>
              ))}
            </fieldset>
          )}
          <fieldset className="inline-choices">
            <legend>Activation</legend>
            <label className="check">
              <input type="radio" name="act" checked={activation === 'now'} onChange={() => setActivation('now')} />{' '}
              Active now
            </label>
            <label className="check">
              <input type="radio" name="act" checked={activation === 'later'} onChange={() => setActivation('later')} />{' '}
              Pre-Active (activate later)
            </label>
            <label className="check">
              <input type="radio" name="act" checked={activation === 'date'} onChange={() => setActivation('date')} />{' '}
              On a date
            </label>
            {activation === 'date' && (
              <input
                type="datetime-local"
                aria-label="Activation date"
                value={activationDate}
                onChange={(e) => setActivationDate(e.target.value)}
              />
            )}
          </fieldset>
          <Field label="Keep it in">
            {(id) => (
              <select id={id} value="vault" onChange={() => undefined}>
                <option value="vault">This vault (encrypted)</option>
              </select>
            )}
          </Field>
        </div>
      )}
      {step === 3 && (
        <div className="stack">
          <p>Check the key before it is created:</p>
          <Review
            rows={[
              ['Kind', kindLabels[kind][0]],
              ['Algorithm', alg.label],
              ['Size', sizeText],
              ['Usage', usages.length ? usages.join(', ') : '—'],
              ['Name', name || '—'],
              [
                'Activation',
                activation === 'now' ? 'Active now' : activation === 'later' ? 'Pre-Active' : activationDate || '—',
              ],
              ['Kept in', 'This vault'],
            ]}
          />
          {busy && <div className="progress indeterminate" role="progressbar" aria-label="Generating" />}
          {error && <ErrorBox error={error} />}
        </div>
      )}
      <div className="row wizard-nav">
        <button type="button" className="secondary" disabled={step === 0 || busy} onClick={() => setStep(step - 1)}>
          Back
        </button>
        {step < 3 ? (
          <button type="button" disabled={step === 2 && name.trim().length === 0} onClick={() => setStep(step + 1)}>
            Next
          </button>
        ) : (
          <button type="button" disabled={busy} onClick={() => void create()}>
            Generate key
          </button>
        )}
      </div>
    </section>
  );
}
