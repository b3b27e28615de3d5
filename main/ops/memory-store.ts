import { randomUUID } from 'node:crypto';
import type { ManagedObject } from '../vault/model.js';
import type { AuditEntry, ObjectStore } from './context.js';

/** An ObjectStore in memory, for tests and for a server run without a vault. */
export class MemoryObjectStore implements ObjectStore {
  private readonly objects = new Map<string, ManagedObject>();
  readonly auditLog: AuditEntry[] = [];

  async get(uniqueIdentifier: string, _identity?: string): Promise<ManagedObject | undefined> {
    return this.objects.get(uniqueIdentifier);
  }

  async put(object: ManagedObject, _identity?: string): Promise<void> {
    this.objects.set(object.uniqueIdentifier, object);
  }

  async all(): Promise<ManagedObject[]> {
    return [...this.objects.values()];
  }

  async newUniqueIdentifier(): Promise<string> {
    return randomUUID();
  }

  async audit(entry: AuditEntry): Promise<void> {
    this.auditLog.push(entry);
  }

  /**
   * Undo (KMIP 1.4 section 6.7): a deep copy of every object is taken first, since operations may
   * change the objects get() hands out in place; undoing puts the copy back and drops the audit
   * entries body appended. The store has no lock, so a request of another client interleaved with
   * an undone batch loses its changes too: this store is for tests and single-client use.
   */
  async undoable<T>(body: () => Promise<{ result: T; undo: boolean }>): Promise<T> {
    const snapshot = structuredClone(this.objects);
    const auditMark = this.auditLog.length;
    let outcome: { result: T; undo: boolean };
    try {
      outcome = await body();
    } catch (e) {
      this.restore(snapshot, auditMark);
      throw e;
    }
    if (outcome.undo) this.restore(snapshot, auditMark);
    else for (const obj of snapshot.values()) wipe(obj);
    return outcome.result;
  }

  private restore(snapshot: Map<string, ManagedObject>, auditMark: number): void {
    this.objects.clear();
    for (const [uid, obj] of snapshot) this.objects.set(uid, obj);
    this.auditLog.length = auditMark;
  }
}

/** Zeroes the byte strings of an unused copy (its key material among them). */
function wipe(value: unknown): void {
  if (value instanceof Uint8Array) value.fill(0);
  else if (Array.isArray(value)) for (const v of value) wipe(v);
  else if (value !== null && typeof value === 'object' && !(value instanceof Date))
    for (const v of Object.values(value)) wipe(v);
}
