/** The audit chain: its entries and the last verification result. */
import type { AuditEntry, AuditVerification } from '../../../shared/api/index.js';
import type { SliceCreator, Status } from './types.js';

export interface AuditSlice {
  audit: AuditEntry[];
  auditStatus: Status;
  verification: AuditVerification | undefined;
  loadAudit(): Promise<void>;
  verifyAudit(): Promise<void>;
}

export const createAuditSlice: SliceCreator<AuditSlice> = (api) => (set, get) => ({
  audit: [],
  auditStatus: 'idle',
  verification: undefined,
  async loadAudit() {
    set({ auditStatus: 'loading' });
    const r = await api['audit.list']({});
    if (!r.ok) {
      set({ auditStatus: 'error' });
      if (r.error.code === 'vault-locked') get().noteLocked();
      return get().notifyError(r.error);
    }
    set({ audit: r.value, auditStatus: 'ready' });
  },
  async verifyAudit() {
    const r = await api['audit.verify']({});
    if (!r.ok) return get().notifyError(r.error);
    set({ verification: r.value });
  },
});
