/** Screen, theme, the saved settings and the one notice shown at a time. */
import { describeError } from '../../../shared/api/index.js';
import type { ApiError, Settings } from '../../../shared/api/index.js';
import type { SliceCreator } from './types.js';

export type Screen = 'objects' | 'generate' | 'csr' | 'certificates' | 'server' | 'audit' | 'settings' | 'tokens';
export type Theme = 'light' | 'dark';

export interface Notice {
  kind: 'error' | 'success';
  title: string;
  action?: string;
  detail?: string;
}

export interface UiSlice {
  screen: Screen;
  /** The theme shown (a 'system' setting resolved by the platform's preference). */
  theme: Theme;
  /** The platform prefers dark (set by main.tsx from prefers-color-scheme). */
  systemDark: boolean;
  /** The settings as saved by the engine (defaults until loaded). */
  settings: Settings;
  notice: Notice | undefined;
  setScreen(screen: Screen): void;
  /** Shows `theme` and saves it. */
  setTheme(theme: Theme): void;
  setSystemDark(dark: boolean): void;
  loadSettings(): Promise<void>;
  /** Saves changed settings; the engine applies the auto-lock delay at once. */
  saveSettings(changes: Partial<Settings>): Promise<boolean>;
  notify(notice: Notice): void;
  notifyError(error: ApiError): void;
  dismissNotice(): void;
}

export const defaultSettings: Settings = { autoLockMinutes: 5, clipboardClearSeconds: 30, theme: 'system' };

function resolve(choice: Settings['theme'], systemDark: boolean): Theme {
  return choice === 'system' ? (systemDark ? 'dark' : 'light') : choice;
}

export const createUiSlice: SliceCreator<UiSlice> = (api) => (set, get) => ({
  screen: 'objects',
  theme: 'light',
  systemDark: false,
  settings: defaultSettings,
  notice: undefined,
  setScreen: (screen) => set({ screen, notice: undefined }),
  setTheme: (theme) => {
    set({ theme });
    void get().saveSettings({ theme });
  },
  setSystemDark: (systemDark) => set({ systemDark, theme: resolve(get().settings.theme, systemDark) }),
  async loadSettings() {
    const r = await api['settings.get']({});
    // Without saved settings (an engine without them) the defaults stay.
    if (r.ok) set({ settings: r.value, theme: resolve(r.value.theme, get().systemDark) });
  },
  async saveSettings(changes) {
    const r = await api['settings.set'](changes);
    if (!r.ok) {
      if (r.error.code !== 'unsupported') get().notifyError(r.error);
      return false;
    }
    set({ settings: r.value, theme: resolve(r.value.theme, get().systemDark) });
    if (changes.autoLockMinutes !== undefined) {
      const status = await api['vault.status']({});
      if (status.ok) set({ vault: status.value });
    }
    return true;
  },
  notify: (notice) => set({ notice }),
  notifyError: (error) => {
    const t = describeError(error);
    set({ notice: { kind: 'error', title: t.title, action: t.action, detail: t.detail } });
  },
  dismissNotice: () => set({ notice: undefined }),
});
