import { KeyholdError } from '../../shared/errors.js';
import type { AccessPolicy } from '../ops/context.js';
import { Operation } from '../ops/vocabulary.js';

/** One grant: an identity may use an object another identity owns, for all or some operations. */
export interface Grant {
  identity: string;
  uniqueIdentifier: string;
  /** KMIP operation names (Get, Encrypt...); empty means every operation. */
  operations: string[];
}

const operationNames = new Map(Object.keys(Operation).map((name) => [name.toLowerCase(), name]));

/**
 * KMIP operation names from what a person types: "get", "Get", "get-attributes", "GetAttributes".
 * Unknown names are refused, naming the first one.
 */
export function operationList(names: readonly string[]): string[] {
  const out = new Set<string>();
  for (const raw of names) {
    const key = raw
      .trim()
      .toLowerCase()
      .replace(/[-_\s]/g, '');
    if (key === '') continue;
    const name = operationNames.get(key);
    if (!name) throw new KeyholdError('invalid-argument', `${raw.trim()} is not a KMIP operation`);
    out.add(name);
  }
  return [...out].sort();
}

/**
 * Access rules kept in memory for the operations: admins see all; grants open one object to
 * another identity, for every operation or the ones named. The server loads them from the vault
 * at start and keeps them in step with every change (main/server/control-engine.ts).
 */
export class GrantTable implements AccessPolicy {
  private readonly admins: Set<string>;
  /** uniqueIdentifier -> identity -> operations (empty set: every operation). */
  private readonly grants = new Map<string, Map<string, Set<string>>>();

  constructor(admins: Iterable<string> = [], grants: Iterable<Grant> = []) {
    this.admins = new Set(admins);
    for (const g of grants) this.grant(g.uniqueIdentifier, g.identity, g.operations);
  }

  isAdmin(identity: string): boolean {
    return this.admins.has(identity);
  }

  isGranted(uniqueIdentifier: string, identity: string, operation?: string): boolean {
    const ops = this.grants.get(uniqueIdentifier)?.get(identity);
    if (!ops) return false;
    return ops.size === 0 || (operation !== undefined && ops.has(operation));
  }

  /** The objects granted to an identity for an operation (every-operation grants included). */
  grantedTo(identity: string, operation: string): string[] {
    const out: string[] = [];
    for (const uid of this.grants.keys()) if (this.isGranted(uid, identity, operation)) out.push(uid);
    return out;
  }

  /** Grants (or replaces the grant of) an object to an identity; no operations means all of them. */
  grant(uniqueIdentifier: string, identity: string, operations: readonly string[] = []): void {
    let byIdentity = this.grants.get(uniqueIdentifier);
    if (!byIdentity) this.grants.set(uniqueIdentifier, (byIdentity = new Map()));
    byIdentity.set(identity, new Set(operations));
  }

  /** Removes a grant; true when there was one. */
  ungrant(uniqueIdentifier: string, identity: string): boolean {
    const byIdentity = this.grants.get(uniqueIdentifier);
    const had = byIdentity?.delete(identity) ?? false;
    if (byIdentity?.size === 0) this.grants.delete(uniqueIdentifier);
    return had;
  }

  /** Every grant, or those of one identity, sorted by identity then object. */
  list(identity?: string): Grant[] {
    const out: Grant[] = [];
    for (const [uniqueIdentifier, byIdentity] of this.grants) {
      for (const [who, ops] of byIdentity) {
        if (identity === undefined || who === identity)
          out.push({ identity: who, uniqueIdentifier, operations: [...ops].sort() });
      }
    }
    return out.sort((a, b) =>
      a.identity === b.identity
        ? a.uniqueIdentifier.localeCompare(b.uniqueIdentifier)
        : a.identity.localeCompare(b.identity),
    );
  }

  addAdmin(identity: string): void {
    this.admins.add(identity);
  }

  removeAdmin(identity: string): void {
    this.admins.delete(identity);
  }
}
