/**
 * What the API returns: identifiers and metadata in KMIP's names, dates as ISO strings, bytes as
 * base64. Plain JSON, so the same values cross IPC and HTTP unchanged.
 */

export type VaultState = 'absent' | 'locked' | 'unlocked';

export interface VaultStatus {
  path: string;
  state: VaultState;
  /** Seconds of inactivity after which the window locks the vault; 0 = never. */
  autoLockSeconds: number;
  objectCount?: number;
}

export interface ObjectSummary {
  uniqueIdentifier: string;
  objectType: string;
  name?: string;
  state: string;
  cryptographicAlgorithm?: string;
  cryptographicLength?: number;
  /** Recommended Curve, for EC keys. */
  curve?: string;
  /** ISO date-times. */
  initialDate?: string;
  activationDate?: string;
  owner?: string;
}

export interface AttributeView {
  name: string;
  index: number;
  /** The value as a person reads it (enumerations by name, dates ISO, bytes hex). */
  value: string;
}

export interface LinkView {
  linkType: string;
  linkedObjectIdentifier: string;
}

export interface LifecycleEvent {
  /** KMIP date attribute name: InitialDate, ActivationDate, DeactivationDate, CompromiseDate, DestroyDate. */
  event: string;
  date: string;
}

export interface AuditEntry {
  sequence: number;
  timestamp: string;
  actor: string;
  operation: string;
  uniqueIdentifier?: string;
  outcome: string;
  /** The entry's chain hash, hex. */
  hash: string;
}

export interface AuditVerification {
  valid: boolean;
  entries: number;
  /** The first entry whose hash does not chain, when invalid. */
  firstInvalidSequence?: number;
  message: string;
}

export interface ObjectDetail {
  summary: ObjectSummary;
  attributes: AttributeView[];
  links: LinkView[];
  lifecycle: LifecycleEvent[];
  audit: AuditEntry[];
}

export interface CertificateInfo {
  subject: string;
  issuer: string;
  serialNumber: string;
  notBefore: string;
  notAfter: string;
  subjectAlternativeNames: string[];
  keyUsage: string[];
  extendedKeyUsage: string[];
  isCertificateAuthority: boolean;
  fingerprints: { sha1: string; sha256: string };
  /** Subjects from this certificate up to its root, as far as the vault holds them. */
  chain: string[];
}

export interface CertificateRequestInfo {
  subject: string;
  subjectAlternativeNames: string[];
  keyUsage: string[];
  extendedKeyUsage: string[];
  publicKeyAlgorithm: string;
  signatureAlgorithm: string;
  signatureValid: boolean;
}

export interface CreatedObjects {
  /** Created object(s): one for a symmetric key or secret, private then public for a key pair. */
  uniqueIdentifiers: string[];
}

export interface CsrCreated {
  uniqueIdentifier: string;
  pem: string;
  decoded: CertificateRequestInfo;
}

export interface ExportedFile {
  fileName: string;
  mediaType: string;
  /** base64 */
  data: string;
}

export interface ServerStatus {
  available: boolean;
  running: boolean;
  address?: string;
  port?: number;
  /** Why the server cannot run now (the vault is locked), when it cannot. */
  blockedBy?: string;
  clients: {
    name: string;
    serialNumber: string;
    notAfter: string;
    revoked: boolean;
    admin: boolean;
    /** True when the client must also send a KMIP Credential (username and password). */
    credentialRequired: boolean;
    /** That Credential's username (the password is never shown or kept). */
    credentialUsername?: string;
    /** Objects other clients own that this one may use (every operation when `operations` is empty). */
    grants?: { uniqueIdentifier: string; operations: string[] }[];
  }[];
  /** Open connections (TTLV and HTTPS binding alike). */
  connectionCount: number;
  connections: { peer: string; since: string; requests: number }[];
  /** One line per batch item; `resultReason` (a KMIP Result Reason) when it failed. */
  requestLog: { time: string; peer: string; operation: string; resultStatus: string; resultReason?: string }[];
}

/** The window's settings, kept outside the vault (they are needed before unlock). */
export interface Settings {
  /** Minutes of inactivity after which the vault locks; 0 = never. */
  autoLockMinutes: number;
  /** Seconds after which a copied value is cleared from the clipboard. */
  clipboardClearSeconds: number;
  /** 'system' follows the platform's light/dark preference. */
  theme: 'system' | 'light' | 'dark';
}

export interface LocalCaStatus {
  exists: boolean;
  uniqueIdentifier?: string;
  subject?: string;
}

export interface Capabilities {
  /** For each call, whether the engine part behind it is present in this build. */
  calls: Record<string, boolean>;
  /** The transport: the desktop window or the web console. */
  transport: 'ipc' | 'http';
}

export interface TokenModule {
  path: string;
  manufacturer: string;
  description: string;
}

export interface TokenSummary {
  modulePath: string;
  slotId: number;
  label: string;
  manufacturer: string;
  model: string;
  serialNumber: string;
  /** CKF_ flags by name, e.g. "LOGIN_REQUIRED", "USER_PIN_COUNT_LOW", "USER_PIN_FINAL_TRY". */
  flags: string[];
  pinPad: boolean;
}

export interface TokenList {
  modules: TokenModule[];
  tokens: TokenSummary[];
}

/** A key, certificate or data object on a token (never its value). */
export interface TokenObject {
  objectClass: string;
  label: string;
  /** CKA_ID, hex. */
  id: string;
  keyType?: string;
  bits?: number;
  curve?: string;
  sensitive?: boolean;
  extractable?: boolean;
  private: boolean;
  usage: string[];
}

/** A backup written to a token's key-encryption key: the file to save and what it holds. */
export interface TokenBackup {
  /** The backup file (JSON, wrapped keys only), to download. */
  file: ExportedFile;
  /** How many vault objects it holds. */
  count: number;
  /** The token and the key-encryption key on it that can open it. */
  token: string;
  kek: string;
  /** The label of the data object the backup is also kept in on the token, when asked. */
  storedOnToken?: string;
}

/** A backup kept on a token as a data object. */
export interface TokenBackupInfo {
  label: string;
  createdAt: string;
  count: number;
  kek: string;
}

/** What a restore put into the vault. */
export interface TokenRestore {
  added: string[];
  /** Already in the vault (same Unique Identifier): left as they are. */
  skipped: string[];
}

/** A vault key slot (an unlock method), without its wrapped key. */
export interface VaultSlot {
  id: string;
  kind: string;
  label: string;
  createdAt: string;
  /** A short description: "passphrase", "TPM, PCR 7", "token “Alice”". */
  detail: string;
}
