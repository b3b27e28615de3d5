import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { defaultApi } from './api.js';
import { App } from './components/app.js';
import { createKeyholdStore } from './store/index.js';
import { StoreProvider } from './store/context.js';
import './styles.css';

const store = createKeyholdStore(defaultApi());
const dark = window.matchMedia('(prefers-color-scheme: dark)');
store.getState().setSystemDark(dark.matches);
dark.addEventListener('change', (e) => store.getState().setSystemDark(e.matches));
// Ask for the vault's state and the saved settings now, while React renders the first frame.
void store.getState().loadVault();
void store.getState().loadSettings();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <StoreProvider store={store}>
      <App />
    </StoreProvider>
  </StrictMode>,
);
