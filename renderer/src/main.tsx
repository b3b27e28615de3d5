// First: sends the page's first calls before React and the app evaluate.
import { apiWithFirstCalls } from './first-calls.js';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './components/app.js';
import { createKeyholdStore } from './store/index.js';
import { StoreProvider } from './store/context.js';
import './styles.css';

const store = createKeyholdStore(apiWithFirstCalls());
const dark = window.matchMedia('(prefers-color-scheme: dark)');
store.getState().setSystemDark(dark.matches);
dark.addEventListener('change', (e) => store.getState().setSystemDark(e.matches));
// The vault's state and the saved settings: the answers first-calls.ts asked for.
void store.getState().loadVault();
void store.getState().loadSettings();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <StoreProvider store={store}>
      <App />
    </StoreProvider>
  </StrictMode>,
);
