/** PKCS#11 tokens: modules, tokens, sessions, objects, operations, backup. */
export {
  COMMON_MODULE_PATHS,
  findSystemModules,
  openModule,
  resolveModules,
  finalizeAllModules,
  Pkcs11Module,
} from './modules.js';
export {
  listTokens,
  findToken,
  describeToken,
  type TokenInfo,
  type TokenSelector,
  type MechanismInfo,
} from './tokens.js';
export { withTokenSession, type TokenSession, type SessionOptions, type LoginAs } from './session.js';
export { initToken, initUserPin, changePin } from './admin.js';
export {
  listObjects,
  findObjects,
  findOne,
  describeObject,
  generateKey,
  importKey,
  writeCertificate,
  readCertificate,
  writeData,
  readData,
  deleteObjects,
  type TokenObjectInfo,
  type TokenObjectClass,
  type ObjectFilter,
  type GenerateSpec,
  type ImportMaterial,
  type ImportSpec,
  type TokenKeyAlgorithm,
} from './objects.js';
export {
  sign,
  verify,
  encrypt,
  decrypt,
  ecdsaSignatureToDer,
  x509Signer,
  type SignatureMechanism,
  type CipherMechanism,
  type KeyRef,
} from './operations.js';
export { isRemovalError, tokenError } from './errors.js';
export {
  DEFAULT_KEK_LABEL,
  exportCapability,
  ensureKek,
  findKek,
  wrapSecret,
  unwrapSecret,
  wrapTokenKey,
  unwrapTokenKey,
  type ExportCapability,
  type WrappedTokenKey,
} from './wrap.js';
export {
  BACKUP_FORMAT,
  BACKUP_VERSION,
  BACKUP_APPLICATION,
  backupObjects,
  parseBackup,
  restoreObjects,
  storeBackupOnToken,
  listBackupsOnToken,
  copyKeysBetweenTokens,
  createKeyDomain,
  type BackupFile,
  type BackupEntry,
  type TokenEndpoint,
} from './backup.js';
export { provisionWithEscrow, openEscrow, type EscrowFile } from './escrow.js';
export {
  importMaterialOf,
  objectName,
  objectsForBackup,
  insertRestored,
  wipeObjects,
  type VaultObjectStore,
} from './vault-objects.js';
export { pkcs11SlotProvider, type Pkcs11Credential } from './slot-provider.js';
export { watchTokens, type TokenEvent, type TokenWatcher } from './watch.js';
export { tokenKeyReference, pkcs11Uri, PKCS11_URI_ATTRIBUTE } from './reference.js';
export { parsePkcs11Uri, tokenKeyLocation, TokenCrypto, type TokenKeyLocation } from './token-crypto.js';
