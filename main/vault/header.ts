import { closeSync, fsyncSync, openSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { KeyholdError } from '../../shared/errors.js';
import type { KeySlot, KeySlotKind } from './key-slots.js';

/**
 * A vault on disk is one folder (conventionally named *.kvault):
 *
 *   vault.json    plaintext header: format marker and version, vault id, key slots
 *   vault.db      the SQLCipher 4 database (objects, attributes, audit chain)
 *   vault.db-wal  SQLite's write-ahead log: present while the vault is open or after a crash,
 *                 and then it holds committed transactions
 *   vault.db-shm  SQLite's WAL index, while the vault is open (rebuilt from the WAL if lost)
 *   vault.lock    empty; the process that has the vault open holds a lock on it
 *
 * Why a folder and not one file: the key slots must be readable before the database key is
 * known, and SQLCipher encrypts every page (its plaintext-header option leaves only SQLite's own
 * 100-byte header clear, no room for slots). And in WAL mode a SQLite database is never one file
 * while open or after a crash: committed transactions may live only in the -wal file until a
 * checkpoint, so copying "the" .db file alone can lose them. A folder makes the unit explicit:
 * everything that is the vault is inside it, the user moves or backs up the folder, and nothing
 * of the vault lives beside it. A clean lock checkpoints and removes the WAL, leaving three files.
 */
export const HEADER_FILE = 'vault.json';
export const DATABASE_FILE = 'vault.db';
export const FORMAT_MARKER = 'keyhold-vault';
/** Version of the folder layout and header. A later Keyhold reads every earlier version. */
export const HEADER_VERSION = 1;

export interface VaultHeader {
  format: typeof FORMAT_MARKER;
  formatVersion: number;
  vaultId: string;
  createdAt: string;
  slots: KeySlot[];
}

const SLOT_KINDS: readonly KeySlotKind[] = ['passphrase', 'tpm', 'pkcs11', 'shares'];

export function headerPath(vaultPath: string): string {
  return path.join(vaultPath, HEADER_FILE);
}

export function databasePath(vaultPath: string): string {
  return path.join(vaultPath, DATABASE_FILE);
}

/** Reads and validates the header; every failure is a KeyholdError naming what is wrong. */
export function readHeader(vaultPath: string): VaultHeader {
  let st;
  try {
    st = statSync(vaultPath);
  } catch {
    throw new KeyholdError('not-a-vault', `no vault at ${vaultPath}`);
  }
  if (!st.isDirectory()) throw new KeyholdError('not-a-vault', `${vaultPath} is not a Keyhold vault (not a folder)`);
  let text: string;
  try {
    text = readFileSync(headerPath(vaultPath), 'utf8');
  } catch {
    throw new KeyholdError('not-a-vault', `${vaultPath} is not a Keyhold vault (no ${HEADER_FILE})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new KeyholdError('vault-corrupt', `the vault header ${HEADER_FILE} is corrupted (not JSON)`);
  }
  if (typeof json !== 'object' || json === null || (json as { format?: unknown }).format !== FORMAT_MARKER) {
    throw new KeyholdError('not-a-vault', `${vaultPath} is not a Keyhold vault (unknown header)`);
  }
  const h = json as Partial<VaultHeader>;
  if (typeof h.formatVersion !== 'number' || !Number.isInteger(h.formatVersion) || h.formatVersion < 1) {
    throw new KeyholdError('vault-corrupt', 'the vault header has no valid format version');
  }
  if (h.formatVersion > HEADER_VERSION) {
    throw new KeyholdError(
      'vault-too-new',
      `the vault was written by a newer Keyhold (format ${h.formatVersion}; this one reads up to ${HEADER_VERSION})`,
    );
  }
  if (typeof h.vaultId !== 'string' || typeof h.createdAt !== 'string' || !Array.isArray(h.slots)) {
    throw new KeyholdError('vault-corrupt', 'the vault header is incomplete');
  }
  for (const s of h.slots) {
    const ok =
      typeof s === 'object' &&
      s !== null &&
      typeof s.id === 'string' &&
      SLOT_KINDS.includes(s.kind) &&
      typeof s.label === 'string' &&
      typeof s.wrappedKey === 'string' &&
      typeof s.params === 'object' &&
      s.params !== null;
    if (!ok) throw new KeyholdError('vault-corrupt', 'the vault header has a malformed key slot');
  }
  return h as VaultHeader;
}

/**
 * Replaces the header atomically: write a temporary file, fsync it, rename over the old one,
 * fsync the folder. A crash leaves either the old or the new header, never half of one.
 */
export function writeHeader(vaultPath: string, header: VaultHeader): void {
  const target = headerPath(vaultPath);
  const tmp = `${target}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(header, null, 2)}\n`, { mode: 0o600 });
  fsyncPath(tmp);
  renameSync(tmp, target);
  fsyncPath(vaultPath);
}

function fsyncPath(p: string): void {
  const fd = openSync(p, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
