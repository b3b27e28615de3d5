/** Certificate request: choose the key, subject, SANs and usages, review the decoded request, then save or sign. */
import { useMemo, useState } from 'react';
import { sanTypes } from '../../../shared/api/index.js';
import type { ApiError, CertificateInfo, CsrCreated, Request } from '../../../shared/api/index.js';
import { saveFile } from '../lib/download.js';
import { useKeyhold } from '../store/context.js';
import { ErrorBox, Field, Review, Steps, Unavailable, formatDate, useSupported } from './common.js';

type SanType = (typeof sanTypes)[number];
const keyUsageChoices = ['digitalSignature', 'keyEncipherment', 'keyAgreement', 'nonRepudiation'];
const ekuChoices = ['serverAuth', 'clientAuth', 'codeSigning', 'emailProtection'];
const steps = ['Key', 'Subject', 'Names and usages', 'Review request', 'Save or sign'];

export function CsrWizard() {
  const supported = useSupported('csr.create');
  const canSign = useSupported('ca.sign', 'ca.status');
  const objects = useKeyhold((s) => s.objects);
  const createCsr = useKeyhold((s) => s.createCsr);
  const signCsr = useKeyhold((s) => s.signCsr);
  const caStatus = useKeyhold((s) => s.caStatus);
  const createCa = useKeyhold((s) => s.createCa);
  const exportObject = useKeyhold((s) => s.exportObject);
  const setScreen = useKeyhold((s) => s.setScreen);
  const privateKeys = useMemo(
    () => objects.filter((o) => o.objectType === 'PrivateKey' && o.state !== 'Destroyed'),
    [objects],
  );
  const [step, setStep] = useState(0);
  const [key, setKey] = useState('');
  const [subject, setSubject] = useState({
    commonName: '',
    organization: '',
    organizationalUnit: '',
    locality: '',
    country: '',
  });
  const [sans, setSans] = useState<{ type: SanType; value: string }[]>([]);
  const [sanType, setSanType] = useState<SanType>('dns');
  const [sanValue, setSanValue] = useState('');
  const [keyUsage, setKeyUsage] = useState<string[]>(['digitalSignature']);
  const [eku, setEku] = useState<string[]>(['serverAuth']);
  const [csr, setCsr] = useState<CsrCreated | undefined>();
  const [signed, setSigned] = useState<{ uniqueIdentifier: string; certificate: CertificateInfo } | undefined>();
  const [validity, setValidity] = useState(365);
  const [error, setError] = useState<ApiError | undefined>();
  const [busy, setBusy] = useState(false);

  if (!supported) return <Unavailable what="Certificate requests" calls={['csr.create']} />;
  const keyId = key || privateKeys[0]?.uniqueIdentifier || '';

  async function makeRequest() {
    setBusy(true);
    setError(undefined);
    const s: Request<'csr.create'>['subject'] = { commonName: subject.commonName.trim() };
    if (subject.organization) s.organization = subject.organization;
    if (subject.organizationalUnit) s.organizationalUnit = subject.organizationalUnit;
    if (subject.locality) s.locality = subject.locality;
    if (subject.country) s.country = subject.country.toUpperCase();
    const r = await createCsr({
      keyUniqueIdentifier: keyId,
      subject: s,
      subjectAlternativeNames: sans,
      keyUsage,
      extendedKeyUsage: eku,
    });
    setBusy(false);
    if (!r.ok) return setError(r.error);
    setCsr(r.value);
    setStep(3);
  }

  async function sign() {
    if (!csr) return;
    setBusy(true);
    setError(undefined);
    const ca = await caStatus({});
    if (ca.ok && !ca.value.exists) {
      const made = await createCa({ subject: { commonName: 'Keyhold Local CA' }, validityDays: 3650 });
      if (!made.ok) {
        setBusy(false);
        return setError(made.error);
      }
    }
    const r = await signCsr({ requestUniqueIdentifier: csr.uniqueIdentifier, validityDays: validity });
    setBusy(false);
    if (!r.ok) return setError(r.error);
    setSigned(r.value);
  }

  async function save(format: 'PEM' | 'DER') {
    if (!csr) return;
    const r = await exportObject({ uniqueIdentifier: csr.uniqueIdentifier, format });
    if (!r.ok) return setError(r.error);
    saveFile(r.value);
  }

  const toggle = (list: string[], v: string, on: boolean) => (on ? [...list, v] : list.filter((x) => x !== v));

  return (
    <section className="card wizard" aria-labelledby="wizard-title">
      <h2 id="wizard-title">Certificate signing request</h2>
      <Steps steps={steps} current={step} />
      {step === 0 &&
        (privateKeys.length === 0 ? (
          <div className="stack">
            <p>The vault has no private key yet. A request is signed by the private key of a key pair.</p>
            <div className="row">
              <button type="button" onClick={() => setScreen('generate')}>
                Generate a key pair
              </button>
            </div>
          </div>
        ) : (
          <Field label="Private key" hint="The request carries its public key and is signed with it.">
            {(id, hintId) => (
              <select id={id} aria-describedby={hintId} value={keyId} onChange={(e) => setKey(e.target.value)}>
                {privateKeys.map((k) => (
                  <option key={k.uniqueIdentifier} value={k.uniqueIdentifier}>
                    {k.name || k.uniqueIdentifier} — {k.cryptographicAlgorithm} {k.curve ?? k.cryptographicLength ?? ''}
                  </option>
                ))}
              </select>
            )}
          </Field>
        ))}
      {step === 1 && (
        <div className="grid2">
          <Field label="Common name (CN)" hint="For a TLS server: its host name.">
            {(id, hintId) => (
              <input
                id={id}
                aria-describedby={hintId}
                value={subject.commonName}
                onChange={(e) => setSubject({ ...subject, commonName: e.target.value })}
                required
              />
            )}
          </Field>
          <Field label="Organization (O)">
            {(id) => (
              <input
                id={id}
                value={subject.organization}
                onChange={(e) => setSubject({ ...subject, organization: e.target.value })}
              />
            )}
          </Field>
          <Field label="Organizational unit (OU)">
            {(id) => (
              <input
                id={id}
                value={subject.organizationalUnit}
                onChange={(e) => setSubject({ ...subject, organizationalUnit: e.target.value })}
              />
            )}
          </Field>
          <Field label="Locality (L)">
            {(id) => (
              <input
                id={id}
                value={subject.locality}
                onChange={(e) => setSubject({ ...subject, locality: e.target.value })}
              />
            )}
          </Field>
          <Field label="Country (C)" hint="Two letters, e.g. DE">
            {(id, hintId) => (
              <input
                id={id}
                aria-describedby={hintId}
                maxLength={2}
                value={subject.country}
                onChange={(e) => setSubject({ ...subject, country: e.target.value })}
              />
            )}
          </Field>
        </div>
      )}
      {step === 2 && (
        <div className="stack">
          <fieldset>
            <legend>Subject alternative names</legend>
            <div className="row">
              <select aria-label="Name type" value={sanType} onChange={(e) => setSanType(e.target.value as SanType)}>
                <option value="dns">DNS name</option>
                <option value="ip">IP address</option>
                <option value="email">E-mail</option>
                <option value="uri">URI</option>
              </select>
              <input
                aria-label="Alternative name"
                value={sanValue}
                onChange={(e) => setSanValue(e.target.value)}
                placeholder="www.example.com"
              />
              <button
                type="button"
                className="secondary"
                disabled={!sanValue.trim()}
                onClick={() => {
                  setSans([...sans, { type: sanType, value: sanValue.trim() }]);
                  setSanValue('');
                }}
              >
                Add
              </button>
            </div>
            <ul className="chips">
              {sans.map((s, i) => (
                <li key={`${s.type}:${s.value}`} className="chip">
                  {s.type.toUpperCase()}: {s.value}
                  <button
                    type="button"
                    className="ghost"
                    aria-label={`Remove ${s.value}`}
                    onClick={() => setSans(sans.filter((_, j) => j !== i))}
                  >
                    ✕
                  </button>
                </li>
              ))}
            </ul>
          </fieldset>
          <fieldset className="usages">
            <legend>Key usage</legend>
            {keyUsageChoices.map((u) => (
              <label key={u} className="check">
                <input
                  type="checkbox"
                  checked={keyUsage.includes(u)}
                  onChange={(e) => setKeyUsage(toggle(keyUsage, u, e.target.checked))}
                />{' '}
                {u}
              </label>
            ))}
          </fieldset>
          <fieldset className="usages">
            <legend>Extended key usage</legend>
            {ekuChoices.map((u) => (
              <label key={u} className="check">
                <input
                  type="checkbox"
                  checked={eku.includes(u)}
                  onChange={(e) => setEku(toggle(eku, u, e.target.checked))}
                />{' '}
                {u}
              </label>
            ))}
          </fieldset>
        </div>
      )}
      {step === 3 && csr && (
        <div className="stack">
          <p>The request as a CA will read it:</p>
          <Review
            rows={[
              ['Subject', csr.decoded.subject],
              ['Alternative names', csr.decoded.subjectAlternativeNames.join(', ') || '—'],
              ['Key usage', csr.decoded.keyUsage.join(', ') || '—'],
              ['Extended key usage', csr.decoded.extendedKeyUsage.join(', ') || '—'],
              ['Public key', csr.decoded.publicKeyAlgorithm],
              ['Signature', `${csr.decoded.signatureAlgorithm} — ${csr.decoded.signatureValid ? 'valid' : 'INVALID'}`],
            ]}
          />
          <pre className="pem" aria-label="Request in PEM">
            {csr.pem}
          </pre>
        </div>
      )}
      {step === 4 && csr && (
        <div className="stack">
          {signed ? (
            <>
              <p className="notice notice-success" role="status">
                <strong>Certificate issued by the local CA.</strong>
              </p>
              <Review
                rows={[
                  ['Subject', signed.certificate.subject],
                  ['Issuer', signed.certificate.issuer],
                  ['Valid', `${formatDate(signed.certificate.notBefore)} — ${formatDate(signed.certificate.notAfter)}`],
                  ['SHA-256', <code key="fp">{signed.certificate.fingerprints.sha256}</code>],
                ]}
              />
              <div className="row">
                <button type="button" onClick={() => setScreen('certificates')}>
                  Open in Certificates
                </button>
                <button
                  type="button"
                  className="secondary"
                  onClick={() => {
                    setCsr(undefined);
                    setSigned(undefined);
                    setStep(0);
                  }}
                >
                  Make another request
                </button>
              </div>
            </>
          ) : (
            <>
              <div className="row">
                <button type="button" className="secondary" onClick={() => void save('PEM')}>
                  Save as PEM…
                </button>
                <button type="button" className="secondary" onClick={() => void save('DER')}>
                  Save as DER…
                </button>
              </div>
              <fieldset>
                <legend>Or sign it with the local CA</legend>
                {canSign ? (
                  <div className="row">
                    <Field label="Validity (days)">
                      {(id) => (
                        <input
                          id={id}
                          type="number"
                          min={1}
                          max={3650}
                          value={validity}
                          onChange={(e) => setValidity(Number(e.target.value))}
                        />
                      )}
                    </Field>
                    <button type="button" disabled={busy} onClick={() => void sign()}>
                      Sign with local CA
                    </button>
                  </div>
                ) : (
                  <p className="muted">The local CA is not available in this build yet.</p>
                )}
              </fieldset>
            </>
          )}
        </div>
      )}
      {busy && <div className="progress indeterminate" role="progressbar" aria-label="Working" />}
      {error && <ErrorBox error={error} />}
      <div className="row wizard-nav">
        <button
          type="button"
          className="secondary"
          disabled={step === 0 || busy || step >= 3}
          onClick={() => setStep(step - 1)}
        >
          Back
        </button>
        {step < 2 && (
          <button
            type="button"
            disabled={(step === 0 && !keyId) || (step === 1 && !subject.commonName.trim())}
            onClick={() => setStep(step + 1)}
          >
            Next
          </button>
        )}
        {step === 2 && (
          <button type="button" disabled={busy} onClick={() => void makeRequest()}>
            Create request
          </button>
        )}
        {step === 3 && (
          <button type="button" onClick={() => setStep(4)}>
            Next
          </button>
        )}
      </div>
    </section>
  );
}
