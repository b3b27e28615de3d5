/** First run and the lock screen: create a vault, open another, unlock. */
import { useState } from 'react';
import type { FormEvent } from 'react';
import { estimateStrength } from '../lib/strength.js';
import { useKeyhold } from '../store/context.js';
import { ErrorBox, Field, useSupported, Working } from './common.js';
import { SecretField } from './secret-field.js';

function Brand() {
  return (
    <div className="gate-brand">
      <span className="logo" aria-hidden="true">
        ⬢
      </span>
      <h1>Keyhold</h1>
      <p className="muted">Keys, certificates and secrets in an encrypted vault that speaks KMIP.</p>
    </div>
  );
}

function OpenOther({ onDone }: { onDone: () => void }) {
  const [path, setPath] = useState('');
  const open = useKeyhold((s) => s.openVault);
  const supported = useSupported('vault.open');
  return (
    <form
      className="stack"
      onSubmit={async (e) => {
        e.preventDefault();
        if (await open(path)) onDone();
      }}
    >
      <Field label="Vault file" hint="The path of an existing .kvault file on this computer.">
        {(id, hintId) => (
          <input
            id={id}
            aria-describedby={hintId}
            value={path}
            onChange={(e) => setPath(e.target.value)}
            placeholder="/home/me/keys.kvault"
            required
          />
        )}
      </Field>
      <div className="row">
        <button type="button" className="secondary" onClick={onDone}>
          Back
        </button>
        <button type="submit" disabled={!supported || path.length === 0}>
          Open vault
        </button>
      </div>
    </form>
  );
}

export function CreateVault() {
  const vault = useKeyhold((s) => s.vault);
  const status = useKeyhold((s) => s.vaultStatus);
  const error = useKeyhold((s) => s.vaultError);
  const create = useKeyhold((s) => s.createVault);
  const supported = useSupported('vault.create');
  const [passphrase, setPassphrase] = useState('');
  const [confirm, setConfirm] = useState('');
  const [openOther, setOpenOther] = useState(false);
  const strength = estimateStrength(passphrase);
  const mismatch = confirm.length > 0 && confirm !== passphrase;
  const ready = passphrase.length >= 8 && confirm === passphrase && strength.score >= 2;

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!ready) return;
    const p = passphrase;
    setPassphrase('');
    setConfirm('');
    await create(p);
  }

  return (
    <main className="gate" aria-labelledby="gate-title">
      <Brand />
      <section className="card gate-card">
        <h2 id="gate-title">{openOther ? 'Open a vault' : 'Create your vault'}</h2>
        {openOther ? (
          <OpenOther onDone={() => setOpenOther(false)} />
        ) : (
          <form className="stack" onSubmit={submit}>
            <p className="muted small">
              New vault at <code>{vault?.path}</code>. Its passphrase cannot be recovered: choose one you will remember,
              or keep it in a safe place.
            </p>
            <SecretField
              label="Passphrase"
              hint="At least 8 characters; several unrelated words make a strong one."
              value={passphrase}
              onChange={setPassphrase}
              meter="passphrase"
              autoFocus
            />
            <SecretField label="Confirm passphrase" value={confirm} onChange={setConfirm} invalid={mismatch} />
            {mismatch && <p className="field-error">The two passphrases differ.</p>}
            {status === 'working' && (
              <Working text="Creating the vault: deriving the key with Argon2id. This takes a few seconds…" />
            )}
            {status === 'error' && error && <ErrorBox error={error} />}
            {!supported && (
              <p className="field-error">Creating a vault needs the vault engine, which is not in this build yet.</p>
            )}
            <div className="row">
              <button type="button" className="secondary" onClick={() => setOpenOther(true)}>
                Open another vault…
              </button>
              <button type="submit" disabled={!ready || status === 'working' || !supported}>
                Create vault
              </button>
            </div>
          </form>
        )}
      </section>
    </main>
  );
}

export function UnlockVault() {
  const vault = useKeyhold((s) => s.vault);
  const status = useKeyhold((s) => s.vaultStatus);
  const error = useKeyhold((s) => s.vaultError);
  const unlock = useKeyhold((s) => s.unlockVault);
  const supported = useSupported('vault.unlock');
  const [passphrase, setPassphrase] = useState('');
  const [openOther, setOpenOther] = useState(false);

  return (
    <main className="gate" aria-labelledby="gate-title">
      <Brand />
      <section className="card gate-card">
        <h2 id="gate-title">{openOther ? 'Open a vault' : 'Unlock the vault'}</h2>
        {openOther ? (
          <OpenOther onDone={() => setOpenOther(false)} />
        ) : (
          <form
            className="stack"
            onSubmit={async (e) => {
              e.preventDefault();
              const p = passphrase;
              setPassphrase('');
              await unlock(p);
            }}
          >
            <p className="muted small">
              <code>{vault?.path}</code> is locked.
            </p>
            <SecretField
              label="Passphrase"
              value={passphrase}
              onChange={setPassphrase}
              autoComplete="current-password"
              autoFocus
            />
            {status === 'working' && <Working text="Unlocking: deriving the key with Argon2id…" />}
            {status === 'error' && error && <ErrorBox error={error} />}
            {!supported && (
              <p className="field-error">Unlocking needs the vault engine, which is not in this build yet.</p>
            )}
            <div className="row">
              <button type="button" className="secondary" onClick={() => setOpenOther(true)}>
                Open another vault…
              </button>
              <button type="submit" disabled={passphrase.length === 0 || status === 'working' || !supported}>
                Unlock
              </button>
            </div>
          </form>
        )}
      </section>
    </main>
  );
}
