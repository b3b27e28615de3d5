/** Screen, theme and the one notice shown at a time. */
import { describeError } from '../../../shared/api/index.js';
import type { ApiError } from '../../../shared/api/index.js';
import type { SliceCreator } from './types.js';

export type Screen = 'objects' | 'generate' | 'csr' | 'certificates' | 'server' | 'audit' | 'settings';
export type Theme = 'light' | 'dark';

export interface Notice {
  kind: 'error' | 'success';
  title: string;
  action?: string;
  detail?: string;
}

export interface UiSlice {
  screen: Screen;
  theme: Theme;
  notice: Notice | undefined;
  setScreen(screen: Screen): void;
  setTheme(theme: Theme): void;
  notify(notice: Notice): void;
  notifyError(error: ApiError): void;
  dismissNotice(): void;
}

export const createUiSlice: SliceCreator<UiSlice> = () => (set) => ({
  screen: 'objects',
  theme: 'light',
  notice: undefined,
  setScreen: (screen) => set({ screen, notice: undefined }),
  setTheme: (theme) => set({ theme }),
  notify: (notice) => set({ notice }),
  notifyError: (error) => {
    const t = describeError(error);
    set({ notice: { kind: 'error', title: t.title, action: t.action, detail: t.detail } });
  },
  dismissNotice: () => set({ notice: undefined }),
});
