import { createContext, useContext } from 'react';
import type { ReactNode } from 'react';
import { useStore } from 'zustand';
import type { KeyholdState, KeyholdStore } from './index.js';

const StoreContext = createContext<KeyholdStore | undefined>(undefined);

export function StoreProvider({ store, children }: { store: KeyholdStore; children: ReactNode }) {
  return <StoreContext.Provider value={store}>{children}</StoreContext.Provider>;
}

export function useKeyhold<T>(selector: (s: KeyholdState) => T): T {
  const store = useContext(StoreContext);
  if (!store) throw new Error('useKeyhold outside StoreProvider');
  return useStore(store, selector);
}
