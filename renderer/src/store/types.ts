import type { StateCreator } from 'zustand';
import type { ApiError, KeyholdApi, Result } from '../../../shared/api/index.js';
import type { VaultSlice } from './vault-slice.js';
import type { ObjectsSlice } from './objects-slice.js';
import type { AuditSlice } from './audit-slice.js';
import type { UiSlice } from './ui-slice.js';
import type { OperationsSlice } from './operations-slice.js';
import type { TokensSlice } from './tokens-slice.js';

export type KeyholdState = VaultSlice & ObjectsSlice & AuditSlice & UiSlice & OperationsSlice & TokensSlice;

/** A slice creator: gets the whole store's set/get and the API it calls. */
export type SliceCreator<T> = (api: KeyholdApi) => StateCreator<KeyholdState, [], [], T>;

export type Status = 'idle' | 'loading' | 'ready' | 'error';

export type { ApiError, Result };
