/**
 * One field for every secret the window asks for (vault passphrase, export passphrase, token PIN,
 * a KMIP client's password): a password input, never spell-checked, remembered by the browser
 * only where it is the secret to unlock with, optionally with a strength meter. The value is the
 * caller's state, cleared by the caller once it has been sent.
 */
import { Field } from './common.js';
import { StrengthMeter } from './strength-meter.js';

export function SecretField({
  label,
  hint,
  value,
  onChange,
  autoComplete = 'new-password',
  meter,
  invalid,
  autoFocus,
  disabled,
  maxLength,
}: {
  label: string;
  hint?: string;
  value: string;
  onChange: (value: string) => void;
  /** 'new-password' (the default) for a secret being chosen, 'current-password' to unlock, 'off' for a PIN. */
  autoComplete?: 'new-password' | 'current-password' | 'off';
  /** Show a strength meter for it, naming what is measured ('passphrase', 'password'). */
  meter?: string;
  invalid?: boolean;
  autoFocus?: boolean;
  disabled?: boolean;
  maxLength?: number;
}) {
  return (
    <Field label={label} {...(hint !== undefined ? { hint } : {})}>
      {(id, hintId) => (
        <>
          <input
            id={id}
            type="password"
            autoComplete={autoComplete}
            spellCheck={false}
            value={value}
            maxLength={maxLength}
            disabled={disabled}
            autoFocus={autoFocus}
            aria-invalid={invalid === true ? true : undefined}
            aria-describedby={describedBy(hintId, meter !== undefined ? `${id}-strength` : undefined)}
            onChange={(e) => onChange(e.target.value)}
          />
          {meter !== undefined && <StrengthMeter passphrase={value} id={`${id}-strength`} what={meter} />}
        </>
      )}
    </Field>
  );
}

/** The hint (e.g. "The two passwords differ.") and the strength meter, read with the input. */
function describedBy(...named: (string | undefined)[]): string | undefined {
  const ids = named.filter((x) => x !== undefined);
  return ids.length > 0 ? ids.join(' ') : undefined;
}
