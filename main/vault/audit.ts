import { createHash } from 'node:crypto';

/**
 * The audit chain. Entry n's hash is SHA-256 over the canonical JSON array
 * [seq, time (ms), identity, operation, object, result, detail, prevHash], and prevHash is
 * entry n-1's hash (for entry 1, SHA-256 of "keyhold-audit-genesis\0" + vault id). Anyone
 * holding an export can recompute it; any edit, removal or reordering breaks it from there on.
 */
export interface AuditEntry {
  seq: number;
  time: Date;
  /** Who: a KMIP client's certificate subject, "desktop:<user>", "cli:<user>". */
  identity: string;
  /** What: the KMIP operation name ("Register", "Get", "Revoke") or a vault action ("AddKeySlot"). */
  operation: string;
  /** The Unique Identifier concerned, if any. */
  object: string | null;
  /** "Success" or the KMIP Result Reason of the failure. */
  result: string;
  /** Free text for the record (never key material). */
  detail: string | null;
  prevHash: string;
  hash: string;
}

export type AuditInput = Pick<AuditEntry, 'identity' | 'operation'> & {
  object?: string | null;
  result?: string;
  detail?: string | null;
};

export function genesisHash(vaultId: string): string {
  return createHash('sha256').update(`keyhold-audit-genesis\0${vaultId}`, 'utf8').digest('hex');
}

export function entryHash(e: Omit<AuditEntry, 'hash'>): string {
  const body = JSON.stringify([
    e.seq,
    e.time.getTime(),
    e.identity,
    e.operation,
    e.object,
    e.result,
    e.detail,
    e.prevHash,
  ]);
  return createHash('sha256').update(body, 'utf8').digest('hex');
}

export interface AuditProblem {
  seq: number;
  problem: string;
}

export interface AuditVerification {
  ok: boolean;
  entries: number;
  /** The first entry that does not verify, when the chain is broken. */
  firstBad?: AuditProblem;
}

/** Checks entries in order, continuing from the previous chunk's last (seq, hash). */
export class AuditVerifier {
  private expectedSeq = 1;
  private prevHash: string;
  entries = 0;
  firstBad: AuditProblem | undefined;

  constructor(vaultId: string) {
    this.prevHash = genesisHash(vaultId);
  }

  /** Returns false once a bad entry is found. */
  check(e: AuditEntry): boolean {
    if (this.firstBad !== undefined) return false;
    this.entries++;
    if (e.seq !== this.expectedSeq) {
      this.firstBad = { seq: this.expectedSeq, problem: `entry ${this.expectedSeq} is missing (found ${e.seq})` };
      return false;
    }
    if (e.prevHash !== this.prevHash) {
      this.firstBad = { seq: e.seq, problem: `entry ${e.seq} does not link to the entry before it` };
      return false;
    }
    if (entryHash(e) !== e.hash) {
      this.firstBad = { seq: e.seq, problem: `entry ${e.seq} was altered (hash mismatch)` };
      return false;
    }
    this.prevHash = e.hash;
    this.expectedSeq++;
    return true;
  }

  result(): AuditVerification {
    return this.firstBad === undefined
      ? { ok: true, entries: this.entries }
      : { ok: false, entries: this.entries, firstBad: this.firstBad };
  }
}

/** One JSON line of an export. */
export function auditJsonLine(e: AuditEntry): string {
  return JSON.stringify({
    seq: e.seq,
    time: e.time.toISOString(),
    timeMs: e.time.getTime(),
    identity: e.identity,
    operation: e.operation,
    object: e.object,
    result: e.result,
    detail: e.detail,
    prevHash: e.prevHash,
    hash: e.hash,
  });
}
