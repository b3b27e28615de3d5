/**
 * The KMIP server panel: start and stop the server on an address and port, enroll and revoke
 * clients (a PEM bundle to hand over), require, change or remove their Credential, and grant them
 * objects, all without restarting a running server; live connections and the request log,
 * refreshed every 2 seconds.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ApiError, ServerStatus } from '../../../shared/api/index.js';
import { saveFile } from '../lib/download.js';
import { useKeyhold } from '../store/context.js';
import {
  CredentialFields,
  credentialProblem,
  credentialUsername,
  emptyCredential,
  withoutPasswords,
  type CredentialDraft,
} from './client-credential.js';
import { ErrorBox, Field, formatDate, GridTable, Review, spaced, Steps, Unavailable, useSupported } from './common.js';
import { StepForm, ToReview, useStepFocus, WizardNav } from './wizard.js';

function describeOps(operations: string[]): string {
  return operations.length === 0 ? 'every operation' : operations.join(', ');
}

type Client = ServerStatus['clients'][number];

/** A client's Credential requirement in words: who must send which username. */
function CredentialCell({ client }: { client: Client }) {
  if (client.revoked) return <span className="muted small">—</span>;
  if (!client.credentialRequired) return <span className="muted small">Certificate only</span>;
  return (
    <span>
      <span className="badge">Required</span>{' '}
      <span className="small credential-user">
        user <code>{client.credentialUsername ?? client.name}</code>
      </span>
    </span>
  );
}

/** Sets or changes a client's Credential: username and password twice; the password is dropped once sent. */
function SetCredentialForm({
  client,
  busy,
  onSubmit,
  onCancel,
}: {
  client: Client;
  busy: boolean;
  onSubmit: (credential: { username: string; password: string }) => Promise<boolean>;
  onCancel: () => void;
}) {
  const [draft, setDraft] = useState<CredentialDraft>(emptyCredential);
  const fallback = client.credentialUsername ?? client.name;
  const problem = credentialProblem(draft, fallback);
  return (
    <form
      className="stack credential-form"
      aria-label={`Credential of ${client.name}`}
      onSubmit={(e) => {
        e.preventDefault();
        if (problem) return;
        const credential = { username: credentialUsername(draft, fallback), password: draft.password };
        setDraft(withoutPasswords(draft));
        void onSubmit(credential);
      }}
    >
      <p className="small">
        {client.credentialRequired
          ? `A new password for ${client.name}. It takes effect at once: requests with the old one are refused from now on.`
          : `${client.name} will have to send this username and password with every request, besides its certificate. It takes effect at once: configure the client with it, or its requests are refused.`}
      </p>
      <CredentialFields draft={draft} onChange={setDraft} defaultUsername={fallback} disabled={busy} />
      <div className="row">
        <button type="button" className="secondary" onClick={onCancel} disabled={busy}>
          Cancel
        </button>
        <button type="submit" disabled={busy || problem !== undefined} title={problem}>
          {busy ? 'Saving…' : client.credentialRequired ? 'Change password' : 'Require this Credential'}
        </button>
      </div>
    </form>
  );
}

/** One client's row: status, Credential, its grants (each removable) and the client's actions. */
function ClientRow({
  client,
  blocked,
  canCredential,
  onStatus,
  onError,
}: {
  client: Client;
  blocked: boolean;
  canCredential: boolean;
  onStatus: (s: ServerStatus) => void;
  onError: (e: ApiError | undefined) => void;
}) {
  const revokeClient = useKeyhold((s) => s.revokeClient);
  const ungrantObject = useKeyhold((s) => s.ungrantObject);
  const setClientCredential = useKeyhold((s) => s.setClientCredential);
  const clearClientCredential = useKeyhold((s) => s.clearClientCredential);
  const notify = useKeyhold((s) => s.notify);
  const [confirming, setConfirming] = useState<'revoke' | 'clear' | undefined>();
  const [editing, setEditing] = useState(false);
  const [busy, setBusy] = useState(false);
  const run = async (call: () => ReturnType<typeof revokeClient>, done: string): Promise<boolean> => {
    setBusy(true);
    onError(undefined);
    const r = await call();
    setBusy(false);
    setConfirming(undefined);
    if (!r.ok) {
      onError(r.error);
      return false;
    }
    onStatus(r.value);
    notify({ kind: 'success', title: done });
    return true;
  };
  const grants = client.grants ?? [];
  const disabled = blocked || busy;
  return (
    <>
      <tr>
        <td className="c-name">
          <strong>{client.name}</strong> {client.admin && <span className="badge">admin</span>}
        </td>
        <td>
          <code className="small serial">{client.serialNumber}</code>
        </td>
        <td>{formatDate(client.notAfter)}</td>
        <td>
          <span className={`badge ${client.revoked ? 'state-Compromised' : 'state-Active'}`}>
            {client.revoked ? 'Revoked' : 'Active'}
          </span>
        </td>
        <td>
          <CredentialCell client={client} />
        </td>
        <td>
          {grants.length === 0 ? (
            <span className="muted small">
              {client.revoked ? 'No access' : client.admin ? 'Sees every object' : 'Its own objects'}
            </span>
          ) : (
            <ul className="plain">
              {grants.map((g) => (
                <li key={g.uniqueIdentifier}>
                  <code className="small">{g.uniqueIdentifier}</code>{' '}
                  <span className="muted small">({describeOps(g.operations)})</span>{' '}
                  <button
                    type="button"
                    className="link"
                    disabled={disabled}
                    aria-label={`Remove the grant of ${g.uniqueIdentifier} to ${client.name}`}
                    onClick={() =>
                      void run(
                        () => ungrantObject({ name: client.name, uniqueIdentifier: g.uniqueIdentifier }),
                        `${client.name} may no longer use ${g.uniqueIdentifier}.`,
                      )
                    }
                  >
                    Remove
                  </button>
                </li>
              ))}
            </ul>
          )}
        </td>
        <td>
          {!client.revoked && (
            <div className="row row-actions">
              {canCredential && (
                <button
                  type="button"
                  className="secondary"
                  disabled={disabled || editing}
                  aria-label={`Set the Credential password of ${client.name}`}
                  onClick={() => {
                    setConfirming(undefined);
                    setEditing(true);
                  }}
                >
                  Set password
                </button>
              )}
              {canCredential && client.credentialRequired && (
                <button
                  type="button"
                  className={confirming === 'clear' ? 'danger-outline' : 'secondary'}
                  disabled={disabled}
                  aria-label={
                    confirming === 'clear'
                      ? `Confirm: ${client.name} no longer needs a Credential`
                      : `Remove the Credential requirement of ${client.name}`
                  }
                  onClick={() =>
                    confirming === 'clear'
                      ? void run(
                          () => clearClientCredential({ name: client.name }),
                          `${client.name} no longer needs a Credential: its certificate alone is enough.`,
                        )
                      : setConfirming('clear')
                  }
                >
                  {confirming === 'clear' ? 'Confirm removal' : 'Remove credential'}
                </button>
              )}
              <button
                type="button"
                className={confirming === 'revoke' ? 'danger-outline' : 'secondary'}
                disabled={disabled}
                aria-label={confirming === 'revoke' ? `Confirm: revoke ${client.name}` : `Revoke ${client.name}`}
                onClick={() =>
                  confirming === 'revoke'
                    ? void run(
                        () => revokeClient({ name: client.name }),
                        `Client “${client.name}” revoked: it can no longer connect.`,
                      )
                    : setConfirming('revoke')
                }
              >
                {busy && confirming === 'revoke' ? 'Revoking…' : confirming === 'revoke' ? 'Confirm revoke' : 'Revoke'}
              </button>
              {confirming && (
                <button type="button" className="link" disabled={busy} onClick={() => setConfirming(undefined)}>
                  Cancel
                </button>
              )}
            </div>
          )}
          {confirming && (
            <p className="muted small confirm-note" role="status">
              {confirming === 'clear'
                ? `${client.name}’s certificate alone will be enough; a Credential it sends is no longer checked.`
                : `${client.name} will be refused from now on and its open connections closed.`}
            </p>
          )}
        </td>
      </tr>
      {editing && !client.revoked && (
        <tr className="editor-row">
          <td colSpan={7}>
            <SetCredentialForm
              client={client}
              busy={busy}
              onCancel={() => setEditing(false)}
              onSubmit={async (credential) => {
                const done = await run(
                  () => setClientCredential({ name: client.name, credential }),
                  `${client.name} must now send Credential username ${credential.username}.`,
                );
                if (done) setEditing(false);
                return done;
              }}
            />
          </td>
        </tr>
      )}
    </>
  );
}

/** Opens one object another client owns to a client, for every operation or those named. */
function GrantForm({
  status,
  onStatus,
  onError,
}: {
  status: ServerStatus;
  onStatus: (s: ServerStatus) => void;
  onError: (e: ApiError | undefined) => void;
}) {
  const grantObject = useKeyhold((s) => s.grantObject);
  const notify = useKeyhold((s) => s.notify);
  const active = status.clients.filter((c) => !c.revoked && !c.admin);
  const [name, setName] = useState('');
  const [uid, setUid] = useState('');
  const [ops, setOps] = useState('');
  const [busy, setBusy] = useState(false);
  const chosen = active.some((c) => c.name === name) ? name : (active[0]?.name ?? '');
  if (active.length === 0) return null;
  return (
    <>
      <h3 id="grant-title">Grant an object to a client</h3>
      <form
        aria-labelledby="grant-title"
        className="row fields-row grant-form"
        onSubmit={(e) => {
          e.preventDefault();
          setBusy(true);
          onError(undefined);
          const operations = ops
            .split(',')
            .map((o) => o.trim())
            .filter((o) => o !== '');
          void grantObject({ name: chosen, uniqueIdentifier: uid.trim(), operations }).then((r) => {
            setBusy(false);
            if (!r.ok) return onError(r.error);
            onStatus(r.value);
            notify({ kind: 'success', title: `${chosen} may now use ${uid.trim()} (${describeOps(operations)}).` });
            setUid('');
            setOps('');
          });
        }}
      >
        <Field label="Grant to client">
          {(id) => (
            <select
              id={id}
              value={chosen}
              onChange={(e) => setName(e.target.value)}
              disabled={status.blockedBy !== undefined}
            >
              {active.map((c) => (
                <option key={c.serialNumber} value={c.name}>
                  {c.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Object (Unique Identifier)" hint="An object another client created or registered.">
          {(id, hintId) => (
            <input
              id={id}
              aria-describedby={hintId}
              value={uid}
              maxLength={128}
              onChange={(e) => setUid(e.target.value)}
            />
          )}
        </Field>
        <Field label="Operations" hint="Comma-separated, e.g. Get, Encrypt. Empty: every operation.">
          {(id, hintId) => (
            <input
              id={id}
              aria-describedby={hintId}
              value={ops}
              maxLength={512}
              onChange={(e) => setOps(e.target.value)}
            />
          )}
        </Field>
        <button
          type="submit"
          className="secondary"
          disabled={busy || uid.trim() === '' || status.blockedBy !== undefined}
        >
          {busy ? 'Granting…' : 'Grant access'}
        </button>
      </form>
    </>
  );
}

/**
 * Enrolls a client in three steps: its name and role, an optional Credential it must send besides
 * its certificate, and a review. The bundle downloads at the end; the password is dropped from
 * the form as soon as it has been sent.
 */
function EnrollWizard({
  blocked,
  onDone,
  onError,
}: {
  blocked: boolean;
  onDone: () => void;
  onError: (e: ApiError | undefined) => void;
}) {
  const enrollClient = useKeyhold((s) => s.enrollClient);
  const notify = useKeyhold((s) => s.notify);
  const canCredential = useSupported('server.setCredential');
  const [step, setStep] = useState(0);
  const section = useRef<HTMLElement>(null);
  useStepFocus(section, step);
  const [name, setName] = useState('');
  const [admin, setAdmin] = useState(false);
  const [requireCredential, setRequireCredential] = useState(false);
  const [draft, setDraft] = useState<CredentialDraft>(emptyCredential);
  const [busy, setBusy] = useState(false);
  const clientName = name.trim();
  const nameOk = /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(clientName);
  const problem = requireCredential ? credentialProblem(draft, clientName) : undefined;
  const username = credentialUsername(draft, clientName);
  const reset = () => {
    setStep(0);
    setName('');
    setAdmin(false);
    setRequireCredential(false);
    setDraft(emptyCredential);
  };
  const enroll = async () => {
    const credential = requireCredential ? { username, password: draft.password } : undefined;
    setDraft(withoutPasswords(draft));
    setBusy(true);
    onError(undefined);
    const r = await enrollClient({
      name: clientName,
      includePrivateKey: true,
      admin,
      ...(credential ? { credential } : {}),
    });
    setBusy(false);
    if (!r.ok) {
      onError(r.error);
      // The passwords were dropped: a retry asks for them again.
      if (credential) setStep(1);
      return;
    }
    saveFile(r.value);
    notify({
      kind: 'success',
      title: `Client “${clientName}” enrolled${credential ? ` with Credential username ${credential.username}` : ''}.`,
      action: `Hand ${r.value.fileName} to it over a safe channel: it holds the client’s private key.${credential ? ' Give it the password by another channel.' : ''}`,
    });
    reset();
    onDone();
  };
  const steps = ['Client', 'Credential', 'Review'];
  return (
    <section ref={section} className="enroll-wizard" aria-labelledby="enroll-title">
      <h3 id="enroll-title">Enroll a client</h3>
      <Steps steps={steps} current={step} />
      {step === 0 && (
        <StepForm ready={nameOk} onNext={() => setStep(1)} className="row fields-row">
          <Field label="New client name" hint="Letters, digits, dot, dash or underscore.">
            {(id, hintId) => (
              <input
                id={id}
                aria-describedby={hintId}
                value={name}
                maxLength={64}
                pattern="[A-Za-z0-9][A-Za-z0-9._\-]*"
                onChange={(e) => setName(e.target.value)}
                disabled={blocked}
              />
            )}
          </Field>
          <label className="check">
            <input type="checkbox" checked={admin} onChange={(e) => setAdmin(e.target.checked)} disabled={blocked} />{' '}
            Admin (sees every object)
          </label>
          <button type="submit" disabled={blocked || !nameOk}>
            Next
          </button>
        </StepForm>
      )}
      {step === 1 && (
        <StepForm ready={!problem} onNext={() => setStep(2)}>
          <label className="check">
            <input
              type="checkbox"
              checked={requireCredential}
              disabled={!canCredential}
              onChange={(e) => {
                setRequireCredential(e.target.checked);
                if (!e.target.checked) setDraft(emptyCredential);
              }}
            />{' '}
            Require a Credential: the client must also send a username and password
          </label>
          {requireCredential ? (
            <CredentialFields draft={draft} onChange={setDraft} defaultUsername={clientName} />
          ) : (
            <p className="muted small">
              Optional. Some clients (vCenter, ONTAP) are configured with a KMIP username and password as well as a
              certificate; without one, the certificate alone identifies the client.
            </p>
          )}
          <ToReview onCancel={() => setStep(0)} cancelText="Back" disabled={problem !== undefined} title={problem} />
        </StepForm>
      )}
      {step === 2 && (
        <div className="stack">
          <Review
            rows={[
              ['Client name', clientName],
              ['Access', admin ? 'Admin: sees every object' : 'Its own objects, and those granted to it'],
              [
                'Credential',
                requireCredential
                  ? `Required: username “${username}” and the password you typed`
                  : 'Not required: the certificate alone',
              ],
              ['Bundle', `${clientName}-kmip-bundle.pem: certificate, private key and the server CA`],
            ]}
          />
          <WizardNav onBack={() => setStep(1)}>
            <button type="button" disabled={blocked || busy} onClick={() => void enroll()}>
              {busy ? 'Enrolling…' : 'Enroll and download bundle'}
            </button>
          </WizardNav>
        </div>
      )}
    </section>
  );
}

export function ClientsCard({
  status,
  onChange,
  onStatus,
}: {
  status: ServerStatus;
  onChange: () => void;
  onStatus: (s: ServerStatus) => void;
}) {
  const canCredential = useSupported('server.setCredential', 'server.clearCredential');
  const [error, setError] = useState<ApiError | undefined>();
  const blocked = status.blockedBy !== undefined;
  return (
    <section className="card" aria-labelledby="clients-title">
      <h3 id="clients-title">Enrolled clients</h3>
      {status.clients.length === 0 ? (
        <p className="muted">
          No client is enrolled yet. Enroll one to give an application a certificate the server accepts.
        </p>
      ) : (
        <GridTable
          label="Enrolled clients"
          columns={['Name', 'Serial number', 'Valid until', 'Status', 'Credential', 'Access', 'Actions']}
        >
          {status.clients.map((c) => (
            <ClientRow
              key={c.serialNumber}
              client={c}
              blocked={blocked}
              canCredential={canCredential}
              onStatus={onStatus}
              onError={setError}
            />
          ))}
        </GridTable>
      )}
      <p className="muted small">
        Changes take effect at once, without restarting the server: a new client can connect right away; a revoked one
        is refused and its open connections are closed; a new or removed Credential counts from the next request.
      </p>
      {error && <ErrorBox error={error} />}
      <EnrollWizard blocked={blocked} onDone={onChange} onError={setError} />
      <GrantForm status={status} onStatus={onStatus} onError={setError} />
    </section>
  );
}

function ActivityCard({ status }: { status: ServerStatus }) {
  const log = [...status.requestLog].reverse();
  return (
    <section className="card" aria-labelledby="activity-title">
      <h3 id="activity-title">
        Live connections <span className="badge">{status.connectionCount}</span>
      </h3>
      {status.connections.length === 0 ? (
        <p className="muted">{status.running ? 'No client is connected.' : 'The server is stopped.'}</p>
      ) : (
        <ul className="plain">
          {status.connections.map((c) => (
            <li key={c.peer + c.since}>
              <strong>{c.peer}</strong> <span className="muted small">since {formatDate(c.since)}</span>, {c.requests}{' '}
              {c.requests === 1 ? 'request' : 'requests'}
            </li>
          ))}
        </ul>
      )}
      <h3>Request log</h3>
      {log.length === 0 ? (
        <p className="muted">No request yet. Each KMIP operation a client sends is listed here, newest first.</p>
      ) : (
        <GridTable label="Request log" columns={['Time', 'Client', 'Operation', 'Result']}>
          {log.map((e, i) => (
            <tr key={`${e.time}-${i}`}>
              <td className="c-date">{formatDate(e.time)}</td>
              <td>{e.peer}</td>
              <td>{e.operation}</td>
              <td>
                <span className={`badge ${e.resultStatus === 'Success' ? 'state-Active' : 'state-Compromised'}`}>
                  {e.resultStatus || '—'}
                </span>
                {e.resultReason && <span className="muted small"> {spaced(e.resultReason)}</span>}
              </td>
            </tr>
          ))}
        </GridTable>
      )}
    </section>
  );
}

export function ServerPanel() {
  const serverStatus = useKeyhold((s) => s.serverStatus);
  const startServer = useKeyhold((s) => s.startServer);
  const stopServer = useKeyhold((s) => s.stopServer);
  const canControl = useSupported('server.start', 'server.stop');
  const [status, setStatus] = useState<ServerStatus | undefined>();
  const [error, setError] = useState<ApiError | undefined>();
  const [address, setAddress] = useState('127.0.0.1');
  const [port, setPort] = useState('5696');
  const [busy, setBusy] = useState(false);

  const load = useCallback(
    () =>
      serverStatus({}).then((r) => {
        if (r.ok) setStatus(r.value);
        else setError(r.error);
      }),
    [serverStatus],
  );
  useEffect(() => {
    void load();
    const t = setInterval(() => void load(), 2000);
    return () => clearInterval(t);
  }, [load]);

  if (!status) return error ? <ErrorBox error={error} /> : <p className="muted">Loading…</p>;
  if (!status.available) {
    return (
      <section className="card" aria-labelledby="server-title">
        <h2 id="server-title">KMIP server</h2>
        <Unavailable what="The KMIP server" calls={['server.start', 'server.stop', 'server.enroll']} />
      </section>
    );
  }
  const toggle = async () => {
    setBusy(true);
    setError(undefined);
    const r = status.running ? await stopServer({}) : await startServer({ address, port: Number(port) });
    setBusy(false);
    if (r.ok) setStatus(r.value);
    else setError(r.error);
  };
  return (
    <div className="stack">
      <section className="card" aria-labelledby="server-title">
        <div className="card-head">
          <h2 id="server-title">KMIP server</h2>
          <span className={`badge ${status.running ? 'state-Active' : ''}`}>
            {status.running ? 'Running' : 'Stopped'}
          </span>
        </div>
        {status.running ? (
          <p>
            Listening on{' '}
            <code>
              {status.address}:{status.port}
            </code>{' '}
            (KMIP over TLS with client certificates, and the HTTPS binding on the same port).
          </p>
        ) : (
          <p className="muted">Clients connect over TLS with a certificate you enroll below.</p>
        )}
        {status.blockedBy && <p className="muted">{status.blockedBy}</p>}
        <form
          className="row fields-row"
          onSubmit={(e) => {
            e.preventDefault();
            void toggle();
          }}
        >
          <Field label="Address" hint="127.0.0.1: this computer only; 0.0.0.0: the network.">
            {(id, hintId) => (
              <input
                id={id}
                aria-describedby={hintId}
                value={status.running ? (status.address ?? address) : address}
                onChange={(e) => setAddress(e.target.value)}
                disabled={status.running || !canControl}
              />
            )}
          </Field>
          <Field label="Port" hint="5696 is KMIP’s port; 0 picks a free one.">
            {(id, hintId) => (
              <input
                id={id}
                aria-describedby={hintId}
                type="number"
                min={0}
                max={65535}
                value={status.running ? String(status.port ?? port) : port}
                onChange={(e) => setPort(e.target.value)}
                disabled={status.running || !canControl}
              />
            )}
          </Field>
          <button
            type="submit"
            className={status.running ? 'secondary' : undefined}
            disabled={!canControl || busy || (!status.running && status.blockedBy !== undefined)}
          >
            {busy ? 'Working…' : status.running ? 'Stop server' : 'Start server'}
          </button>
        </form>
        {error && <ErrorBox error={error} />}
      </section>
      <ClientsCard status={status} onChange={() => void load()} onStatus={setStatus} />
      <ActivityCard status={status} />
    </div>
  );
}
