/** The unlocked window: header with vault and lock, navigation, the current screen. */
import type { Screen } from '../store/ui-slice.js';
import { useKeyhold } from '../store/context.js';
import { AuditView } from './audit-view.js';
import { Certificates } from './certificates.js';
import { NoticeBar } from './common.js';
import { CsrWizard } from './csr-wizard.js';
import { KeyWizard } from './key-wizard.js';
import { ObjectBrowser } from './object-browser.js';
import { ServerPanel } from './server-panel.js';
import { Settings } from './settings.js';
import { TokensPanel } from './tokens-panel.js';
import { UnlockMethods } from './unlock-methods.js';

const nav: [Screen, string, string][] = [
  ['objects', 'Vault', '▤'],
  ['generate', 'Generate key', '✦'],
  ['csr', 'Certificate request', '✎'],
  ['certificates', 'Certificates', '▣'],
  ['tokens', 'Tokens', '◈'],
  ['server', 'KMIP server', '⇄'],
  ['audit', 'Audit log', '☰'],
  ['settings', 'Settings', '⚙'],
];

export function Shell() {
  const screen = useKeyhold((s) => s.screen);
  const setScreen = useKeyhold((s) => s.setScreen);
  const vault = useKeyhold((s) => s.vault);
  const lock = useKeyhold((s) => s.lockVault);
  const theme = useKeyhold((s) => s.theme);
  const setTheme = useKeyhold((s) => s.setTheme);
  const count = useKeyhold((s) => s.objects.length);
  return (
    <div className="shell">
      <header className="topbar">
        <div className="brand">
          <span className="logo" aria-hidden="true">
            ⬢
          </span>{' '}
          Keyhold
        </div>
        <div className="vault-chip" title={vault?.path}>
          <span className="dot-ok" aria-hidden="true" /> Unlocked · <span className="path">{vault?.path}</span>
        </div>
        <div className="row">
          <button
            type="button"
            className="ghost"
            onClick={() => setTheme(theme === 'dark' ? 'light' : 'dark')}
            aria-label={theme === 'dark' ? 'Switch to light theme' : 'Switch to dark theme'}
          >
            {theme === 'dark' ? '☀' : '☾'}
          </button>
          <button type="button" className="secondary" onClick={() => void lock()}>
            Lock
          </button>
        </div>
      </header>
      <nav className="sidebar" aria-label="Sections">
        <ul>
          {nav.map(([s, label, icon]) => (
            <li key={s}>
              <button
                type="button"
                className={screen === s ? 'nav active' : 'nav'}
                aria-current={screen === s ? 'page' : undefined}
                onClick={() => setScreen(s)}
              >
                <span className="nav-icon" aria-hidden="true">
                  {icon}
                </span>
                {label}
                {s === 'objects' && <span className="count">{count.toLocaleString()}</span>}
              </button>
            </li>
          ))}
        </ul>
      </nav>
      <main className="content" id="content">
        <NoticeBar />
        {screen === 'objects' && <ObjectBrowser />}
        {screen === 'generate' && <KeyWizard />}
        {screen === 'csr' && <CsrWizard />}
        {screen === 'certificates' && <Certificates />}
        {screen === 'server' && <ServerPanel />}
        {screen === 'audit' && <AuditView />}
        {screen === 'tokens' && <TokensPanel />}
        {screen === 'settings' && (
          <div className="stack">
            <Settings />
            <UnlockMethods />
          </div>
        )}
      </main>
    </div>
  );
}
