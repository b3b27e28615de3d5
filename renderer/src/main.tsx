import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { defaultApi } from './api.js';
import { App } from './components/app.js';
import { createKeyholdStore } from './store/index.js';
import { StoreProvider } from './store/context.js';
import './styles.css';

const store = createKeyholdStore(defaultApi());
if (window.matchMedia('(prefers-color-scheme: dark)').matches) store.getState().setTheme('dark');
// Ask for the vault's state now, while React renders the first frame, not after it mounts.
void store.getState().loadVault();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <StoreProvider store={store}>
      <App />
    </StoreProvider>
  </StrictMode>,
);
