/** Small shared pieces: notices, the unavailable panel, wizard steps, fields. */
import { useId } from 'react';
import type { ReactNode } from 'react';
import { describeError } from '../../../shared/api/index.js';
import type { ApiError, CallName } from '../../../shared/api/index.js';
import { useKeyhold } from '../store/context.js';

export function useSupported(...calls: CallName[]): boolean {
  const caps = useKeyhold((s) => s.capabilities);
  return caps !== undefined && calls.every((c) => caps.calls[c] === true);
}

export function Unavailable({ what, calls }: { what: string; calls: CallName[] }) {
  const caps = useKeyhold((s) => s.capabilities);
  const missing = calls.filter((c) => caps?.calls[c] !== true);
  return (
    <div className="unavailable" role="status">
      <h3>{what} is not available in this build yet</h3>
      <p>
        The part of Keyhold that does this has not been installed, so nothing can be shown or changed here. Other
        screens keep working.
      </p>
      {missing.length > 0 && (
        <p className="muted small">
          Missing: <code>{missing.join(', ')}</code>
        </p>
      )}
    </div>
  );
}

/** Errors whose title says all; the engine's wording adds nothing for a person. */
const selfExplaining = new Set(['wrong-passphrase', 'vault-locked']);

export function ErrorBox({ error }: { error: ApiError }) {
  const t = describeError(error);
  return (
    <div className="notice notice-error" role="alert">
      <strong>{t.title}</strong>
      <span>{t.action}</span>
      {t.detail && !selfExplaining.has(error.code) && <span className="muted small">{t.detail}</span>}
    </div>
  );
}

export function NoticeBar() {
  const notice = useKeyhold((s) => s.notice);
  const dismiss = useKeyhold((s) => s.dismissNotice);
  if (!notice) return null;
  return (
    <div className={`notice notice-${notice.kind} notice-bar`} role={notice.kind === 'error' ? 'alert' : 'status'}>
      <div>
        <strong>{notice.title}</strong>
        {notice.action && <span> {notice.action}</span>}
        {notice.detail && notice.detail !== notice.title && <div className="muted small">{notice.detail}</div>}
      </div>
      <button type="button" className="ghost" onClick={dismiss} aria-label="Dismiss message">
        ✕
      </button>
    </div>
  );
}

/** An indeterminate progress bar with what is happening (a KDF, work on a token…). */
export function Working({ text }: { text: string }) {
  return (
    <div className="working" role="status" aria-live="polite">
      <div className="progress indeterminate" role="progressbar" aria-label={text} />
      <span>{text}</span>
    </div>
  );
}

export function Steps({ steps, current }: { steps: string[]; current: number }) {
  return (
    <ol className="steps" aria-label="Steps">
      {steps.map((s, i) => (
        <li
          key={s}
          className={i === current ? 'current' : i < current ? 'done' : ''}
          aria-current={i === current ? 'step' : undefined}
        >
          <span className="step-num">{i + 1}</span> {s}
        </li>
      ))}
    </ol>
  );
}

export function Field(props: {
  label: string;
  hint?: string;
  className?: string;
  /** Renders the input: give it `id`, and `hintId` (the hint's id, when there is a hint) as aria-describedby. */
  children: (id: string, hintId: string | undefined) => ReactNode;
}) {
  const { label, hint, className, children } = props;
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  return (
    <div className={className ? `field ${className}` : 'field'}>
      <label htmlFor={id}>{label}</label>
      {children(id, hintId)}
      {/* The input names it in aria-describedby, so the hint is read with it, not only shown beside it. */}
      {hintId && (
        <span className="hint" id={hintId}>
          {hint}
        </span>
      )}
    </div>
  );
}

/**
 * A table in the window's grid style: named for screen readers, one header per column (scope
 * col), and where rows have buttons a last column whose header is named Actions but not shown.
 */
export function GridTable({
  label,
  columns,
  actions = false,
  children,
}: {
  label: string;
  columns: string[];
  actions?: boolean;
  children: ReactNode;
}) {
  return (
    <table className="grid" aria-label={label}>
      <thead>
        <tr>
          {columns.map((c) => (
            <th key={c} scope="col">
              {c}
            </th>
          ))}
          {actions && <th scope="col" aria-label="Actions" />}
        </tr>
      </thead>
      <tbody>{children}</tbody>
    </table>
  );
}

export function Review({ rows }: { rows: [string, ReactNode][] }) {
  return (
    <dl className="review">
      {rows.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

export function formatDate(iso: string | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** Object states in words. */
export const stateLabels: Record<string, string> = {
  PreActive: 'Pre-Active',
  Active: 'Active',
  Deactivated: 'Deactivated',
  Compromised: 'Compromised',
  Destroyed: 'Destroyed',
  DestroyedCompromised: 'Destroyed (compromised)',
};

export const typeLabels: Record<string, string> = {
  SymmetricKey: 'Symmetric key',
  PublicKey: 'Public key',
  PrivateKey: 'Private key',
  Certificate: 'Certificate',
  CertificateRequest: 'Certificate request',
  SecretData: 'Secret data',
  SplitKey: 'Split key',
  OpaqueObject: 'Opaque object',
  PGPKey: 'PGP key',
  Template: 'Template',
};

export function StateBadge({ state }: { state: string }) {
  return <span className={`badge state-${state}`}>{stateLabels[state] ?? state}</span>;
}

/** A KMIP tag name as the spec writes it: "CryptographicUsageMask" -> "Cryptographic Usage Mask". */
export function spaced(tag: string): string {
  return tag.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2');
}
