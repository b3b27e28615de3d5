/**
 * The vault's public face: an encrypted SQLCipher store of KMIP managed objects with key slots,
 * the KMIP lifecycle and a hash-chained audit log. See header.ts for the on-disk layout.
 */
export {
  Vault,
  READ_ONLY_ATTRIBUTES,
  type CommitDurability,
  type CreateVaultOptions,
  type OpenVaultOptions,
  type KeySlotInfo,
  type NewManagedObject,
  type RevokeRequest,
  type VaultInfo,
  type VaultVerification,
} from './vault.js';
export type { ListObjectsOptions } from './object-store.js';
export {
  aeadUnwrap,
  aeadWrap,
  DATA_KEY_BYTES,
  keySlotProvider,
  registerKeySlotProvider,
  slotAad,
  type KeySlot,
  type KeySlotKind,
  type KeySlotProvider,
  type SealOptions,
  type SlotContext,
  type SlotParams,
  type UnlockMethod,
} from './key-slots.js';
export { DEFAULT_ARGON2, type Argon2Params } from './passphrase-slot.js';
export { STORAGE_ARCHIVED, STORAGE_DESTROYED, STORAGE_ONLINE, type LocateQuery, type LocateResult } from './locate.js';
export {
  auditJsonLine,
  entryHash,
  genesisHash,
  AuditVerifier,
  type AuditEntry,
  type AuditInput,
  type AuditVerification,
} from './audit.js';
export { currentState, effectiveState, type RevocationReason } from './lifecycle.js';
export { DATABASE_FILE, HEADER_FILE, HEADER_VERSION } from './header.js';
export { SCHEMA_VERSION } from './migrations/index.js';
export { defaultVaultPath } from './paths.js';
export type * from './model.js';
