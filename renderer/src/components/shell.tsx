/**
 * The unlocked window: header with vault and lock, navigation, the current screen. The object
 * browser is in the first bundle; every other screen is its own chunk, loaded when first shown
 * and fetched in the background once the list's first page is on screen and the page is idle, so
 * neither the first paint nor the list's own request waits for them.
 */
import { lazy, Suspense, useEffect } from 'react';
import type { ComponentType } from 'react';
import type { Screen } from '../store/ui-slice.js';
import { useKeyhold } from '../store/context.js';
import { NoticeBar } from './common.js';
import { ObjectBrowser } from './object-browser.js';

type Loader = () => Promise<{ default: ComponentType }>;
const screenLoaders = {
  generate: () => import('./key-wizard.js').then((m) => ({ default: m.KeyWizard })),
  csr: () => import('./csr-wizard.js').then((m) => ({ default: m.CsrWizard })),
  certificates: () => import('./certificates.js').then((m) => ({ default: m.Certificates })),
  server: () => import('./server-panel.js').then((m) => ({ default: m.ServerPanel })),
  audit: () => import('./audit-view.js').then((m) => ({ default: m.AuditView })),
  tokens: () => import('./tokens-panel.js').then((m) => ({ default: m.TokensPanel })),
  settings: () =>
    Promise.all([import('./settings.js'), import('./unlock-methods.js')]).then(([s, u]) => ({
      default: function SettingsScreen() {
        return (
          <div className="stack">
            <s.Settings />
            <u.UnlockMethods />
          </div>
        );
      },
    })),
} satisfies Record<Exclude<Screen, 'objects'>, Loader>;
type LazyScreen = keyof typeof screenLoaders;
const lazyScreens = {} as Record<LazyScreen, ComponentType>;
for (const screen of Object.keys(screenLoaders) as LazyScreen[]) lazyScreens[screen] = lazy(screenLoaders[screen]);

/** Fetches the other screens' chunks once the browser is idle (they are then cached). */
function prefetchScreens(): () => void {
  const load = () => {
    for (const l of Object.values(screenLoaders)) void l().catch(() => undefined);
  };
  if ('requestIdleCallback' in window) {
    const id = window.requestIdleCallback(load, { timeout: 2000 });
    return () => window.cancelIdleCallback(id);
  }
  const id = setTimeout(load, 200);
  return () => clearTimeout(id);
}

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
  const listShown = useKeyhold((s) => s.objectsStatus === 'ready' || s.objectsStatus === 'error');
  useEffect(() => (listShown ? prefetchScreens() : undefined), [listShown]);
  const Lazy = screen === 'objects' ? undefined : lazyScreens[screen];
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
        {Lazy && (
          <Suspense fallback={<p className="muted">Loading…</p>}>
            <Lazy />
          </Suspense>
        )}
      </main>
    </div>
  );
}
