/** The root: loads the vault's state, picks the gate or the shell, applies the theme and auto-lock. */
import { useEffect } from 'react';
import { watchIdle } from '../lib/idle.js';
import { useKeyhold } from '../store/context.js';
import { ErrorBox } from './common.js';
import { Shell } from './shell.js';
import { CreateVault, UnlockVault } from './vault-gate.js';

export function App() {
  const vault = useKeyhold((s) => s.vault);
  const vaultStatus = useKeyhold((s) => s.vaultStatus);
  const vaultError = useKeyhold((s) => s.vaultError);
  const loadVault = useKeyhold((s) => s.loadVault);
  const lock = useKeyhold((s) => s.lockVault);
  const theme = useKeyhold((s) => s.theme);

  useEffect(() => {
    // main.tsx may have asked already (before the first render); ask once.
    if (vaultStatus === 'idle') void loadVault();
  }, [loadVault]);

  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);

  const unlocked = vault?.state === 'unlocked';
  const autoLock = vault?.autoLockSeconds ?? 0;
  useEffect(() => (unlocked ? watchIdle(autoLock, () => void lock()) : undefined), [unlocked, autoLock, lock]);

  if (!vault) {
    return (
      <main className="gate">
        {vaultStatus === 'error' && vaultError ? (
          <ErrorBox error={vaultError} />
        ) : (
          <p className="muted">Starting Keyhold…</p>
        )}
      </main>
    );
  }
  if (vault.state === 'absent') return <CreateVault />;
  if (vault.state === 'locked') return <UnlockVault />;
  return <Shell />;
}
