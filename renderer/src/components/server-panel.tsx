/** The KMIP server panel: shows the server's state, or says clearly that it is not in this build. */
import { useEffect, useState } from 'react';
import type { ApiError, ServerStatus } from '../../../shared/api/index.js';
import { useKeyhold } from '../store/context.js';
import { ErrorBox, Field, formatDate, Unavailable, useSupported } from './common.js';

export function ServerPanel() {
  const serverStatus = useKeyhold((s) => s.serverStatus);
  const canControl = useSupported('server.start', 'server.stop');
  const [status, setStatus] = useState<ServerStatus | undefined>();
  const [error, setError] = useState<ApiError | undefined>();
  useEffect(() => {
    let live = true;
    const load = () =>
      void serverStatus({}).then((r) => {
        if (!live) return;
        if (r.ok) setStatus(r.value);
        else setError(r.error);
      });
    load();
    const t = setInterval(load, 3000);
    return () => {
      live = false;
      clearInterval(t);
    };
  }, [serverStatus]);

  if (error) return <ErrorBox error={error} />;
  if (!status) return <p className="muted">Loading…</p>;
  if (!status.available) {
    return (
      <section className="card" aria-labelledby="server-title">
        <h2 id="server-title">KMIP server</h2>
        <Unavailable what="The KMIP server" calls={['server.start', 'server.stop', 'server.enroll']} />
        <p className="muted small">
          When it is installed, this panel starts and stops the server (TLS on port 5696 by default), enrolls clients
          with a bundle to hand over, and shows live connections and the request log.
        </p>
      </section>
    );
  }
  return (
    <section className="card" aria-labelledby="server-title">
      <h2 id="server-title">KMIP server</h2>
      <p>
        <span className={`badge ${status.running ? 'state-Active' : 'state-Deactivated'}`}>
          {status.running ? 'Running' : 'Stopped'}
        </span>{' '}
        {status.running && (
          <code>
            {status.address}:{status.port}
          </code>
        )}
      </p>
      {!canControl && <p className="muted">Starting and stopping is not available in this build.</p>}
      <h3>Enrolled clients</h3>
      <ul className="plain">
        {status.clients.map((c) => (
          <li key={c.subject}>
            <strong>{c.name}</strong> <code>{c.subject}</code>{' '}
            <span className="muted small">{formatDate(c.enrolled)}</span>
          </li>
        ))}
      </ul>
      <h3>Live connections</h3>
      <ul className="plain">
        {status.connections.map((c) => (
          <li key={c.peer + c.since}>
            {c.peer} since {formatDate(c.since)}, {c.requests} requests
          </li>
        ))}
      </ul>
      <h3>Request log</h3>
      <table className="grid">
        <thead>
          <tr>
            <th>Time</th>
            <th>Peer</th>
            <th>Operation</th>
            <th>Result</th>
          </tr>
        </thead>
        <tbody>
          {status.requestLog.map((e, i) => (
            <tr key={i}>
              <td>{formatDate(e.time)}</td>
              <td>{e.peer}</td>
              <td>{e.operation}</td>
              <td>{e.resultStatus}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <Field label="Address">
        {(id) => <input id={id} defaultValue={status.address ?? '127.0.0.1'} disabled={!canControl} />}
      </Field>
    </section>
  );
}
