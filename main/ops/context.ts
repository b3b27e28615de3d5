import type { ManagedObject } from '../vault/model.js';
import type { StructureItem } from '../kmip/ttlv/index.js';

export interface ProtocolVersion {
  major: number;
  minor: number;
}

/** Where operations keep managed objects: the vault in production, a map in unit tests. */
export interface ObjectStore {
  /** The object with its key material, or undefined; `identity` is who uses it (for the audit). */
  get(uniqueIdentifier: string, identity: string): Promise<ManagedObject | undefined>;
  /** Inserts or replaces the whole object (one transaction); `identity` is who changes it. */
  put(object: ManagedObject, identity: string): Promise<void>;
  /** Every object (Locate filters them; the vault may narrow by indexed attributes first). */
  all(): Promise<ManagedObject[]>;
  newUniqueIdentifier(): Promise<string>;
  /** Optional indexed Locate (the vault's); without it Locate filters all() in memory. */
  locate?(query: StoreLocateQuery): Promise<{ uniqueIdentifiers: string[]; locatedItems: number }>;
  /** Appends to the audit log. */
  audit(entry: AuditEntry): Promise<void>;
  /**
   * Batch Error Continuation Option Undo (KMIP 1.4 section 6.7, 2.1 section 8.3): runs body as
   * one unit; when it answers `undo`, every change body made through this store is rolled back.
   * A store without it cannot undo (the processor then answers Undo batches as Stop).
   */
  undoable?<T>(body: () => Promise<{ result: T; undo: boolean }>): Promise<T>;
}

export interface StoreLocateQuery {
  attributes: import('../vault/model.js').Attributes;
  /** Only this owner's objects (absent for an admin). */
  owner?: string;
  /** With owner: these objects too, when they match (objects granted to the caller). */
  alsoUniqueIdentifiers?: string[];
  maximumItems?: number;
  offsetItems?: number;
  storageStatusMask: number;
}

export interface AuditEntry {
  identity: string;
  operation: string;
  uniqueIdentifier?: string;
  result: 'Success' | 'OperationFailed' | 'OperationUndone';
  reason?: string;
}

/** Who may touch which object (ownership, grants, admins). */
export interface AccessPolicy {
  isAdmin(identity: string): boolean;
  /** Identities other than the owner that may use the object (for this operation, when given). */
  isGranted(uniqueIdentifier: string, identity: string, operation?: string): boolean;
  /** The objects granted to an identity for an operation (Locate finds them too). */
  grantedTo?(identity: string, operation: string): string[];
}

/**
 * Crypto on objects whose key material stays on a hardware token (the vault object carries only
 * a PKCS#11 URI); main/tokens/pkcs11/token-crypto.ts implements it. Mechanisms are the token
 * layer's names (ECDSA-SHA256, RSA-PKCS1-SHA256, AES-GCM, ...): see ops/token-mechanisms.ts.
 */
export interface TokenKeyCrypto {
  handles(obj: Pick<ManagedObject, 'attributes'>): boolean;
  sign(obj: Pick<ManagedObject, 'attributes'>, mechanism: string, data: Uint8Array): Promise<Uint8Array>;
  verify(
    obj: Pick<ManagedObject, 'attributes'>,
    mechanism: string,
    data: Uint8Array,
    signature: Uint8Array,
  ): Promise<boolean>;
  encrypt(
    obj: Pick<ManagedObject, 'attributes'>,
    mechanism: string,
    data: Uint8Array,
    iv?: Uint8Array,
  ): Promise<Uint8Array>;
  decrypt(
    obj: Pick<ManagedObject, 'attributes'>,
    mechanism: string,
    data: Uint8Array,
    iv?: Uint8Array,
  ): Promise<Uint8Array>;
}

/** The state one operation runs with: the caller, the store, the message's version and batch state. */
export interface OpsContext {
  store: ObjectStore;
  access: AccessPolicy;
  /** The authenticated identity (certificate name) — the owner of what it creates. */
  identity: string;
  version: ProtocolVersion;
  /** The ID Placeholder (KMIP 1.4 section 3.44 / 2.1 section 4.47): carried between batch items. */
  idPlaceholder: string | undefined;
  /** The KMIP operation being answered (Get, Encrypt...): grants may be limited to some. */
  operation?: string;
  now(): Date;
  /** Present when the server can reach PKCS#11 tokens: Sign/Verify/Encrypt/Decrypt on token keys. */
  tokenCrypto?: TokenKeyCrypto;
}

/** One KMIP operation: request payload in, response payload out; failures throw KeyholdError with a reason. */
export type OperationHandler = (payload: StructureItem, ctx: OpsContext) => Promise<StructureItem>;

export const atLeast = (v: ProtocolVersion, major: number, minor: number): boolean =>
  v.major > major || (v.major === major && v.minor >= minor);
