/**
 * The Tokens panel's short wizards, each ending in a review step: put a vault key onto the token,
 * back vault keys up under the token's key-encryption key (the backup downloads as a file, and
 * can also be kept on the token), restore a backup into the vault (an uploaded file or one kept
 * on the token), change the user PIN (or set a new one with the security officer's PIN), and
 * delete an object. PINs live in component state only for the call and are cleared after it.
 */
import { useEffect, useMemo, useState } from 'react';
import type {
  ObjectSummary,
  TokenBackup,
  TokenBackupInfo,
  TokenObject,
  TokenRestore,
} from '../../../shared/api/index.js';
import { saveFile } from '../lib/download.js';
import { useKeyhold } from '../store/context.js';
import type { PinChange, TokenRestoreSource } from '../store/tokens-slice.js';
import { Field, formatDate, Review, typeLabels } from './common.js';
import { BACKUP_KEK_LABEL, PinField, ProblemBox } from './token-picker.js';
import { DoneStep, RunStep, StepForm, ToReview, WizardCard } from './wizard.js';

/** Vault objects whose key material a token can take. */
const importable = new Set(['SymmetricKey', 'PrivateKey', 'SecretData', 'Certificate']);
const gone = new Set(['Destroyed', 'DestroyedCompromised']);

function objectText(o: ObjectSummary): string {
  const kind = typeLabels[o.objectType] ?? o.objectType;
  const alg = [o.cryptographicAlgorithm, o.curve ?? (o.cryptographicLength ? String(o.cryptographicLength) : undefined)]
    .filter((x) => x !== undefined)
    .join(' ');
  return `${o.name ?? o.uniqueIdentifier} — ${kind}${alg ? `, ${alg}` : ''}`;
}

/** The vault's objects, read again when the wizard opens (a KMIP client may have added some). */
function useVaultObjects(): ObjectSummary[] {
  const objects = useKeyhold((s) => s.objects);
  const loadObjects = useKeyhold((s) => s.loadObjects);
  useEffect(() => {
    void loadObjects();
  }, [loadObjects]);
  return objects;
}

export function ImportWizard({ pin, onDone }: { pin: string; onDone: () => void }) {
  const token = useKeyhold((s) => s.openedToken);
  const importToToken = useKeyhold((s) => s.importToToken);
  const notify = useKeyhold((s) => s.notify);
  const candidates = useVaultObjects().filter((o) => importable.has(o.objectType) && !gone.has(o.state));
  const [step, setStep] = useState(0);
  const [uid, setUid] = useState('');
  const [name, setName] = useState('');
  const [extractable, setExtractable] = useState(false);
  const chosen = candidates.find((o) => o.uniqueIdentifier === uid) ?? candidates[0];
  const onTokenName = name.trim() || chosen?.name || chosen?.uniqueIdentifier || '';
  const isCert = chosen?.objectType === 'Certificate';
  return (
    <WizardCard id="import" title={`Put a vault key on “${token ?? ''}”`} steps={['Key', 'Review']} step={step}>
      {step === 0 ? (
        <StepForm ready={chosen !== undefined} onNext={() => setStep(1)}>
          {candidates.length === 0 ? (
            <p className="empty">The vault has no key a token can take. Generate or import one first.</p>
          ) : (
            <Field label="Vault key" hint="Secret keys, private keys (the public half comes along) and certificates.">
              {(id, hintId) => (
                <select
                  id={id}
                  aria-describedby={hintId}
                  value={chosen?.uniqueIdentifier ?? ''}
                  onChange={(e) => {
                    setUid(e.target.value);
                    setName('');
                  }}
                >
                  {candidates.map((o) => (
                    <option key={o.uniqueIdentifier} value={o.uniqueIdentifier}>
                      {objectText(o)}
                    </option>
                  ))}
                </select>
              )}
            </Field>
          )}
          <Field label="Name on the token" hint="The label (CKA_LABEL); by default the key’s name in the vault.">
            {(id, hintId) => (
              <input
                id={id}
                aria-describedby={hintId}
                maxLength={64}
                value={name}
                placeholder={chosen?.name ?? ''}
                onChange={(e) => setName(e.target.value)}
              />
            )}
          </Field>
          {!isCert && (
            <label className="check">
              <input type="checkbox" checked={extractable} onChange={(e) => setExtractable(e.target.checked)} /> Let it
              leave the token again, wrapped (for token backups and key domains)
            </label>
          )}
          <ToReview onCancel={onDone} disabled={!chosen} />
        </StepForm>
      ) : (
        <>
          <Review
            rows={[
              ['Vault key', chosen ? objectText(chosen) : ''],
              ['Name on the token', onTokenName],
              ['Token', token],
              [
                'Protection',
                isCert
                  ? 'A certificate is public: anyone with the token can read it.'
                  : extractable
                    ? 'Sensitive; may leave the token only wrapped under a key-encryption key.'
                    : 'Sensitive, not extractable: it never leaves the token again.',
              ],
              ['In the vault', 'The key stays in the vault as well.'],
            ]}
          />
          <RunStep
            label="Put on token"
            busyLabel="Working…"
            workingText="Putting the key on the token…"
            disabled={!chosen}
            onBack={() => setStep(0)}
            run={async () =>
              chosen &&
              importToToken(pin, chosen.uniqueIdentifier, {
                ...(name.trim() !== '' ? { name: name.trim() } : {}),
                ...(isCert ? {} : { extractable }),
              })
            }
            onDone={() => {
              notify({ kind: 'success', title: 'Key put on the token.', action: `“${onTokenName}” is on “${token}”.` });
              onDone();
            }}
          />
        </>
      )}
    </WizardCard>
  );
}

const today = (): string => new Date().toISOString().slice(0, 10);

export function BackupWizard({ pin, onDone }: { pin: string; onDone: () => void }) {
  const token = useKeyhold((s) => s.openedToken);
  const backupToToken = useKeyhold((s) => s.backupToToken);
  const objects = useVaultObjects().filter((o) => !gone.has(o.state));
  const [step, setStep] = useState(0);
  const [all, setAll] = useState(true);
  const [picked, setPicked] = useState<ReadonlySet<string>>(new Set());
  const [keep, setKeep] = useState(false);
  const [keepName, setKeepName] = useState(`keyhold-backup-${today()}`);
  const [done, setDone] = useState<TokenBackup | undefined>(undefined);
  const count = all ? objects.length : picked.size;
  const toggle = (uid: string) => {
    const next = new Set(picked);
    if (next.has(uid)) next.delete(uid);
    else next.add(uid);
    setPicked(next);
  };
  return (
    <WizardCard
      id="backup"
      title={`Back up vault keys to “${token ?? ''}”`}
      steps={['Keys', 'Review', 'Save']}
      step={step}
    >
      {step === 0 && (
        <StepForm ready={count > 0} onNext={() => setStep(1)}>
          <p className="muted small">
            Each key is wrapped (AES key wrap) under a key-encryption key that lives on this token, so the backup file
            is useless without the token. Restore it into any vault with this token.
          </p>
          <fieldset className="choices">
            <legend>What to back up</legend>
            <label className={`choice${all ? ' checked' : ''}`}>
              <input type="radio" name="backup-what" checked={all} onChange={() => setAll(true)} />
              <span>
                <strong>Every object in the vault</strong>
                <span className="muted small">{objects.length} objects</span>
              </span>
            </label>
            <label className={`choice${!all ? ' checked' : ''}`}>
              <input type="radio" name="backup-what" checked={!all} onChange={() => setAll(false)} />
              <span>
                <strong>Chosen objects</strong>
                <span className="muted small">{picked.size} chosen</span>
              </span>
            </label>
          </fieldset>
          {!all && (
            <fieldset
              className="stack"
              aria-label="Objects to back up"
              style={{ maxHeight: 220, overflowY: 'auto', gap: 6 }}
            >
              {objects.map((o) => (
                <label key={o.uniqueIdentifier} className="check">
                  <input
                    type="checkbox"
                    checked={picked.has(o.uniqueIdentifier)}
                    onChange={() => toggle(o.uniqueIdentifier)}
                  />{' '}
                  {objectText(o)}
                </label>
              ))}
            </fieldset>
          )}
          <label className="check">
            <input type="checkbox" checked={keep} onChange={(e) => setKeep(e.target.checked)} /> Also keep a copy on the
            token (a private data object)
          </label>
          {keep && (
            <Field label="Name of the copy on the token">
              {(id) => (
                <input id={id} maxLength={64} required value={keepName} onChange={(e) => setKeepName(e.target.value)} />
              )}
            </Field>
          )}
          <ToReview onCancel={onDone} disabled={count === 0 || (keep && keepName.trim() === '')} />
        </StepForm>
      )}
      {step === 1 && (
        <>
          <Review
            rows={[
              ['Objects', all ? `Every object in the vault (${count})` : `${count} chosen`],
              ['Wrapped under', `Key-encryption key “keyhold-kek” on “${token}” (made on the first backup)`],
              ['Backup file', 'Downloaded by this browser (JSON; wrapped keys only)'],
              ['Copy on the token', keep ? `“${keepName.trim()}”` : 'No'],
            ]}
          />
          <RunStep
            label="Back up"
            busyLabel="Backing up…"
            workingText={`Wrapping ${count} objects on the token…`}
            onBack={() => setStep(0)}
            run={() =>
              backupToToken(pin, {
                uniqueIdentifiers: all ? [] : [...picked],
                ...(keep ? { storeOnToken: keepName.trim() } : {}),
              })
            }
            onDone={(b) => {
              setDone(b);
              setStep(2);
              saveFile(b.file);
            }}
          />
        </>
      )}
      {step === 2 && done && (
        <DoneStep
          title={`Backed up ${done.count} ${done.count === 1 ? 'object' : 'objects'}.`}
          onDone={onDone}
          other={{ text: 'Download again', onClick: () => saveFile(done.file) }}
        >
          Keep <code>{done.file.fileName}</code> safe
          {done.storedOnToken !== undefined ? `; a copy is on the token as “${done.storedOnToken}”` : ''}. Only a token
          holding “{done.kek}” can open it.
        </DoneStep>
      )}
    </WizardCard>
  );
}

/** What the review shows of a backup file (read here for display only; the engine checks it). */
interface BackupPreview {
  fileName: string;
  data: string;
  createdAt?: string;
  token?: string;
  count?: number;
}

async function readBackupFile(file: File): Promise<BackupPreview> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  const preview: BackupPreview = { fileName: file.name, data: btoa(binary) };
  try {
    const j = JSON.parse(new TextDecoder().decode(bytes)) as {
      createdAt?: unknown;
      token?: { label?: unknown };
      entries?: unknown;
    };
    if (typeof j.createdAt === 'string') preview.createdAt = j.createdAt;
    if (typeof j.token?.label === 'string') preview.token = j.token.label;
    if (Array.isArray(j.entries)) preview.count = j.entries.length;
  } catch {
    // Not JSON: the engine says so in words at restore.
  }
  return preview;
}

export function RestoreWizard({ pin, onDone }: { pin: string; onDone: () => void }) {
  const token = useKeyhold((s) => s.openedToken);
  const restoreFromToken = useKeyhold((s) => s.restoreFromToken);
  const listTokenBackups = useKeyhold((s) => s.listTokenBackups);
  const [step, setStep] = useState(0);
  const [from, setFrom] = useState<'file' | 'token'>('file');
  const [file, setFile] = useState<BackupPreview | undefined>(undefined);
  const [kept, setKept] = useState<TokenBackupInfo[] | undefined>(undefined);
  const [keptName, setKeptName] = useState('');
  const [result, setResult] = useState<TokenRestore | undefined>(undefined);
  useEffect(() => {
    void listTokenBackups(pin).then(setKept);
  }, [pin, listTokenBackups]);
  const keptChosen = kept?.find((b) => b.label === keptName) ?? kept?.[0];
  const source: TokenRestoreSource | undefined =
    from === 'file'
      ? file && { data: file.data }
      : keptChosen !== undefined
        ? { fromToken: keptChosen.label }
        : undefined;
  const rows = useMemo((): [string, string][] => {
    if (from === 'token' && keptChosen)
      return [
        ['Backup', `“${keptChosen.label}”, kept on “${token ?? ''}”`],
        ['Made', formatDate(keptChosen.createdAt)],
        ['Objects', String(keptChosen.count)],
      ];
    if (file)
      return [
        ['Backup file', file.fileName],
        ['Made', file.createdAt ? formatDate(file.createdAt) : 'unknown'],
        ['Made with token', file.token ?? 'unknown'],
        ['Objects', file.count !== undefined ? String(file.count) : 'unknown'],
      ];
    return [];
  }, [from, keptChosen, file, token]);
  return (
    <WizardCard
      id="restore"
      title={`Restore a backup with “${token ?? ''}”`}
      steps={['Backup', 'Review', 'Done']}
      step={step}
    >
      {step === 0 && (
        <StepForm ready={source !== undefined} onNext={() => setStep(1)}>
          <fieldset className="choices">
            <legend>Restore from</legend>
            <label className={`choice${from === 'file' ? ' checked' : ''}`}>
              <input type="radio" name="restore-from" checked={from === 'file'} onChange={() => setFrom('file')} />
              <span>
                <strong>A backup file</strong>
                <span className="muted small">The .json file a token backup downloaded</span>
              </span>
            </label>
            <label className={`choice${from === 'token' ? ' checked' : ''}`}>
              <input type="radio" name="restore-from" checked={from === 'token'} onChange={() => setFrom('token')} />
              <span>
                <strong>A backup kept on this token</strong>
                <span className="muted small">
                  {kept === undefined ? 'Looking…' : kept.length === 0 ? 'None on this token' : `${kept.length} on it`}
                </span>
              </span>
            </label>
          </fieldset>
          {from === 'file' ? (
            <Field label="Backup file">
              {(id) => (
                <input
                  id={id}
                  type="file"
                  accept=".json,application/json"
                  onChange={(e) => {
                    const f = e.target.files?.[0];
                    if (f) void readBackupFile(f).then(setFile);
                    else setFile(undefined);
                  }}
                />
              )}
            </Field>
          ) : kept && kept.length > 0 ? (
            <Field label="Backup on the token">
              {(id) => (
                <select id={id} value={keptChosen?.label ?? ''} onChange={(e) => setKeptName(e.target.value)}>
                  {kept.map((b) => (
                    <option key={b.label} value={b.label}>
                      {b.label} — {b.count} objects, {formatDate(b.createdAt)}
                    </option>
                  ))}
                </select>
              )}
            </Field>
          ) : (
            <p className="empty">No backup is kept on this token. Restore from a file instead.</p>
          )}
          <ToReview onCancel={onDone} disabled={!source} />
        </StepForm>
      )}
      {step === 1 && (
        <>
          <Review
            rows={[
              ...rows,
              ['Opened with', `The key-encryption key on “${token}”; the whole backup must verify`],
              ['Into', 'This vault. Objects it already has are left as they are.'],
            ]}
          />
          <RunStep
            label="Restore into the vault"
            busyLabel="Restoring…"
            workingText="Unwrapping on the token and restoring…"
            disabled={!source}
            onBack={() => setStep(0)}
            run={async () => source && restoreFromToken(pin, source)}
            onDone={(r) => {
              setResult(r);
              setFile(undefined);
              setStep(2);
            }}
          />
        </>
      )}
      {step === 2 && result && (
        <DoneStep
          title={`Restored ${result.added.length} ${result.added.length === 1 ? 'object' : 'objects'}.`}
          onDone={onDone}
        >
          {result.skipped.length > 0
            ? `${result.skipped.length} already in the vault were left as they are.`
            : 'They are in the vault’s object list.'}
        </DoneStep>
      )}
    </WizardCard>
  );
}

export function ChangePinWizard({
  label,
  locked,
  onDone,
}: {
  label: string;
  /** The token says the user PIN is locked: only the security officer can set a new one. */
  locked: boolean;
  onDone: (changed: boolean) => void;
}) {
  const changeTokenPin = useKeyhold((s) => s.changeTokenPin);
  const problem = useKeyhold((s) => s.tokenProblem);
  const notify = useKeyhold((s) => s.notify);
  const [step, setStep] = useState(0);
  const [as, setAs] = useState<'user' | 'so'>(locked ? 'so' : 'user');
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [again, setAgain] = useState('');
  const mismatch = again !== '' && next !== again;
  const clear = () => {
    setCurrent('');
    setNext('');
    setAgain('');
  };
  const cancel = () => {
    clear();
    onDone(false);
  };
  return (
    <WizardCard id="pin-change" title={`Change the PIN of “${label}”`} steps={['PINs', 'Review']} step={step}>
      {step === 0 ? (
        <StepForm ready={current !== '' && next !== '' && next === again} onNext={() => setStep(1)}>
          {problem && <ProblemBox problem={problem} />}
          {locked && !problem && (
            <p className="notice notice-error">
              <strong>The user PIN is locked.</strong> Only the security officer’s PIN (SO PIN) can set a new one.
            </p>
          )}
          <fieldset className="choices">
            <legend>How</legend>
            <label className={`choice${as === 'user' ? ' checked' : ''}`}>
              <input
                type="radio"
                name="pin-as"
                checked={as === 'user'}
                disabled={locked}
                onChange={() => {
                  setAs('user');
                  setCurrent('');
                }}
              />
              <span>
                <strong>I know the current PIN</strong>
                <span className="muted small">Change the user PIN</span>
              </span>
            </label>
            <label className={`choice${as === 'so' ? ' checked' : ''}`}>
              <input
                type="radio"
                name="pin-as"
                checked={as === 'so'}
                onChange={() => {
                  setAs('so');
                  setCurrent('');
                }}
              />
              <span>
                <strong>Security officer</strong>
                <span className="muted small">Set a new user PIN with the SO PIN (also unlocks a locked PIN)</span>
              </span>
            </label>
          </fieldset>
          <PinField label={as === 'user' ? 'Current PIN' : 'SO PIN'} value={current} onChange={setCurrent} autoFocus />
          <PinField label="New PIN" value={next} onChange={setNext} />
          <PinField label="New PIN again" value={again} onChange={setAgain} invalid={mismatch} />
          {mismatch && <span className="field-error">The two new PINs differ.</span>}
          <ToReview onCancel={cancel} disabled={current === '' || next === '' || next !== again} />
        </StepForm>
      ) : (
        <>
          <Review
            rows={[
              ['Token', label],
              [
                'Change',
                as === 'user' ? 'The user PIN, with the current PIN' : 'A new user PIN, set by the security officer',
              ],
              ['New PIN', `${next.length} characters`],
              ['Afterwards', 'Use the new PIN to open the token, and at each vault unlock by this token.'],
            ]}
          />
          <RunStep
            label="Change PIN"
            busyLabel="Working…"
            workingText="Changing the PIN on the token…"
            onBack={() => setStep(0)}
            run={() => {
              const change: PinChange =
                as === 'user' ? { as, pin: current, newPin: next } : { as, soPin: current, newPin: next };
              return changeTokenPin(label, change).finally(clear);
            }}
            onDone={() => {
              notify({ kind: 'success', title: 'PIN changed.', action: `Use the new PIN for “${label}” from now on.` });
              onDone(true);
            }}
          />
        </>
      )}
    </WizardCard>
  );
}

const classWords: Record<string, string> = {
  SecretKey: 'secret key',
  PrivateKey: 'private key',
  PublicKey: 'public key',
  Certificate: 'certificate',
  Data: 'data object',
};

/** Delete one object: a confirmation in the row that says what is lost. */
export function DeleteObject({ pin, object }: { pin: string; object: TokenObject }) {
  const deleteFromToken = useKeyhold((s) => s.deleteFromToken);
  const [confirming, setConfirming] = useState(false);
  const [working, setWorking] = useState(false);
  const what = `${classWords[object.objectClass] ?? object.objectClass} ${object.label || object.id}`;
  if (!confirming)
    return (
      <button type="button" className="ghost" aria-label={`Delete ${what}`} onClick={() => setConfirming(true)}>
        Delete…
      </button>
    );
  return (
    <span className="confirm">
      <span className="small">
        {object.label === BACKUP_KEK_LABEL && object.objectClass === 'SecretKey'
          ? 'Backups made with this key can no longer be restored!'
          : object.objectClass === 'Data' || object.objectClass === 'PublicKey' || object.objectClass === 'Certificate'
            ? 'Delete?'
            : 'Gone for good unless backed up.'}
      </span>
      <button
        type="button"
        className="danger"
        disabled={working}
        aria-label={`Confirm delete ${what}`}
        onClick={() => {
          setWorking(true);
          void deleteFromToken(pin, object).then(() => {
            setWorking(false);
            setConfirming(false);
          });
        }}
      >
        {working ? 'Deleting…' : 'Delete'}
      </button>
      <button type="button" className="secondary" onClick={() => setConfirming(false)}>
        Keep
      </button>
    </span>
  );
}
