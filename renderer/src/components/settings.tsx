/**
 * Settings: auto-lock delay, clipboard clearing and theme. The engine saves them on this computer,
 * outside the vault (they are needed before unlock), and enforces the auto-lock itself.
 */
import { useState } from 'react';
import type { Settings as SavedSettings } from '../../../shared/api/index.js';
import { useKeyhold } from '../store/context.js';
import { Field } from './common.js';

export function Settings() {
  const vault = useKeyhold((s) => s.vault);
  const settings = useKeyhold((s) => s.settings);
  const saveSettings = useKeyhold((s) => s.saveSettings);
  const notify = useKeyhold((s) => s.notify);
  const [minutes, setMinutes] = useState(String(settings.autoLockMinutes));
  const [clearSeconds, setClearSeconds] = useState(String(settings.clipboardClearSeconds));
  return (
    <section className="card narrow" aria-labelledby="settings-title">
      <h2 id="settings-title">Settings</h2>
      <form
        className="stack"
        onSubmit={(e) => {
          e.preventDefault();
          const changes = {
            autoLockMinutes: Math.min(1440, Math.max(0, Math.round(Number(minutes) || 0))),
            clipboardClearSeconds: Math.min(600, Math.max(5, Math.round(Number(clearSeconds) || 30))),
          };
          void saveSettings(changes).then((saved) => {
            if (saved) notify({ kind: 'success', title: 'Settings saved.' });
          });
        }}
      >
        <Field
          label="Lock after idle (minutes)"
          hint="The vault locks after this long without use, even with the window closed. 0 never locks it."
        >
          {(id, hintId) => (
            <input
              id={id}
              aria-describedby={hintId}
              type="number"
              min={0}
              max={1440}
              value={minutes}
              onChange={(e) => setMinutes(e.target.value)}
            />
          )}
        </Field>
        <Field label="Clear copied values after (seconds)" hint="Between 5 and 600 seconds.">
          {(id, hintId) => (
            <input
              id={id}
              aria-describedby={hintId}
              type="number"
              min={5}
              max={600}
              value={clearSeconds}
              onChange={(e) => setClearSeconds(e.target.value)}
            />
          )}
        </Field>
        <div className="row">
          <button type="submit">Save</button>
        </div>
      </form>
      <Field label="Theme">
        {(id) => (
          <select
            id={id}
            value={settings.theme}
            onChange={(e) => void saveSettings({ theme: e.target.value as SavedSettings['theme'] })}
          >
            <option value="system">Same as the system</option>
            <option value="light">Light</option>
            <option value="dark">Dark</option>
          </select>
        )}
      </Field>
      <p className="muted small">
        These settings are kept on this computer, outside the vault, so they apply before you unlock it. The vault locks
        after {vault && vault.autoLockSeconds > 0 ? `${Math.round(vault.autoLockSeconds / 60)} min` : 'no'} idle time.
      </p>
      <p className="muted small">
        Vault: <code>{vault?.path}</code>
      </p>
    </section>
  );
}
