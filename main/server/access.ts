import type { AccessPolicy } from '../ops/context.js';

/** Access rules kept in memory: admins see all; grants open one object to another identity. */
export class GrantTable implements AccessPolicy {
  private readonly admins: Set<string>;
  private readonly grants = new Map<string, Set<string>>();

  constructor(admins: Iterable<string> = []) {
    this.admins = new Set(admins);
  }

  isAdmin(identity: string): boolean {
    return this.admins.has(identity);
  }

  isGranted(uniqueIdentifier: string, identity: string): boolean {
    return this.grants.get(uniqueIdentifier)?.has(identity) ?? false;
  }

  grant(uniqueIdentifier: string, identity: string): void {
    let set = this.grants.get(uniqueIdentifier);
    if (!set) this.grants.set(uniqueIdentifier, (set = new Set()));
    set.add(identity);
  }

  addAdmin(identity: string): void {
    this.admins.add(identity);
  }
}
