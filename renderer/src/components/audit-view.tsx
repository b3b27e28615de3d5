/** The audit chain, filterable, with its verification result. */
import { useEffect, useMemo, useState } from 'react';
import { useKeyhold } from '../store/context.js';
import { Field, formatDate, GridTable, Unavailable, useSupported } from './common.js';

export function AuditView() {
  const supported = useSupported('audit.list');
  const canVerify = useSupported('audit.verify');
  const audit = useKeyhold((s) => s.audit);
  const status = useKeyhold((s) => s.auditStatus);
  const verification = useKeyhold((s) => s.verification);
  const loadAudit = useKeyhold((s) => s.loadAudit);
  const verifyAudit = useKeyhold((s) => s.verifyAudit);
  const [text, setText] = useState('');
  useEffect(() => {
    if (supported) {
      void loadAudit();
      if (canVerify) void verifyAudit();
    }
  }, [supported, canVerify, loadAudit, verifyAudit]);
  const shown = useMemo(() => {
    const t = text.trim().toLowerCase();
    const list = t
      ? audit.filter((e) =>
          `${e.operation} ${e.actor} ${e.uniqueIdentifier ?? ''} ${e.outcome}`.toLowerCase().includes(t),
        )
      : audit;
    return list.slice(-2000).reverse();
  }, [audit, text]);
  if (!supported) return <Unavailable what="The audit log" calls={['audit.list', 'audit.verify']} />;
  return (
    <section className="card audit-card" aria-labelledby="audit-title">
      <div className="card-head">
        <h2 id="audit-title">Audit log</h2>
        <button type="button" className="secondary" disabled={!canVerify} onClick={() => void verifyAudit()}>
          Verify chain
        </button>
      </div>
      {verification && (
        <div
          className={`notice ${verification.valid ? 'notice-success' : 'notice-error'}`}
          role="status"
          data-testid="audit-verification"
        >
          <strong>
            {verification.valid ? `Chain verified: ${verification.entries} entries, unbroken.` : 'The chain is broken.'}
          </strong>
          <span>
            {verification.valid
              ? verification.message
              : `${verification.message} First bad entry: #${verification.firstInvalidSequence}. Keep this vault file for investigation and restore from a backup.`}
          </span>
        </div>
      )}
      <Field label="Filter entries">
        {(id) => (
          <input
            id={id}
            type="search"
            value={text}
            onChange={(e) => setText(e.target.value)}
            placeholder="Operation, actor, identifier…"
          />
        )}
      </Field>
      {status === 'loading' && <p className="muted">Loading…</p>}
      <GridTable label="Audit entries" columns={['#', 'Time', 'Operation', 'Actor', 'Object', 'Outcome', 'Hash']}>
        {shown.map((e) => (
          <tr key={e.sequence}>
            <td>{e.sequence}</td>
            <td>{formatDate(e.timestamp)}</td>
            <td>{e.operation}</td>
            <td>{e.actor}</td>
            <td>
              <code>{e.uniqueIdentifier ?? '—'}</code>
            </td>
            <td>{e.outcome}</td>
            <td>
              <code title={e.hash}>{e.hash.slice(0, 12)}…</code>
            </td>
          </tr>
        ))}
      </GridTable>
    </section>
  );
}
