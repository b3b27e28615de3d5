/** Settings: auto-lock delay and theme. */
import { useState } from 'react';
import { clipboardClearSeconds } from '../lib/clipboard.js';
import { useKeyhold } from '../store/context.js';
import { Field } from './common.js';

export function Settings() {
  const vault = useKeyhold((s) => s.vault);
  const setAutoLock = useKeyhold((s) => s.setAutoLock);
  const theme = useKeyhold((s) => s.theme);
  const setTheme = useKeyhold((s) => s.setTheme);
  const [minutes, setMinutes] = useState(String(Math.round((vault?.autoLockSeconds ?? 300) / 60)));
  return (
    <section className="card narrow" aria-labelledby="settings-title">
      <h2 id="settings-title">Settings</h2>
      <form
        className="stack"
        onSubmit={(e) => {
          e.preventDefault();
          void setAutoLock(Math.max(0, Math.round(Number(minutes) * 60)));
        }}
      >
        <Field label="Lock after idle (minutes)" hint="0 keeps the vault unlocked until you lock it.">
          {(id) => (
            <input
              id={id}
              type="number"
              min={0}
              max={1440}
              value={minutes}
              onChange={(e) => setMinutes(e.target.value)}
            />
          )}
        </Field>
        <div className="row">
          <button type="submit">Save</button>
        </div>
      </form>
      <Field label="Theme">
        {(id) => (
          <select id={id} value={theme} onChange={(e) => setTheme(e.target.value as 'light' | 'dark')}>
            <option value="light">Light</option>
            <option value="dark">Dark</option>
          </select>
        )}
      </Field>
      <p className="muted small">Copied values are cleared from the clipboard after {clipboardClearSeconds} seconds.</p>
      <p className="muted small">
        Vault file: <code>{vault?.path}</code>
      </p>
    </section>
  );
}
