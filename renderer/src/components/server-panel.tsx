/**
 * The KMIP server panel: start and stop the server on an address and port, enroll clients (a PEM
 * bundle to hand over), live connections and the request log, refreshed every 2 seconds.
 */
import { useCallback, useEffect, useState } from 'react';
import type { ApiError, ServerStatus } from '../../../shared/api/index.js';
import { saveFile } from '../lib/download.js';
import { useKeyhold } from '../store/context.js';
import { ErrorBox, Field, formatDate, Unavailable, useSupported } from './common.js';

function ClientsCard({ status, onChange }: { status: ServerStatus; onChange: () => void }) {
  const enrollClient = useKeyhold((s) => s.enrollClient);
  const notify = useKeyhold((s) => s.notify);
  const [name, setName] = useState('');
  const [error, setError] = useState<ApiError | undefined>();
  const [busy, setBusy] = useState(false);
  const blocked = status.blockedBy !== undefined;
  return (
    <section className="card" aria-labelledby="clients-title">
      <h3 id="clients-title">Enrolled clients</h3>
      {status.clients.length === 0 ? (
        <p className="muted">
          No client is enrolled yet. Enroll one to give an application a certificate the server accepts.
        </p>
      ) : (
        <table className="grid">
          <thead>
            <tr>
              <th>Name</th>
              <th>Serial number</th>
              <th>Valid until</th>
              <th>Status</th>
            </tr>
          </thead>
          <tbody>
            {status.clients.map((c) => (
              <tr key={c.serialNumber}>
                <td>
                  <strong>{c.name}</strong> {c.admin && <span className="badge">admin</span>}
                </td>
                <td>
                  <code className="small">{c.serialNumber}</code>
                </td>
                <td>{formatDate(c.notAfter)}</td>
                <td>
                  <span className={`badge ${c.revoked ? 'state-Compromised' : 'state-Active'}`}>
                    {c.revoked ? 'Revoked' : 'Active'}
                  </span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form
        className="row fields-row enroll-form"
        onSubmit={(e) => {
          e.preventDefault();
          setBusy(true);
          setError(undefined);
          void enrollClient({ name: name.trim(), includePrivateKey: true }).then((r) => {
            setBusy(false);
            if (!r.ok) return setError(r.error);
            saveFile(r.value);
            notify({
              kind: 'success',
              title: `Client “${name.trim()}” enrolled.`,
              action: `Hand ${r.value.fileName} to it over a safe channel: it holds the client’s private key.`,
            });
            setName('');
            onChange();
          });
        }}
      >
        <Field label="New client name" hint="Letters, digits, dot, dash or underscore.">
          {(id) => (
            <input
              id={id}
              value={name}
              maxLength={64}
              pattern="[A-Za-z0-9][A-Za-z0-9._\-]*"
              onChange={(e) => setName(e.target.value)}
              disabled={blocked}
            />
          )}
        </Field>
        <button type="submit" disabled={blocked || busy || name.trim() === ''}>
          {busy ? 'Enrolling…' : 'Enroll and download bundle'}
        </button>
      </form>
      {error && <ErrorBox error={error} />}
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
        <table className="grid">
          <thead>
            <tr>
              <th>Time</th>
              <th>Client</th>
              <th>Operation</th>
              <th>Result</th>
            </tr>
          </thead>
          <tbody>
            {log.map((e, i) => (
              <tr key={`${e.time}-${i}`}>
                <td className="c-date">{formatDate(e.time)}</td>
                <td>{e.peer}</td>
                <td>{e.operation}</td>
                <td>
                  <span className={`badge ${e.resultStatus === 'Success' ? 'state-Active' : 'state-Compromised'}`}>
                    {e.resultStatus || '—'}
                  </span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
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
            {(id) => (
              <input
                id={id}
                value={status.running ? (status.address ?? address) : address}
                onChange={(e) => setAddress(e.target.value)}
                disabled={status.running || !canControl}
              />
            )}
          </Field>
          <Field label="Port" hint="5696 is KMIP’s port; 0 picks a free one.">
            {(id) => (
              <input
                id={id}
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
      <ClientsCard status={status} onChange={() => void load()} />
      <ActivityCard status={status} />
    </div>
  );
}
