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
}
