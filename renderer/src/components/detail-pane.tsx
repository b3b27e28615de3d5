/** The selected object: attributes, links, lifecycle timeline, its audit entries, and actions. */
import { useState } from 'react';
import { exportFormats } from '../../../shared/api/index.js';
import type { ObjectDetail } from '../../../shared/api/index.js';
import { copyWithClear } from '../lib/clipboard.js';
import { saveFile } from '../lib/download.js';
import { useKeyhold } from '../store/context.js';
import { Field, StateBadge, formatDate, spaced, typeLabels, useSupported } from './common.js';
import { SecretField } from './secret-field.js';

type Tab = 'attributes' | 'links' | 'lifecycle' | 'audit';

const formatsFor: Record<string, readonly string[]> = {
  SymmetricKey: ['Raw', 'JWK'],
  PrivateKey: ['PKCS8', 'PEM', 'DER', 'PKCS12', 'JWK', 'OpenSSH'],
  PublicKey: ['PEM', 'DER', 'JWK', 'OpenSSH'],
  Certificate: ['PEM', 'DER', 'PKCS12'],
  CertificateRequest: ['PEM', 'DER'],
  SecretData: ['Raw'],
};

function ExportBox({ detail }: { detail: ObjectDetail }) {
  const exportObject = useKeyhold((s) => s.exportObject);
  const notifyError = useKeyhold((s) => s.notifyError);
  const notify = useKeyhold((s) => s.notify);
  const formats = formatsFor[detail.summary.objectType] ?? exportFormats;
  const [format, setFormat] = useState<string>(formats[0] ?? 'PEM');
  const [passphrase, setPassphrase] = useState('');
  const needsPassphrase = format === 'PKCS12';
  return (
    <form
      className="export-box"
      onSubmit={async (e) => {
        e.preventDefault();
        const p = passphrase;
        setPassphrase('');
        const r = await exportObject({
          uniqueIdentifier: detail.summary.uniqueIdentifier,
          format: format as (typeof exportFormats)[number],
          ...(needsPassphrase ? { passphrase: p } : {}),
        });
        if (!r.ok) return notifyError(r.error);
        saveFile(r.value);
        notify({ kind: 'success', title: `Exported ${r.value.fileName}.` });
      }}
    >
      <Field label="Export format">
        {(id) => (
          <select id={id} value={format} onChange={(e) => setFormat(e.target.value)}>
            {formats.map((f) => (
              <option key={f} value={f}>
                {f === 'PKCS12' ? 'PKCS#12' : f === 'PKCS8' ? 'PKCS#8' : f}
              </option>
            ))}
          </select>
        )}
      </Field>
      {needsPassphrase && (
        <SecretField
          label="File passphrase"
          hint="Protects the exported file."
          value={passphrase}
          onChange={setPassphrase}
        />
      )}
      <button type="submit" className="secondary" disabled={needsPassphrase && passphrase.length < 8}>
        Export…
      </button>
    </form>
  );
}

function Actions({ detail }: { detail: ObjectDetail }) {
  const runAction = useKeyhold((s) => s.runAction);
  const notify = useKeyhold((s) => s.notify);
  const clearSeconds = useKeyhold((s) => s.settings.clipboardClearSeconds);
  const [confirmDestroy, setConfirmDestroy] = useState(false);
  const canActivate = useSupported('objects.activate');
  const canRevoke = useSupported('objects.revoke');
  const canDestroy = useSupported('objects.destroy');
  const canRekey = useSupported('objects.rekey');
  const { uniqueIdentifier, state, objectType } = detail.summary;
  const destroyed = state === 'Destroyed' || state === 'DestroyedCompromised';
  return (
    <div className="actions" role="group" aria-label="Actions">
      <button
        type="button"
        disabled={!canActivate || state !== 'PreActive'}
        onClick={() => void runAction('activate', uniqueIdentifier)}
      >
        Activate
      </button>
      <button
        type="button"
        className="secondary"
        disabled={!canRevoke || destroyed || state === 'PreActive'}
        onClick={() => void runAction('revoke', uniqueIdentifier)}
      >
        Revoke
      </button>
      <button
        type="button"
        className="secondary"
        disabled={!canRekey || destroyed || objectType !== 'SymmetricKey'}
        onClick={() => void runAction('rekey', uniqueIdentifier)}
      >
        Rekey
      </button>
      {confirmDestroy ? (
        <span className="confirm">
          Destroy the key material for good?{' '}
          <button
            type="button"
            className="danger"
            onClick={() => void runAction('destroy', uniqueIdentifier).then(() => setConfirmDestroy(false))}
          >
            Destroy
          </button>
          <button type="button" className="ghost" onClick={() => setConfirmDestroy(false)}>
            Cancel
          </button>
        </span>
      ) : (
        <button
          type="button"
          className="danger-outline"
          disabled={!canDestroy || destroyed || state === 'Active'}
          onClick={() => setConfirmDestroy(true)}
        >
          Destroy…
        </button>
      )}
      <button
        type="button"
        className="ghost"
        onClick={async () => {
          await copyWithClear(uniqueIdentifier, clearSeconds);
          notify({
            kind: 'success',
            title: 'Identifier copied.',
            action: `The clipboard is cleared in ${clearSeconds} seconds.`,
          });
        }}
      >
        Copy identifier
      </button>
    </div>
  );
}

export function DetailPane() {
  const detail = useKeyhold((s) => s.detail);
  const status = useKeyhold((s) => s.detailStatus);
  const canExport = useSupported('objects.export');
  const [tab, setTab] = useState<Tab>('attributes');
  if (!detail) {
    return (
      <aside className="detail empty-detail" aria-label="Object details">
        <p className="muted">
          {status === 'loading'
            ? 'Loading…'
            : 'Select an object to see its attributes, links, lifecycle and audit entries.'}
        </p>
      </aside>
    );
  }
  const s = detail.summary;
  const tabs: [Tab, string, number][] = [
    ['attributes', 'Attributes', detail.attributes.length],
    ['links', 'Links', detail.links.length],
    ['lifecycle', 'Lifecycle', detail.lifecycle.length],
    ['audit', 'Audit', detail.audit.length],
  ];
  return (
    <aside className="detail" aria-label="Object details">
      <header className="detail-head">
        <div>
          <h2>{s.name || s.uniqueIdentifier}</h2>
          <p className="muted small">
            {typeLabels[s.objectType] ?? s.objectType} · <code>{s.uniqueIdentifier}</code>
          </p>
        </div>
        <StateBadge state={s.state} />
      </header>
      <Actions detail={detail} />
      {canExport && <ExportBox detail={detail} />}
      <div role="tablist" aria-label="Object information" className="tabs">
        {tabs.map(([t, label, n]) => (
          <button
            key={t}
            type="button"
            role="tab"
            id={`tab-${t}`}
            aria-selected={tab === t}
            aria-controls={`panel-${t}`}
            className={tab === t ? 'tab active' : 'tab'}
            onClick={() => setTab(t)}
          >
            {label} <span className="count">{n}</span>
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`} className="tabpanel">
        {tab === 'attributes' && (
          <table className="kv">
            <tbody>
              {detail.attributes.map((a) => (
                <tr key={`${a.name}#${a.index}`}>
                  <th scope="row">
                    {spaced(a.name)}
                    {a.index > 0 ? ` [${a.index}]` : ''}
                  </th>
                  <td>{/^\d{4}-\d\d-\d\dT[\d:.]+Z$/.test(a.value) ? formatDate(a.value) : a.value}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {tab === 'links' &&
          (detail.links.length === 0 ? (
            <p className="muted">No links.</p>
          ) : (
            <ul className="plain">
              {detail.links.map((l) => (
                <li key={`${l.linkType}${l.linkedObjectIdentifier}`}>
                  <strong>{l.linkType}</strong> → <code>{l.linkedObjectIdentifier}</code>
                </li>
              ))}
            </ul>
          ))}
        {tab === 'lifecycle' && (
          <ol className="timeline">
            {detail.lifecycle.map((e) => (
              <li key={e.event + e.date}>
                <span className="dot" aria-hidden="true" />
                <strong>{e.event.replace(/Date$/, '').replace(/([a-z])([A-Z])/g, '$1 $2')}</strong>
                <span className="muted small">{formatDate(e.date)}</span>
              </li>
            ))}
          </ol>
        )}
        {tab === 'audit' && (
          <ul className="plain audit-mini">
            {detail.audit.map((e) => (
              <li key={e.sequence}>
                <span className="muted small">#{e.sequence}</span> <strong>{e.operation}</strong> by {e.actor}{' '}
                <span className="muted small">{formatDate(e.timestamp)}</span>
              </li>
            ))}
          </ul>
        )}
      </div>
    </aside>
  );
}
