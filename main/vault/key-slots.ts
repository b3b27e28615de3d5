import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { KeyholdError } from '../../shared/errors.js';
import { canonical } from './codec.js';

/**
 * Key slots. The vault's database key is a random 256-bit data key; each slot holds that data
 * key wrapped for one unlock method. Slots live in the vault header (header.ts), so adding or
 * removing one never touches the database. A new unlock method is a new provider: the slot
 * record is generic ({id, kind, params, wrappedKey}), which is why TPM, PKCS#11 and recovery
 * shares need no format change.
 */
export type KeySlotKind = 'passphrase' | 'tpm' | 'pkcs11' | 'shares';

export type SlotParams = { [k: string]: string | number | boolean | null | SlotParams | SlotParams[] | string[] };

export interface KeySlot {
  /** Short random id, unique in the vault. */
  id: string;
  kind: KeySlotKind;
  /** A human label ("admin passphrase", "TPM of host x"); not secret. */
  label: string;
  /** ISO 8601. */
  createdAt: string;
  /** Provider parameters (KDF parameters and salt, token and key ids, share scheme...). */
  params: SlotParams;
  /** The data key as the provider wrapped it, base64. */
  wrappedKey: string;
}

/** What a provider needs to bind a wrapped key to its vault and slot. */
export interface SlotContext {
  vaultId: string;
  slotId: string;
}

/** How the caller proves the right to a slot. Each provider reads its own kind. */
export type UnlockMethod =
  | { kind: 'passphrase'; passphrase: string | Uint8Array; slotId?: string }
  | { kind: Exclude<KeySlotKind, 'passphrase'>; credential: unknown; slotId?: string };

/** Options a provider takes when it creates a slot (e.g. KDF parameters). */
export type SealOptions = { [k: string]: unknown };

export interface KeySlotProvider {
  readonly kind: KeySlotKind;
  /** Wraps the 32-byte data key for this method. Must not keep references to dataKey. */
  seal(
    dataKey: Uint8Array,
    method: UnlockMethod,
    context: SlotContext,
    options?: SealOptions,
    onProgress?: (message: string) => void,
  ): Promise<{ params: SlotParams; wrappedKey: string }>;
  /**
   * Unwraps the data key; the caller wipes it. Throws a KeyholdError when the credential is
   * wrong (e.g. code 'wrong-passphrase'), never returns a wrong key silently.
   */
  unseal(slot: KeySlot, method: UnlockMethod, context: SlotContext): Promise<Buffer>;
}

const providers = new Map<KeySlotKind, KeySlotProvider>();

/** Makes an unlock method available; helpers for TPM, PKCS#11 and shares call this at startup. */
export function registerKeySlotProvider(provider: KeySlotProvider): void {
  providers.set(provider.kind, provider);
}

export function keySlotProvider(kind: KeySlotKind): KeySlotProvider {
  const p = providers.get(kind);
  if (p === undefined) throw new KeyholdError('unsupported', `no unlock provider for key slots of kind "${kind}"`);
  return p;
}

export const DATA_KEY_BYTES = 32;

/** Associated data that binds a wrapped key to its vault, slot, kind and parameters. */
export function slotAad(context: SlotContext, kind: KeySlotKind, params: SlotParams): Buffer {
  return Buffer.from(
    `keyhold-vault-slot\0${context.vaultId}\0${context.slotId}\0${kind}\0${canonical(params)}`,
    'utf8',
  );
}

/**
 * AES-256-GCM wrap of the data key under a key-encryption key: iv(12) | ciphertext | tag(16),
 * base64. For providers that derive or obtain a KEK (passphrase, shares).
 */
export function aeadWrap(kek: Uint8Array, dataKey: Uint8Array, aad: Uint8Array): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', kek, iv);
  cipher.setAAD(aad);
  const ct = Buffer.concat([cipher.update(dataKey), cipher.final()]);
  const out = Buffer.concat([iv, ct, cipher.getAuthTag()]).toString('base64');
  ct.fill(0);
  return out;
}

/** Reverses aeadWrap; returns undefined when authentication fails (wrong KEK or tampering). */
export function aeadUnwrap(kek: Uint8Array, wrapped: string, aad: Uint8Array): Buffer | undefined {
  const raw = Buffer.from(wrapped, 'base64');
  if (raw.length !== 12 + DATA_KEY_BYTES + 16) return undefined;
  const decipher = createDecipheriv('aes-256-gcm', kek, raw.subarray(0, 12));
  decipher.setAAD(aad);
  decipher.setAuthTag(raw.subarray(12 + DATA_KEY_BYTES));
  const out = decipher.update(raw.subarray(12, 12 + DATA_KEY_BYTES));
  try {
    decipher.final();
    return out;
  } catch {
    out.fill(0);
    return undefined;
  }
}

export function newSlotId(): string {
  return randomBytes(4).toString('hex');
}
