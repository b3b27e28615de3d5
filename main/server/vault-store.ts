import { isKeyholdError } from '../../shared/errors.js';
import type { AuditEntry, ObjectStore, StoreLocateQuery } from '../ops/context.js';
import { READ_ONLY_ATTRIBUTES, type Vault } from '../vault/index.js';
import type { AttributeValue, Attributes, ManagedObject } from '../vault/model.js';

/**
 * Attributes never written with setAttributes: those the vault refuses there (its read-only ones)
 * and those its lifecycle calls (activate, revoke, ...) set.
 */
const lifecycleManaged = new Set([
  ...READ_ONLY_ATTRIBUTES,
  'ActivationDate',
  'DeactivationDate',
  'OriginalCreationDate',
]);

/** Minted identifiers remembered at most; past it the set is cleared (puts then read first, as before). */
const MAX_MINTED = 10_000;

function same(a: AttributeValue[] | undefined, b: AttributeValue[] | undefined): boolean {
  return JSON.stringify(a ?? [], replacer) === JSON.stringify(b ?? [], replacer);
}

function replacer(_k: string, v: unknown): unknown {
  if (typeof v === 'bigint') return `${v}n`;
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
  return v;
}

/**
 * The operations' ObjectStore over the SQLCipher vault: a new object is inserted; a changed one
 * becomes the vault's lifecycle calls (Activate, Revoke, Destroy, Archive, Recover) and one
 * attribute update, so the vault's own state machine and audit chain stay in charge.
 */
export class VaultObjectStore implements ObjectStore {
  /**
   * Identifiers this store minted (random UUIDs) and not yet stored: putting one is an insert,
   * with no read of a previous version first (one database round trip less per Create).
   */
  private readonly minted = new Set<string>();

  constructor(private readonly vault: Vault) {}

  async get(uniqueIdentifier: string, identity: string): Promise<ManagedObject | undefined> {
    try {
      return await this.vault.getObjectForUse(uniqueIdentifier, identity, 'Read');
    } catch (e) {
      if (isKeyholdError(e) && e.code === 'not-found') return undefined;
      if (isKeyholdError(e) && e.reason === 'Object Archived') return this.vault.getObject(uniqueIdentifier);
      throw e;
    }
  }

  async put(object: ManagedObject, identity: string): Promise<void> {
    if (this.minted.delete(object.uniqueIdentifier)) {
      // New for certain (the vault's UNIQUE column would refuse a clash anyway). Inside a
      // transaction as below, so a failure is audited once, by the processor.
      await this.vault.transaction(() => this.vault.insert(object, identity, 'Register'));
      return;
    }
    await this.vault.transaction(async () => {
      let prev: ManagedObject | undefined;
      try {
        prev = await this.vault.getObject(object.uniqueIdentifier);
      } catch (e) {
        if (!(isKeyholdError(e) && e.code === 'not-found')) throw e;
      }
      if (!prev) {
        await this.vault.insert(object, identity, 'Register');
        return;
      }
      const uid = object.uniqueIdentifier;
      const was = prev.attributes.State?.[0];
      const now = object.attributes.State?.[0];
      if (prev.attributes.ArchiveDate && !object.attributes.ArchiveDate) await this.vault.recover(uid, identity);
      if (was !== now) {
        if (now === 'Active') await this.vault.activate(uid, identity);
        else if (
          now === 'Deactivated' ||
          now === 'Compromised' ||
          (now === 'DestroyedCompromised' && was === 'Destroyed')
        ) {
          const reason = object.attributes.RevocationReason?.[0] as {
            RevocationReasonCode: string;
            RevocationMessage?: string;
          };
          const occurred = object.attributes.CompromiseOccurrenceDate?.[0];
          await this.vault.revoke(
            uid,
            { reason, compromiseOccurrenceDate: occurred instanceof Date ? occurred : undefined },
            identity,
          );
        } else if (now === 'Destroyed' || now === 'DestroyedCompromised') await this.vault.destroy(uid, identity);
      }
      const changes: Attributes = {};
      for (const name of new Set([...Object.keys(prev.attributes), ...Object.keys(object.attributes)])) {
        if (lifecycleManaged.has(name)) continue;
        if (!same(prev.attributes[name], object.attributes[name])) changes[name] = object.attributes[name] ?? [];
      }
      if (Object.keys(changes).length > 0) await this.vault.setAttributes(uid, changes, identity, 'ModifyAttribute');
      if (!prev.attributes.ArchiveDate && object.attributes.ArchiveDate) await this.vault.archive(uid, identity);
    });
  }

  async all(): Promise<ManagedObject[]> {
    const found = await this.vault.locate({ storageStatusMask: 7 });
    const out: ManagedObject[] = [];
    for (const uid of found.uniqueIdentifiers) out.push(await this.vault.getObject(uid));
    return out;
  }

  async locate(query: StoreLocateQuery): Promise<{ uniqueIdentifiers: string[]; locatedItems: number }> {
    const r = await this.vault.locate({ ...query, countLocated: true });
    return { uniqueIdentifiers: r.uniqueIdentifiers, locatedItems: r.locatedItems ?? r.uniqueIdentifiers.length };
  }

  async newUniqueIdentifier(): Promise<string> {
    const uid = crypto.randomUUID();
    // Bounded: identifiers minted for requests that failed before storing are forgotten.
    if (this.minted.size >= MAX_MINTED) this.minted.clear();
    this.minted.add(uid);
    return uid;
  }

  /**
   * The vault already records every use and change of an object in the same transaction; a
   * request that succeeded on an object is not written twice. Everything else (Locate, Query,
   * Discover Versions, every failure, unreadable messages) is recorded here.
   */
  async audit(entry: AuditEntry): Promise<void> {
    // Locate answers with identifiers it never read through the vault: always recorded here.
    const located = entry.operation === 'Locate';
    if (entry.result === 'Success' && entry.uniqueIdentifier !== undefined && !located) return;
    await this.vault.appendAudit({
      identity: entry.identity,
      operation: entry.operation,
      object: located ? null : (entry.uniqueIdentifier ?? null),
      result:
        entry.result === 'Success'
          ? 'Success'
          : entry.result === 'OperationUndone'
            ? 'OperationUndone'
            : (entry.reason ?? 'OperationFailed'),
    });
  }

  /**
   * Undo (KMIP 1.4 section 6.7): body runs as one vault transaction, in one savepoint; undoing
   * throws out of it, so the vault rolls back to that savepoint every change and every audit row
   * body made (the chain's head goes back with them), and the batch's other work in the same
   * commit group is untouched. The processor records the undone items after.
   */
  async undoable<T>(body: () => Promise<{ result: T; undo: boolean }>): Promise<T> {
    let undone: { result: T } | undefined;
    const marker = new Error('batch undone');
    try {
      return await this.vault.transaction(async () => {
        const outcome = await body();
        if (!outcome.undo) return outcome.result;
        undone = { result: outcome.result };
        throw marker;
      });
    } catch (e) {
      // An object the batch inserted left `minted` at its put: a later put of its identifier reads first.
      if (e === marker && undone !== undefined) return undone.result;
      throw e;
    }
  }
}
