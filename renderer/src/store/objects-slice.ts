/** The object browser: summaries of every object, the filter, the selection and its detail. */
import { firstListPage } from '../../../shared/api/index.js';
import type { ApiError, ObjectDetail, ObjectSummary } from '../../../shared/api/index.js';
import { emptyFilter } from './filter.js';
import type { ObjectFilter } from './filter.js';
import type { SliceCreator, Status } from './types.js';

export type ObjectAction = 'activate' | 'revoke' | 'destroy' | 'rekey';

export interface ObjectsSlice {
  objects: ObjectSummary[];
  objectsStatus: Status;
  objectsError: ApiError | undefined;
  filter: ObjectFilter;
  selectedId: string | undefined;
  detail: ObjectDetail | undefined;
  detailStatus: Status;
  loadObjects(): Promise<void>;
  clearObjects(): void;
  setFilter(change: Partial<ObjectFilter>): void;
  resetFilter(): void;
  select(uniqueIdentifier: string | undefined): Promise<void>;
  runAction(action: ObjectAction, uniqueIdentifier: string): Promise<boolean>;
}

/** The first page of the object list, then the size of each further page. */
export const firstPage = firstListPage;
export const nextPages = 50_000;

export const createObjectsSlice: SliceCreator<ObjectsSlice> = (api) => (set, get) => {
  let loads = 0;
  return {
    objects: [],
    objectsStatus: 'idle',
    objectsError: undefined,
    filter: emptyFilter,
    selectedId: undefined,
    detail: undefined,
    detailStatus: 'idle',
    async loadObjects() {
      const generation = ++loads;
      set({ objectsStatus: 'loading' });
      // The first page shows at once; the rest follows in larger pages while the list is usable.
      let offset = 0;
      let limit = firstPage;
      let objects: ObjectSummary[] = [];
      for (;;) {
        const r = await api['objects.list']({ offset, limit });
        if (generation !== loads) return;
        if (!r.ok) {
          if (r.error.code === 'vault-locked') return get().noteLocked();
          return set({ objectsStatus: 'error', objectsError: r.error });
        }
        objects = offset === 0 ? r.value : objects.concat(r.value);
        set({ objects, objectsStatus: 'ready', objectsError: undefined });
        if (r.value.length !== limit) return;
        offset += limit;
        limit = nextPages;
      }
    },
    clearObjects() {
      loads++;
      set({ objects: [], objectsStatus: 'idle', selectedId: undefined, detail: undefined, detailStatus: 'idle' });
    },
    setFilter(change) {
      set({ filter: { ...get().filter, ...change } });
    },
    resetFilter() {
      set({ filter: emptyFilter });
    },
    async select(uniqueIdentifier) {
      set({ selectedId: uniqueIdentifier, detail: undefined, detailStatus: uniqueIdentifier ? 'loading' : 'idle' });
      if (!uniqueIdentifier) return;
      const r = await api['objects.get']({ uniqueIdentifier });
      if (get().selectedId !== uniqueIdentifier) return;
      if (!r.ok) {
        if (r.error.code === 'vault-locked') return get().noteLocked();
        set({ detailStatus: 'error' });
        return get().notifyError(r.error);
      }
      set({ detail: r.value, detailStatus: 'ready' });
    },
    async runAction(action, uniqueIdentifier) {
      const r =
        action === 'revoke'
          ? await api['objects.revoke']({ uniqueIdentifier, reason: 'CessationOfOperation' })
          : await api[`objects.${action}`]({ uniqueIdentifier });
      if (!r.ok) {
        if (r.error.code === 'vault-locked') get().noteLocked();
        get().notifyError(r.error);
        return false;
      }
      get().notify({ kind: 'success', title: `${action[0]!.toUpperCase()}${action.slice(1)} done.` });
      await get().loadObjects();
      await get().select(uniqueIdentifier);
      return true;
    },
  };
};
