/**
 * A KMIP client's Credential as the server panel asks for it: the username the client sends and
 * its password, typed twice, with a strength hint. The draft lives only in the form's own state
 * (never in the store); the form clears it once it has been sent, whatever the answer.
 */
import { Field } from './common.js';
import { SecretField } from './secret-field.js';

export interface CredentialDraft {
  username: string;
  password: string;
  confirm: string;
}

export const emptyCredential: CredentialDraft = { username: '', password: '', confirm: '' };

/** The draft with both passwords dropped (the username stays). */
export function withoutPasswords(draft: CredentialDraft): CredentialDraft {
  return { ...draft, password: '', confirm: '' };
}

/** The username the client will send: the one typed, else the default shown as placeholder. */
export function credentialUsername(draft: CredentialDraft, defaultUsername: string): string {
  return draft.username.trim() === '' ? defaultUsername : draft.username.trim();
}

/** Why the draft cannot be sent yet, in words; undefined when it can. */
export function credentialProblem(draft: CredentialDraft, defaultUsername: string): string | undefined {
  if (credentialUsername(draft, defaultUsername) === '') return 'Enter the username the client will send.';
  if (draft.password === '') return 'Enter the password the client will send.';
  if (draft.confirm !== draft.password) return 'The two passwords differ: type the same password twice.';
  return undefined;
}

export function CredentialFields({
  draft,
  onChange,
  defaultUsername,
  disabled = false,
}: {
  draft: CredentialDraft;
  onChange: (draft: CredentialDraft) => void;
  /** Used when the username is left empty (the client's name, or the username it has now). */
  defaultUsername: string;
  disabled?: boolean;
}) {
  const mismatch = draft.confirm !== '' && draft.confirm !== draft.password;
  return (
    <div className="credential-fields">
      <Field
        label="Credential username"
        hint={`What the client sends as its KMIP username${defaultUsername ? ` (empty: ${defaultUsername})` : ''}.`}
      >
        {(id, hintId) => (
          <input
            id={id}
            value={draft.username}
            placeholder={defaultUsername}
            aria-describedby={hintId}
            maxLength={256}
            autoComplete="off"
            disabled={disabled}
            onChange={(e) => onChange({ ...draft, username: e.target.value })}
          />
        )}
      </Field>
      <SecretField
        label="Credential password"
        hint="Keyhold keeps only a salted scrypt hash of it."
        value={draft.password}
        onChange={(password) => onChange({ ...draft, password })}
        meter="password"
        maxLength={1024}
        disabled={disabled}
      />
      <SecretField
        label="Confirm password"
        hint={mismatch ? 'The two passwords differ.' : 'Type it again.'}
        value={draft.confirm}
        onChange={(confirm) => onChange({ ...draft, confirm })}
        invalid={mismatch}
        maxLength={1024}
        disabled={disabled}
      />
    </div>
  );
}
