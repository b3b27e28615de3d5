/**
 * Pieces the Tokens panel and the unlock-method wizards share: the token picker (a select of the
 * tokens present, or what to do when there is none), the PIN field (never autofilled or kept by
 * the browser), and the box that says what went wrong and what to do.
 */
import { useEffect, useRef } from 'react';
import type { RefObject } from 'react';
import type { TokenSummary } from '../../../shared/api/index.js';
import type { Problem } from '../store/tokens-slice.js';
import { Field } from './common.js';
import { SecretField } from './secret-field.js';

export function ProblemBox({ problem }: { problem: Problem }) {
  const ref = useRef<HTMLDivElement>(null);
  // A failure must be seen where the person is looking, even below a long objects table.
  useEffect(() => {
    ref.current?.scrollIntoView?.({ block: 'nearest' });
  }, [problem]);
  return (
    <div ref={ref} className="notice notice-error" role="alert">
      <strong>{problem.title}</strong> <span>{problem.action}</span>
    </div>
  );
}

/** The token chosen: the one picked, else the first present. */
export function chosenToken(tokens: readonly TokenSummary[], picked: string): string {
  return tokens.some((t) => t.label === picked) ? picked : (tokens[0]?.label ?? '');
}

export function TokenPicker({
  tokens,
  value,
  onChange,
  label = 'Token',
}: {
  tokens: readonly TokenSummary[];
  value: string;
  onChange: (label: string) => void;
  label?: string;
}) {
  if (tokens.length === 0)
    return <p className="empty">No token is plugged in. Insert your token or smart card, then try again.</p>;
  return (
    <Field label={label}>
      {(id) => (
        <select id={id} value={chosenToken(tokens, value)} onChange={(e) => onChange(e.target.value)}>
          {tokens.map((t) => (
            <option key={`${t.modulePath}:${t.slotId}`} value={t.label}>
              {t.label} — {t.manufacturer} {t.model}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

/** A PIN input: password type, no autocomplete, the value held by the caller only for the call. */
export function PinField({
  label,
  hint,
  value,
  onChange,
  autoFocus,
  invalid,
}: {
  label: string;
  hint?: string;
  value: string;
  onChange: (pin: string) => void;
  autoFocus?: boolean;
  invalid?: boolean;
}) {
  return (
    <SecretField
      label={label}
      {...(hint !== undefined ? { hint } : {})}
      value={value}
      onChange={onChange}
      autoComplete="off"
      {...(autoFocus !== undefined ? { autoFocus } : {})}
      {...(invalid !== undefined ? { invalid } : {})}
    />
  );
}

/** A ref that brings a wizard into view when it opens (it may open below a long objects table). */
export function useRevealed<T extends HTMLElement>(): RefObject<T | null> {
  const ref = useRef<T>(null);
  useEffect(() => {
    ref.current?.scrollIntoView?.({ block: 'nearest' });
  }, []);
  return ref;
}

/** Label of the key-encryption key token backups use by default (main/tokens/pkcs11 DEFAULT_KEK_LABEL). */
export const BACKUP_KEK_LABEL = 'keyhold-kek';
