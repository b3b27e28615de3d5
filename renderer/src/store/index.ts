/** The renderer's one store, built from feature slices (zustand's slices pattern). */
import { createStore } from 'zustand/vanilla';
import type { StoreApi } from 'zustand/vanilla';
import type { KeyholdApi } from '../../../shared/api/index.js';
import { createVaultSlice } from './vault-slice.js';
import { createObjectsSlice } from './objects-slice.js';
import { createAuditSlice } from './audit-slice.js';
import { createUiSlice } from './ui-slice.js';
import { createOperationsSlice } from './operations-slice.js';
import { createTokensSlice } from './tokens-slice.js';
import type { KeyholdState } from './types.js';

export type KeyholdStore = StoreApi<KeyholdState>;
export type { KeyholdState };

export function createKeyholdStore(api: KeyholdApi): KeyholdStore {
  return createStore<KeyholdState>()((...a) => ({
    ...createVaultSlice(api)(...a),
    ...createObjectsSlice(api)(...a),
    ...createAuditSlice(api)(...a),
    ...createUiSlice(api)(...a),
    ...createOperationsSlice(api)(...a),
    ...createTokensSlice(api)(...a),
  }));
}
