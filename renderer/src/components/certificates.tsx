/** Certificates: import a file, inspect fields, chain, fingerprints and validity, export. */
import { useMemo, useState } from 'react';
import type { ApiError, CertificateInfo } from '../../../shared/api/index.js';
import { saveFile } from '../lib/download.js';
import { useKeyhold } from '../store/context.js';
import { ErrorBox, Field, Review, Unavailable, formatDate, useSupported } from './common.js';

function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function ImportBox() {
  const importCertificate = useKeyhold((s) => s.importCertificate);
  const notify = useKeyhold((s) => s.notify);
  const [file, setFile] = useState<File | undefined>();
  const [passphrase, setPassphrase] = useState('');
  const [error, setError] = useState<ApiError | undefined>();
  const isP12 = file !== undefined && /\.(p12|pfx)$/i.test(file.name);
  return (
    <form
      className="stack"
      onSubmit={async (e) => {
        e.preventDefault();
        if (!file) return;
        setError(undefined);
        const bytes = new Uint8Array(await file.arrayBuffer());
        const p = passphrase;
        setPassphrase('');
        const r = await importCertificate({
          data: toBase64(bytes),
          fileName: file.name,
          ...(isP12 && p ? { passphrase: p } : {}),
        });
        bytes.fill(0);
        if (!r.ok) return setError(r.error);
        notify({ kind: 'success', title: `Imported ${r.value.uniqueIdentifiers.length} object(s) from ${file.name}.` });
        setFile(undefined);
      }}
    >
      <Field label="Certificate file" hint="PEM, DER, PKCS#7 or PKCS#12 (.pem .crt .cer .der .p7b .p12 .pfx)">
        {(id, hintId) => (
          <input
            id={id}
            aria-describedby={hintId}
            type="file"
            accept=".pem,.crt,.cer,.der,.p7b,.p12,.pfx"
            onChange={(e) => setFile(e.target.files?.[0])}
          />
        )}
      </Field>
      {isP12 && (
        <Field label="File passphrase">
          {(id) => <input id={id} type="password" value={passphrase} onChange={(e) => setPassphrase(e.target.value)} />}
        </Field>
      )}
      {error && <ErrorBox error={error} />}
      <div className="row">
        <button type="submit" disabled={!file}>
          Import
        </button>
      </div>
    </form>
  );
}

export function Certificates() {
  const canImport = useSupported('certificates.import');
  const canInspect = useSupported('certificates.inspect');
  const objects = useKeyhold((s) => s.objects);
  const inspect = useKeyhold((s) => s.inspectCertificate);
  const exportObject = useKeyhold((s) => s.exportObject);
  const certs = useMemo(() => objects.filter((o) => o.objectType === 'Certificate'), [objects]);
  const [selected, setSelected] = useState<string | undefined>();
  const [info, setInfo] = useState<CertificateInfo | undefined>();
  const [error, setError] = useState<ApiError | undefined>();

  async function show(id: string) {
    setSelected(id);
    setInfo(undefined);
    setError(undefined);
    const r = await inspect({ uniqueIdentifier: id });
    if (r.ok) setInfo(r.value);
    else setError(r.error);
  }

  return (
    <div className="two-col">
      <section className="card" aria-labelledby="certs-title">
        <h2 id="certs-title">Certificates</h2>
        {canImport ? <ImportBox /> : <Unavailable what="Certificate import" calls={['certificates.import']} />}
        <h3>In the vault</h3>
        {certs.length === 0 ? (
          <p className="muted">No certificates yet. Import one, or sign a request with the local CA.</p>
        ) : (
          <ul className="pick-list" aria-label="Certificates in the vault">
            {certs.map((c) => (
              <li key={c.uniqueIdentifier}>
                <button
                  type="button"
                  className={selected === c.uniqueIdentifier ? 'pick active' : 'pick'}
                  onClick={() => void show(c.uniqueIdentifier)}
                >
                  <strong>{c.name || c.uniqueIdentifier}</strong>
                  <span className="muted small">{formatDate(c.initialDate)}</span>
                </button>
              </li>
            ))}
          </ul>
        )}
      </section>
      <section className="card" aria-label="Certificate details">
        {!canInspect ? (
          <Unavailable what="Certificate inspection" calls={['certificates.inspect']} />
        ) : error ? (
          <ErrorBox error={error} />
        ) : info && selected ? (
          <>
            <h2>{info.subject}</h2>
            <Review
              rows={[
                ['Issuer', info.issuer],
                ['Serial number', <code key="s">{info.serialNumber}</code>],
                ['Valid from', formatDate(info.notBefore)],
                ['Valid until', formatDate(info.notAfter)],
                ['Alternative names', info.subjectAlternativeNames.join(', ') || '—'],
                ['Key usage', info.keyUsage.join(', ') || '—'],
                ['Extended key usage', info.extendedKeyUsage.join(', ') || '—'],
                ['CA', info.isCertificateAuthority ? 'Yes' : 'No'],
                ['SHA-256', <code key="a">{info.fingerprints.sha256}</code>],
                ['SHA-1', <code key="b">{info.fingerprints.sha1}</code>],
                ['Chain', info.chain.join(' → ')],
              ]}
            />
            <div className="row actions-row">
              {(['PEM', 'DER'] as const).map((f) => (
                <button
                  key={f}
                  type="button"
                  className="secondary"
                  onClick={async () => {
                    const r = await exportObject({ uniqueIdentifier: selected, format: f });
                    if (r.ok) saveFile(r.value);
                    else setError(r.error);
                  }}
                >
                  Export {f}
                </button>
              ))}
            </div>
            <p className="muted small">
              For PKCS#12 with the private key, select the key in the Vault list: its export asks for a file passphrase.
            </p>
          </>
        ) : (
          <p className="muted">Select a certificate to inspect its fields, chain and fingerprints.</p>
        )}
      </section>
    </div>
  );
}
