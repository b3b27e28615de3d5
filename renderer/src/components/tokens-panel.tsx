/**
 * Tokens: the PKCS#11 tokens present (USB tokens, smart cards, SoftHSM2), the objects on one after
 * its PIN, and short wizards with a review step: generate a key on it, put a vault key on it, back
 * vault keys up to it, restore a backup, delete an object, change the PIN. The PIN lives in this
 * component's state only while the token is open and is cleared on close.
 */
import { useEffect, useState } from 'react';
import type { TokenObject, TokenSummary } from '../../../shared/api/index.js';
import { useKeyhold } from '../store/context.js';
import type { TokenKeySpec } from '../store/tokens-slice.js';
import { Field, GridTable, Review, Unavailable, useSupported, Working } from './common.js';
import { BACKUP_KEK_LABEL, PinField, ProblemBox, useRevealed } from './token-picker.js';
import { BackupWizard, ChangePinWizard, DeleteObject, ImportWizard, RestoreWizard } from './token-wizards.js';

const flagWords: Record<string, string> = {
  LOGIN_REQUIRED: 'PIN required',
  WRITE_PROTECTED: 'read-only',
  USER_PIN_COUNT_LOW: 'PIN: few tries left',
  USER_PIN_FINAL_TRY: 'PIN: last try',
  USER_PIN_LOCKED: 'PIN locked',
  PROTECTED_AUTHENTICATION_PATH: 'PIN pad',
};

function TokenCard({
  token,
  onOpen,
  onChangePin,
}: {
  token: TokenSummary;
  onOpen: () => void;
  onChangePin: (() => void) | undefined;
}) {
  const shown = token.flags.filter((f) => flagWords[f] !== undefined);
  return (
    <li className="card token-card">
      <div className="card-head">
        <h3>{token.label}</h3>
        <div className="row">
          {onChangePin && (
            <button
              type="button"
              className="secondary"
              onClick={onChangePin}
              aria-label={`Change the PIN of ${token.label}`}
            >
              Change PIN…
            </button>
          )}
          <button type="button" onClick={onOpen} aria-label={`Open token ${token.label}`}>
            Open…
          </button>
        </div>
      </div>
      <dl className="token-info">
        <dt>Maker</dt>
        <dd>{token.manufacturer}</dd>
        <dt>Model</dt>
        <dd>{token.model}</dd>
        <dt>Serial</dt>
        <dd>
          <code>{token.serialNumber}</code>
        </dd>
        <dt>Slot</dt>
        <dd>{token.slotId}</dd>
      </dl>
      {shown.length > 0 && (
        <div className="chips">
          {shown.map((f) => (
            <span key={f} className={f.startsWith('USER_PIN') ? 'badge state-Compromised' : 'badge'}>
              {flagWords[f]}
            </span>
          ))}
        </div>
      )}
    </li>
  );
}

function kindOf(o: TokenObject): string {
  const size = o.curve ?? (o.bits !== undefined ? `${o.bits} bits` : undefined);
  return [o.keyType, size].filter((x) => x !== undefined).join(' ');
}

const classWords: Record<string, string> = {
  SecretKey: 'Secret key',
  PrivateKey: 'Private key',
  PublicKey: 'Public key',
  Certificate: 'Certificate',
  Data: 'Data',
};

function ObjectsTable({ objects, pin, canDelete }: { objects: TokenObject[]; pin: string; canDelete: boolean }) {
  if (objects.length === 0) return <p className="muted">No keys, certificates or data objects on this token yet.</p>;
  return (
    <GridTable label="Objects on the token" columns={['Label', 'Class', 'Type', 'ID', 'Protection']} actions>
      {objects.map((o) => (
        <tr key={`${o.objectClass}:${o.id}:${o.label}`}>
          <td>
            <strong>{o.label || '—'}</strong>
          </td>
          <td>{classWords[o.objectClass] ?? o.objectClass}</td>
          <td>{kindOf(o) || '—'}</td>
          <td>
            <code className="small">{o.id ? `${o.id.slice(0, 16)}${o.id.length > 16 ? '…' : ''}` : '—'}</code>
          </td>
          <td>
            {o.sensitive === true && <span className="badge">sensitive</span>}{' '}
            {o.extractable === false && <span className="badge">stays on token</span>}{' '}
            {o.label === BACKUP_KEK_LABEL && o.objectClass === 'SecretKey' && (
              <span className="badge state-Active">opens token backups</span>
            )}
          </td>
          <td>{canDelete && <DeleteObject pin={pin} object={o} />}</td>
        </tr>
      ))}
    </GridTable>
  );
}

const rsaSizes = [2048, 3072, 4096];
const aesSizes = [128, 192, 256];
const ecCurves = ['P-256', 'P-384', 'P-521'] as const;

function GenerateForm({ pin, onDone }: { pin: string; onDone: () => void }) {
  const revealed = useRevealed<HTMLFormElement>();
  const generate = useKeyhold((s) => s.generateOnToken);
  const token = useKeyhold((s) => s.openedToken);
  const [algorithm, setAlgorithm] = useState<TokenKeySpec['algorithm']>('EC');
  const [length, setLength] = useState(256);
  const [curve, setCurve] = useState<(typeof ecCurves)[number]>('P-256');
  const [name, setName] = useState('');
  const [reviewing, setReviewing] = useState(false);
  const [working, setWorking] = useState(false);
  const spec: TokenKeySpec =
    algorithm === 'EC' ? { algorithm, curve, name: name.trim() } : { algorithm, length, name: name.trim() };
  const sizeText = algorithm === 'EC' ? curve : `${length} bits`;
  if (reviewing)
    return (
      <section className="card narrow" aria-labelledby="gen-review-title">
        <h3 id="gen-review-title">Review: generate on “{token}”</h3>
        <Review
          rows={[
            ['Name', spec.name],
            ['Algorithm', `${algorithm} ${sizeText}`],
            ['Token', token],
            ['Protection', 'Sensitive, not extractable: the private or secret key never leaves the token.'],
          ]}
        />
        <div className="row">
          <button type="button" className="secondary" onClick={() => setReviewing(false)}>
            Back
          </button>
          <button
            type="button"
            disabled={working}
            onClick={() => {
              setWorking(true);
              void generate(pin, spec).then((made) => {
                setWorking(false);
                if (made) onDone();
                else setReviewing(false);
              });
            }}
          >
            {working ? 'Generating…' : 'Generate on token'}
          </button>
        </div>
        {working && <Working text="Generating the key on the token…" />}
      </section>
    );
  return (
    <form
      ref={revealed}
      className="card narrow"
      aria-labelledby="gen-title"
      onSubmit={(e) => {
        e.preventDefault();
        if (spec.name !== '') setReviewing(true);
      }}
    >
      <h3 id="gen-title">Generate key on token</h3>
      <Field label="Name on the token" hint="The key’s label (CKA_LABEL), up to 64 characters.">
        {(id, hintId) => (
          <input
            id={id}
            aria-describedby={hintId}
            required
            maxLength={64}
            value={name}
            onChange={(e) => setName(e.target.value)}
            autoFocus
          />
        )}
      </Field>
      <Field label="Algorithm">
        {(id) => (
          <select
            id={id}
            value={algorithm}
            onChange={(e) => {
              const a = e.target.value as TokenKeySpec['algorithm'];
              setAlgorithm(a);
              setLength(a === 'RSA' ? 3072 : 256);
            }}
          >
            <option value="EC">EC (signing)</option>
            <option value="RSA">RSA</option>
            <option value="AES">AES (encryption, wrapping)</option>
          </select>
        )}
      </Field>
      {algorithm === 'EC' ? (
        <Field label="Curve">
          {(id) => (
            <select id={id} value={curve} onChange={(e) => setCurve(e.target.value as (typeof ecCurves)[number])}>
              {ecCurves.map((c) => (
                <option key={c}>{c}</option>
              ))}
            </select>
          )}
        </Field>
      ) : (
        <Field label="Key size (bits)">
          {(id) => (
            <select id={id} value={length} onChange={(e) => setLength(Number(e.target.value))}>
              {(algorithm === 'RSA' ? rsaSizes : aesSizes).map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </select>
          )}
        </Field>
      )}
      <div className="row">
        <button type="button" className="secondary" onClick={onDone}>
          Cancel
        </button>
        <button type="submit" disabled={name.trim() === ''}>
          Review…
        </button>
      </div>
    </form>
  );
}

type TokenWizard = 'generate' | 'import' | 'backup' | 'restore';

const actions: { wizard: TokenWizard; text: string }[] = [
  { wizard: 'generate', text: 'Generate key on token…' },
  { wizard: 'import', text: 'Put vault key on token…' },
  { wizard: 'backup', text: 'Back up vault…' },
  { wizard: 'restore', text: 'Restore backup…' },
];

function OpenedToken({ pin, onClose, showProblem }: { pin: string; onClose: () => void; showProblem: boolean }) {
  const label = useKeyhold((s) => s.openedToken);
  const objects = useKeyhold((s) => s.tokenObjects) ?? [];
  const problem = useKeyhold((s) => s.tokenProblem);
  const [wizard, setWizard] = useState<TokenWizard | undefined>(undefined);
  // An older engine (web console of another version) may lack some calls: offer only what it has.
  const supported: Record<TokenWizard, boolean> = {
    generate: useSupported('tokens.generate'),
    import: useSupported('tokens.import'),
    backup: useSupported('tokens.backup'),
    restore: useSupported('tokens.restore', 'tokens.backups'),
  };
  const canDelete = useSupported('tokens.delete');
  const done = () => setWizard(undefined);
  const start = (w: TokenWizard) => () => setWizard(w);
  return (
    <div className="stack">
      <section className="card" aria-labelledby="objects-title">
        <div className="card-head">
          <h3 id="objects-title">On “{label}”</h3>
          <button type="button" className="secondary" onClick={onClose}>
            Close token
          </button>
        </div>
        <div className="row" role="group" aria-label="Token actions">
          {actions
            .filter((a) => supported[a.wizard])
            .map((a) => (
              <button
                key={a.wizard}
                type="button"
                className="secondary"
                onClick={start(a.wizard)}
                disabled={wizard !== undefined}
              >
                {a.text}
              </button>
            ))}
        </div>
        <ObjectsTable objects={objects} pin={pin} canDelete={canDelete} />
      </section>
      {problem && showProblem && <ProblemBox problem={problem} />}
      {wizard === 'generate' && <GenerateForm pin={pin} onDone={done} />}
      {wizard === 'import' && <ImportWizard pin={pin} onDone={done} />}
      {wizard === 'backup' && <BackupWizard pin={pin} onDone={done} />}
      {wizard === 'restore' && <RestoreWizard pin={pin} onDone={done} />}
    </div>
  );
}

function PinForm({
  label,
  onOpened,
  onCancel,
}: {
  label: string;
  onOpened: (pin: string) => void;
  onCancel: () => void;
}) {
  const openToken = useKeyhold((s) => s.openToken);
  const [pin, setPin] = useState('');
  const [working, setWorking] = useState(false);
  return (
    <form
      className="card narrow"
      aria-labelledby="pin-title"
      onSubmit={(e) => {
        e.preventDefault();
        setWorking(true);
        void openToken(label, pin).then((ok) => {
          setWorking(false);
          if (ok) onOpened(pin);
          setPin('');
        });
      }}
    >
      <h3 id="pin-title">Open “{label}”</h3>
      <PinField
        label="User PIN"
        hint="Sent to the token to log in; Keyhold does not keep it after you close the token."
        value={pin}
        onChange={setPin}
        autoFocus
      />
      <div className="row">
        <button type="button" className="secondary" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" disabled={working || pin === ''}>
          {working ? 'Logging in…' : 'Show objects'}
        </button>
      </div>
    </form>
  );
}

export function TokensPanel() {
  const supported = useSupported('tokens.list', 'tokens.objects');
  const list = useKeyhold((s) => s.tokenList);
  const status = useKeyhold((s) => s.tokensStatus);
  const problem = useKeyhold((s) => s.tokenProblem);
  const loadTokens = useKeyhold((s) => s.loadTokens);
  const opened = useKeyhold((s) => s.openedToken);
  const closeToken = useKeyhold((s) => s.closeToken);
  const clearTokenProblem = useKeyhold((s) => s.clearTokenProblem);
  const canChangePin = useSupported('tokens.changePin', 'tokens.initPin');
  const [asking, setAsking] = useState<string | undefined>(undefined);
  const [changingPin, setChangingPin] = useState<string | undefined>(undefined);
  const [pin, setPin] = useState('');
  useEffect(() => {
    if (supported) void loadTokens();
  }, [supported, loadTokens]);
  useEffect(() => () => closeToken(), [closeToken]);
  if (!supported) return <Unavailable what="Tokens" calls={['tokens.list', 'tokens.objects']} />;
  const close = () => {
    setPin('');
    closeToken();
  };
  return (
    <div className="stack">
      <section className="card" aria-labelledby="tokens-title">
        <div className="card-head">
          <h2 id="tokens-title">Tokens</h2>
          <button type="button" className="secondary" onClick={() => void loadTokens()} disabled={status === 'loading'}>
            Refresh
          </button>
        </div>
        <p className="muted small">
          USB tokens, smart cards and HSMs with a PKCS#11 module.{' '}
          {list && list.modules.length > 0
            ? `Modules: ${list.modules.map((m) => m.description || m.path).join(', ')}.`
            : status === 'ready'
              ? 'No PKCS#11 module was found on this computer: install your token’s software (e.g. OpenSC).'
              : ''}
        </p>
        {status === 'loading' && !list && <p className="muted">Looking for tokens…</p>}
        {list && list.tokens.length === 0 && (
          <p className="empty">No token is plugged in. Insert a token or smart card, then press Refresh.</p>
        )}
        {list && list.tokens.length > 0 && (
          <ul className="token-cards" aria-label="Tokens present">
            {list.tokens.map((t) => (
              <TokenCard
                key={`${t.modulePath}:${t.slotId}`}
                token={t}
                onOpen={() => {
                  close();
                  setChangingPin(undefined);
                  setAsking(t.label);
                }}
                onChangePin={
                  canChangePin
                    ? () => {
                        setAsking(undefined);
                        clearTokenProblem();
                        setChangingPin(t.label);
                      }
                    : undefined
                }
              />
            ))}
          </ul>
        )}
      </section>
      {problem && opened === undefined && changingPin === undefined && <ProblemBox problem={problem} />}
      {asking !== undefined && opened === undefined && (
        <PinForm
          label={asking}
          onOpened={(p) => {
            setPin(p);
            setAsking(undefined);
          }}
          onCancel={() => setAsking(undefined)}
        />
      )}
      {changingPin !== undefined && (
        <ChangePinWizard
          key={changingPin}
          label={changingPin}
          locked={list?.tokens.find((t) => t.label === changingPin)?.flags.includes('USER_PIN_LOCKED') ?? false}
          onDone={(changed) => {
            // The open token's PIN is the old one now: close it, to be opened with the new PIN.
            if (changed && opened === changingPin) close();
            setChangingPin(undefined);
          }}
        />
      )}
      {opened !== undefined && <OpenedToken pin={pin} onClose={close} showProblem={changingPin === undefined} />}
    </div>
  );
}
