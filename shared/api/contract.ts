/**
 * The one service contract. Each call has a request schema (checked at the router, whoever calls)
 * and a response type. The window (IPC through preload) and the web console (HTTP) expose exactly
 * these calls; the renderer's API type is derived from this table.
 */
import { array, base64, boolean, integer, isoDate, literal, none, object, optional, string } from './schema.js';
import type { Infer, Schema } from './schema.js';
import type {
  AuditEntry,
  AuditVerification,
  Capabilities,
  CertificateInfo,
  CreatedObjects,
  CsrCreated,
  ExportedFile,
  LocalCaStatus,
  ObjectDetail,
  ObjectSummary,
  ServerStatus,
  Settings,
  TokenBackup,
  TokenBackupInfo,
  TokenList,
  TokenObject,
  TokenRestore,
  VaultSlot,
  VaultStatus,
} from './types.js';

const uid = string({ min: 1, max: 128 });
const passphrase = string({ min: 1, max: 1024 });
const name = string({ max: 256 });

/** KMIP Cryptographic Usage Mask bits, by name. */
export const usageMaskNames = [
  'Sign',
  'Verify',
  'Encrypt',
  'Decrypt',
  'WrapKey',
  'UnwrapKey',
  'MACGenerate',
  'MACVerify',
  'DeriveKey',
  'KeyAgreement',
  'CertificateSign',
  'CRLSign',
] as const;

export const tokenKeyAlgorithms = ['AES', 'RSA', 'EC'] as const;
export const tokenCurves = ['P-256', 'P-384', 'P-521'] as const;
const tokenLabel = string({ min: 1, max: 32 });
/** A token PIN: passed to the login and dropped; never stored or logged. */
const tokenPin = string({ min: 1, max: 256 });
/** A KMIP client's Credential (Username and Password): hashed by the engine, never stored or logged as given. */
const clientCredential = object({ username: string({ min: 1, max: 256 }), password: string({ min: 1, max: 1024 }) });
/** A label given to an object on a token (CKA_LABEL). */
const tokenObjectLabel = string({ min: 1, max: 64 });
export const tokenObjectClasses = ['SecretKey', 'PrivateKey', 'PublicKey', 'Certificate', 'Data'] as const;

export const keyKinds = ['SymmetricKey', 'KeyPair', 'SecretData'] as const;
export const keyAlgorithms = ['AES', 'HMACSHA256', 'HMACSHA512', 'ChaCha20', 'RSA', 'EC', 'Ed25519'] as const;
export const curves = ['P256', 'P384', 'P521'] as const;
export const exportFormats = ['PEM', 'DER', 'PKCS8', 'PKCS12', 'JWK', 'OpenSSH', 'Raw'] as const;
export const sanTypes = ['dns', 'ip', 'email', 'uri'] as const;
export const revocationReasons = [
  'Unspecified',
  'KeyCompromise',
  'CACompromise',
  'AffiliationChanged',
  'Superseded',
  'CessationOfOperation',
] as const;

const subject = object({
  commonName: string({ min: 1, max: 64 }),
  organization: optional(string({ max: 64 })),
  organizationalUnit: optional(string({ max: 64 })),
  locality: optional(string({ max: 128 })),
  state: optional(string({ max: 128 })),
  country: optional(string({ min: 2, max: 2, pattern: /^[A-Z]{2}$/ })),
});

/** The object list's first page: the window asks for it after unlock, the engine reads it ahead. */
export const firstListPage = 2000;

export const requests = {
  'system.capabilities': none,
  'vault.status': none,
  'vault.create': object({ passphrase, path: optional(string({ min: 1, max: 4096 })) }),
  'vault.open': object({ path: string({ min: 1, max: 4096 }) }),
  'vault.unlock': object({ passphrase }),
  'vault.lock': none,
  'vault.setAutoLock': object({ seconds: integer({ min: 0, max: 86_400 }) }),
  /** Object summaries, newest first; a page of them with offset and limit. */
  'objects.list': object({
    offset: optional(integer({ min: 0, max: 100_000_000 })),
    limit: optional(integer({ min: 1, max: 1_000_000 })),
  }),
  'objects.get': object({ uniqueIdentifier: uid }),
  'objects.activate': object({ uniqueIdentifier: uid }),
  'objects.revoke': object({ uniqueIdentifier: uid, reason: literal(...revocationReasons) }),
  'objects.destroy': object({ uniqueIdentifier: uid }),
  'objects.rekey': object({ uniqueIdentifier: uid }),
  'objects.export': object({
    uniqueIdentifier: uid,
    format: literal(...exportFormats),
    /** For PKCS#12 and encrypted PKCS#8. */
    passphrase: optional(passphrase),
  }),
  'keys.generate': object({
    kind: literal(...keyKinds),
    algorithm: literal(...keyAlgorithms),
    cryptographicLength: optional(integer({ min: 128, max: 8192 })),
    curve: optional(literal(...curves)),
    usageMask: array(literal(...usageMaskNames), { max: usageMaskNames.length }),
    name,
    activationDate: optional(isoDate()),
    location: literal('vault'),
  }),
  'csr.create': object({
    keyUniqueIdentifier: uid,
    subject,
    subjectAlternativeNames: array(object({ type: literal(...sanTypes), value: string({ min: 1, max: 253 }) }), {
      max: 100,
    }),
    keyUsage: array(string({ min: 1, max: 32 }), { max: 16 }),
    extendedKeyUsage: array(string({ min: 1, max: 32 }), { max: 16 }),
    name: optional(name),
  }),
  'ca.status': none,
  'ca.create': object({ subject, validityDays: integer({ min: 1, max: 36_500 }) }),
  'ca.sign': object({ requestUniqueIdentifier: uid, validityDays: integer({ min: 1, max: 3650 }) }),
  'certificates.import': object({ data: base64(), fileName: optional(name), passphrase: optional(passphrase) }),
  'certificates.inspect': object({ uniqueIdentifier: uid }),
  'audit.list': object({ uniqueIdentifier: optional(uid), limit: optional(integer({ min: 1, max: 100_000 })) }),
  'audit.verify': none,
  'server.status': none,
  /** Port 0 takes any free port (the status tells which). */
  'server.start': object({ address: string({ min: 1, max: 255 }), port: integer({ min: 0, max: 65_535 }) }),
  'server.stop': none,
  'server.enroll': object({
    name: string({ min: 1, max: 64 }),
    includePrivateKey: boolean(),
    admin: optional(boolean()),
    /** Also require this KMIP Credential; the engine keeps only its scrypt hash. */
    credential: optional(clientCredential),
  }),
  /** Takes effect at once on a running server: refused from now on, open connections closed. */
  'server.revoke': object({ name: string({ min: 1, max: 64 }) }),
  /** Opens an object another client owns to client `name` (every operation unless some are named). */
  'server.grant': object({
    name: string({ min: 1, max: 64 }),
    uniqueIdentifier: uid,
    operations: optional(array(string({ min: 1, max: 64 }), { max: 64 })),
  }),
  'server.ungrant': object({ name: string({ min: 1, max: 64 }), uniqueIdentifier: uid }),
  /** Requires client `name` to also send this Credential (set or changed; takes effect at once). */
  'server.setCredential': object({ name: string({ min: 1, max: 64 }), credential: clientCredential }),
  /** Client `name` no longer needs a Credential (one it sends is not checked). */
  'server.clearCredential': object({ name: string({ min: 1, max: 64 }) }),
  'settings.get': none,
  'settings.set': object({
    autoLockMinutes: optional(integer({ min: 0, max: 1440 })),
    clipboardClearSeconds: optional(integer({ min: 5, max: 600 })),
    theme: optional(literal('system', 'light', 'dark')),
  }),
  /** The PKCS#11 modules found on the system and the tokens present in them. */
  'tokens.list': none,
  'tokens.objects': object({ label: tokenLabel, pin: tokenPin }),
  'tokens.generate': object({
    label: tokenLabel,
    pin: tokenPin,
    algorithm: literal(...tokenKeyAlgorithms),
    length: optional(integer({ min: 128, max: 8192 })),
    curve: optional(literal(...tokenCurves)),
    name: string({ min: 1, max: 64 }),
  }),
  /** Puts a vault key (or certificate) onto the token; non-extractable unless asked. */
  'tokens.import': object({
    label: tokenLabel,
    pin: tokenPin,
    uniqueIdentifier: uid,
    /** Label on the token (default: the object's Name). */
    name: optional(tokenObjectLabel),
    extractable: optional(boolean()),
  }),
  /**
   * Backs vault objects up under a key-encryption key on the token (made when missing): the
   * backup comes back as a file to download, and is also kept on the token when storeOnToken names it.
   */
  'tokens.backup': object({
    label: tokenLabel,
    pin: tokenPin,
    /** Empty: every object in the vault. */
    uniqueIdentifiers: array(uid, { max: 100_000 }),
    kek: optional(tokenObjectLabel),
    storeOnToken: optional(tokenObjectLabel),
  }),
  /** The backups kept on the token as data objects. */
  'tokens.backups': object({ label: tokenLabel, pin: tokenPin }),
  /** Restores a backup into the vault: an uploaded backup file (data) or one kept on the token (fromToken). */
  'tokens.restore': object({
    label: tokenLabel,
    pin: tokenPin,
    data: optional(base64()),
    fromToken: optional(tokenObjectLabel),
  }),
  /** C_SetPIN: the user changes the user PIN. */
  'tokens.changePin': object({ label: tokenLabel, pin: tokenPin, newPin: tokenPin }),
  /** C_InitPIN as the security officer: sets a new user PIN (also unlocks a locked one). */
  'tokens.initPin': object({ label: tokenLabel, soPin: tokenPin, newPin: tokenPin }),
  /** Deletes one object from the token (by class, CKA_ID and label); returns what is left. */
  'tokens.delete': object({
    label: tokenLabel,
    pin: tokenPin,
    objectClass: literal(...tokenObjectClasses),
    id: string({ max: 256, pattern: /^(?:[0-9a-f]{2})*$/ }),
    objectLabel: string({ max: 64 }),
  }),
  /** The vault's key slots (unlock methods). */
  'vault.slots.list': none,
  'vault.slots.addTpm': object({
    pcrs: optional(array(integer({ min: 0, max: 23 }), { max: 24 })),
    tcti: optional(string({ min: 1, max: 256, pattern: /^[A-Za-z0-9_:=,./-]+$/ })),
  }),
  'vault.slots.addToken': object({ label: tokenLabel, pin: tokenPin }),
  'vault.slots.remove': object({ id: string({ min: 1, max: 64 }) }),
} satisfies Record<string, Schema<unknown>>;

export interface Responses {
  'system.capabilities': Capabilities;
  'vault.status': VaultStatus;
  'vault.create': VaultStatus;
  'vault.open': VaultStatus;
  'vault.unlock': VaultStatus;
  'vault.lock': VaultStatus;
  'vault.setAutoLock': VaultStatus;
  'objects.list': ObjectSummary[];
  'objects.get': ObjectDetail;
  'objects.activate': ObjectSummary;
  'objects.revoke': ObjectSummary;
  'objects.destroy': ObjectSummary;
  'objects.rekey': CreatedObjects;
  'objects.export': ExportedFile;
  'keys.generate': CreatedObjects;
  'csr.create': CsrCreated;
  'ca.status': LocalCaStatus;
  'ca.create': LocalCaStatus;
  'ca.sign': { uniqueIdentifier: string; certificate: CertificateInfo };
  'certificates.import': CreatedObjects;
  'certificates.inspect': CertificateInfo;
  'audit.list': AuditEntry[];
  'audit.verify': AuditVerification;
  'server.status': ServerStatus;
  'server.start': ServerStatus;
  'server.stop': ServerStatus;
  'server.enroll': ExportedFile;
  'server.revoke': ServerStatus;
  'server.grant': ServerStatus;
  'server.ungrant': ServerStatus;
  'server.setCredential': ServerStatus;
  'server.clearCredential': ServerStatus;
  'settings.get': Settings;
  'settings.set': Settings;
  'tokens.list': TokenList;
  'tokens.objects': TokenObject[];
  'tokens.generate': TokenObject[];
  'tokens.import': TokenObject[];
  'tokens.backup': TokenBackup;
  'tokens.backups': TokenBackupInfo[];
  'tokens.restore': TokenRestore;
  'tokens.changePin': { changed: true };
  'tokens.initPin': { changed: true };
  'tokens.delete': TokenObject[];
  'vault.slots.list': VaultSlot[];
  'vault.slots.addTpm': VaultSlot;
  'vault.slots.addToken': VaultSlot;
  'vault.slots.remove': VaultSlot[];
}

export type CallName = keyof typeof requests & keyof Responses;
export type Request<K extends CallName> = Infer<(typeof requests)[K]>;
export type Response<K extends CallName> = Responses[K];

export const callNames = Object.keys(requests) as CallName[];

export function isCallName(v: unknown): v is CallName {
  return typeof v === 'string' && Object.hasOwn(requests, v);
}
