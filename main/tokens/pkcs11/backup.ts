import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { KeyholdError } from '../../../shared/errors.js';
import type { ManagedObject, ObjectType } from '../../vault/model.js';
import { findObjects, readData, writeData, type ObjectFilter } from './objects.js';
import type { Pkcs11Module } from './modules.js';
import { withTokenSession, type SessionOptions, type TokenSession } from './session.js';
import { canonicalJson, fromTaggedJson, toTaggedJson, type Json } from './tagged-json.js';
import type { TokenSelector } from './tokens.js';
import {
  DEFAULT_KEK_LABEL,
  ensureKek,
  publicKeyAttributes,
  unwrapSecret,
  unwrapTokenKey,
  wrapSecret,
  wrapTokenKey,
  type WrappedTokenKey,
  type WrapKeyType,
} from './wrap.js';

/**
 * Backup file format, version 1 (JSON, UTF-8):
 *
 *   format      "keyhold-token-backup"
 *   version     1
 *   createdAt   ISO 8601
 *   token       { label, serialNumber, manufacturer, model } of the token whose KEK wraps it
 *   kek         { label } of that KEK (any token holding the same KEK can restore)
 *   mechanism   "AES_KEY_WRAP_PAD" (RFC 5649, PKCS#11 CKM_AES_KEY_WRAP_PAD)
 *   macKey      a random 256-bit HMAC key, wrapped under the KEK as GENERIC_SECRET, base64
 *   entries     one per managed object:
 *                 uniqueIdentifier, objectType, owner, attributes (tagged JSON: {"$date": ms},
 *                 {"$bytes": base64}, {"$big": decimal}), keyFormatType, cryptographicAlgorithm,
 *                 cryptographicLength, and either
 *                 wrappedKey   key material wrapped under the KEK, base64, as wrapKeyType
 *                              ("AES": the raw key; "GENERIC_SECRET": framed as a 4-byte
 *                              big-endian length, the bytes, zeros to a multiple of 8); transparent (structured) key
 *                              material is wrapped as its tagged-JSON bytes (materialEncoding
 *                              "tagged-json"), byte material as is ("bytes")
 *                 value        base64, for objects without secrets (certificates, public keys)
 *   mac         HMAC-SHA256 under macKey of the canonical JSON (sorted keys, no whitespace) of
 *               every field but mac, base64
 *
 * Each wrapped key is integrity-protected by the key wrap itself; the MAC protects the whole file
 * (metadata, attributes, and that no entry was removed, added or reordered). Readers refuse a
 * version they do not know.
 */
export const BACKUP_FORMAT = 'keyhold-token-backup';
export const BACKUP_VERSION = 1;
/** CKA_APPLICATION of backups kept on a token as data objects. */
export const BACKUP_APPLICATION = 'Keyhold backup';

export interface BackupEntry {
  uniqueIdentifier: string;
  objectType: ObjectType;
  owner: string;
  attributes: Json;
  keyFormatType?: string;
  cryptographicAlgorithm?: string;
  cryptographicLength?: number;
  valueType?: string;
  wrappedKey?: string;
  wrapKeyType?: WrapKeyType;
  materialEncoding?: 'bytes' | 'tagged-json';
  value?: string;
}

export interface BackupFile {
  format: typeof BACKUP_FORMAT;
  version: typeof BACKUP_VERSION;
  createdAt: string;
  token: { label: string; serialNumber: string; manufacturer: string; model: string };
  kek: { label: string };
  mechanism: 'AES_KEY_WRAP_PAD';
  macKey: string;
  entries: BackupEntry[];
  mac: string;
}

function macOf(file: Omit<BackupFile, 'mac'>, macKey: Uint8Array): string {
  const { ...body } = file as BackupFile;
  delete (body as Partial<BackupFile>).mac;
  return createHmac('sha256', macKey)
    .update(canonicalJson(body as unknown as Json))
    .digest('base64');
}

function materialBytes(o: ManagedObject): { bytes: Buffer; encoding: 'bytes' | 'tagged-json' } | undefined {
  const m = o.keyBlock?.keyMaterial;
  if (m === undefined) return undefined;
  if (m instanceof Uint8Array) return { bytes: Buffer.from(m), encoding: 'bytes' };
  return { bytes: Buffer.from(JSON.stringify(toTaggedJson(m)), 'utf8'), encoding: 'tagged-json' };
}

/** Backs managed objects up under the token's KEK (the session must be logged in). */
export function backupObjects(
  s: TokenSession,
  objects: readonly ManagedObject[],
  kekLabel = DEFAULT_KEK_LABEL,
): BackupFile {
  const macKey = randomBytes(32);
  try {
    const entries: BackupEntry[] = objects.map((o) => {
      const e: BackupEntry = {
        uniqueIdentifier: o.uniqueIdentifier,
        objectType: o.objectType,
        owner: o.owner,
        attributes: toTaggedJson(o.attributes),
      };
      if (o.keyBlock !== undefined) {
        e.keyFormatType = o.keyBlock.keyFormatType;
        if (o.keyBlock.cryptographicAlgorithm !== undefined)
          e.cryptographicAlgorithm = o.keyBlock.cryptographicAlgorithm;
        if (o.keyBlock.cryptographicLength !== undefined) e.cryptographicLength = o.keyBlock.cryptographicLength;
        if (o.keyBlock.keyWrappingData !== undefined)
          throw new KeyholdError(
            'invalid-argument',
            `object ${o.uniqueIdentifier} is stored wrapped; unwrap it before a token backup`,
          );
      }
      if (o.valueType !== undefined) e.valueType = o.valueType;
      const material = materialBytes(o);
      if (material !== undefined && o.objectType !== 'PublicKey') {
        const aes =
          o.keyBlock?.cryptographicAlgorithm === 'AES' &&
          material.encoding === 'bytes' &&
          [16, 24, 32].includes(material.bytes.length);
        e.wrapKeyType = aes ? 'AES' : 'GENERIC_SECRET';
        e.materialEncoding = material.encoding;
        try {
          e.wrappedKey = wrapSecret(s, kekLabel, material.bytes, e.wrapKeyType).toString('base64');
        } finally {
          material.bytes.fill(0);
        }
      } else if (material !== undefined) {
        e.materialEncoding = material.encoding;
        e.value = material.bytes.toString('base64');
      } else if (o.value !== undefined) {
        e.value = Buffer.from(o.value).toString('base64');
      }
      return e;
    });
    const body: Omit<BackupFile, 'mac'> = {
      format: BACKUP_FORMAT,
      version: BACKUP_VERSION,
      createdAt: new Date().toISOString(),
      token: {
        label: s.token.label,
        serialNumber: s.token.serialNumber,
        manufacturer: s.token.manufacturer,
        model: s.token.model,
      },
      kek: { label: kekLabel },
      mechanism: 'AES_KEY_WRAP_PAD',
      macKey: wrapSecret(s, kekLabel, macKey, 'GENERIC_SECRET').toString('base64'),
      entries,
    };
    return { ...body, mac: macOf(body, macKey) };
  } finally {
    macKey.fill(0);
  }
}

/** Parses and checks the shape of a backup file (not its MAC: that needs the token). */
export function parseBackup(text: string): BackupFile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new KeyholdError('format', 'the backup file is not JSON', { cause: e });
  }
  const f = raw as Partial<BackupFile>;
  if (f.format !== BACKUP_FORMAT) throw new KeyholdError('format', 'not a Keyhold token backup');
  if (f.version !== BACKUP_VERSION)
    throw new KeyholdError(
      'format',
      `token backup version ${String(f.version)} is not supported (this Keyhold reads ${BACKUP_VERSION})`,
    );
  if (
    typeof f.macKey !== 'string' ||
    typeof f.mac !== 'string' ||
    !Array.isArray(f.entries) ||
    typeof f.kek?.label !== 'string' ||
    f.mechanism !== 'AES_KEY_WRAP_PAD'
  )
    throw new KeyholdError('format', 'the token backup is malformed');
  return f as BackupFile;
}

/**
 * Verifies the backup's MAC and unwraps every entry on the token (which must hold the KEK);
 * returns the managed objects ready to insert into a vault. Nothing is returned unless the
 * whole file verifies.
 */
export function restoreObjects(s: TokenSession, file: BackupFile): ManagedObject[] {
  let macKey: Buffer;
  try {
    macKey = unwrapSecret(s, file.kek.label, Buffer.from(file.macKey, 'base64'), 'GENERIC_SECRET');
  } catch (e) {
    throw new KeyholdError(
      'token',
      `token "${s.token.label}" cannot open this backup: its key-encryption key "${file.kek.label}" is missing or different`,
      {
        cause: e,
      },
    );
  }
  try {
    const expected = Buffer.from(macOf(file, macKey), 'base64');
    const actual = Buffer.from(file.mac, 'base64');
    if (expected.length !== actual.length || !timingSafeEqual(expected, actual))
      throw new KeyholdError('format', 'the backup file was altered (its MAC does not verify)', {
        reason: 'Cryptographic Failure',
      });
  } finally {
    macKey.fill(0);
  }
  return file.entries.map((e) => {
    const o: ManagedObject = {
      uniqueIdentifier: e.uniqueIdentifier,
      objectType: e.objectType,
      owner: e.owner,
      attributes: fromTaggedJson(e.attributes) as ManagedObject['attributes'],
    };
    let material: Uint8Array | undefined;
    if (e.wrappedKey !== undefined)
      material = unwrapSecret(
        s,
        file.kek.label,
        Buffer.from(e.wrappedKey, 'base64'),
        e.wrapKeyType ?? 'GENERIC_SECRET',
      );
    else if (e.value !== undefined && e.keyFormatType !== undefined) material = Buffer.from(e.value, 'base64');
    if (e.keyFormatType !== undefined && material !== undefined) {
      const keyMaterial =
        e.materialEncoding === 'tagged-json'
          ? (fromTaggedJson(JSON.parse(Buffer.from(material).toString('utf8')) as Json) as ManagedObject['keyBlock'] &
              object)
          : new Uint8Array(material);
      if (e.materialEncoding === 'tagged-json')
        Buffer.from(material.buffer, material.byteOffset, material.length).fill(0);
      o.keyBlock = { keyFormatType: e.keyFormatType, keyMaterial: keyMaterial as never };
      if (e.cryptographicAlgorithm !== undefined) o.keyBlock.cryptographicAlgorithm = e.cryptographicAlgorithm;
      if (e.cryptographicLength !== undefined) o.keyBlock.cryptographicLength = e.cryptographicLength;
    } else if (e.value !== undefined) {
      o.value = new Uint8Array(Buffer.from(e.value, 'base64'));
    }
    if (e.valueType !== undefined) o.valueType = e.valueType;
    return o;
  });
}

/** Keeps a backup on the token itself, as a private data object (CKO_DATA) labelled `label`. */
export function storeBackupOnToken(s: TokenSession, file: BackupFile, label: string): void {
  writeData(s, BACKUP_APPLICATION, label, Buffer.from(JSON.stringify(file), 'utf8'));
}

/** The backups kept on the token, by label. */
export function listBackupsOnToken(s: TokenSession): { label: string; file: BackupFile }[] {
  return findObjects(s, { objectClass: 'Data' })
    .filter((o) => o.getAttribute('application') === BACKUP_APPLICATION)
    .map((o) => ({
      label: String(o.getAttribute('label')),
      file: parseBackup(Buffer.from(readData(o)).toString('utf8')),
    }));
}

/** One end of a token-to-token copy. */
export interface TokenEndpoint {
  selector: TokenSelector;
  options: SessionOptions;
}

/**
 * Copies keys between two tokens that hold the same KEK (a key domain): each key is wrapped on
 * the source (it must be extractable) and unwrapped on the destination, never in the clear here.
 * One token session at a time, so both may live in the same module.
 */
export async function copyKeysBetweenTokens(
  modules: readonly Pkcs11Module[],
  from: TokenEndpoint,
  to: TokenEndpoint,
  filter: ObjectFilter,
  kekLabel = DEFAULT_KEK_LABEL,
): Promise<string[]> {
  const wrapped: WrappedTokenKey[] = await withTokenSession(modules, from.selector, from.options, (s) =>
    findObjects(s, filter)
      .filter((o) => o.class === 4 || o.class === 3) // CKO_SECRET_KEY, CKO_PRIVATE_KEY
      .map((o) => {
        const info = {
          objectClass: (o.class === 4 ? 'SecretKey' : 'PrivateKey') as 'SecretKey' | 'PrivateKey',
          keyType: String(keyTypeName(o.getAttribute('keyType') as number)),
          label: String(o.getAttribute('label')),
          id: (o.getAttribute('id') as Buffer).toString('hex'),
          usage: ['encrypt', 'decrypt', 'sign', 'verify', 'wrap', 'unwrap', 'derive'].filter((u) => readBool(o, u)),
          extractable: true,
          wrapped: wrapTokenKey(s, kekLabel, o).toString('base64'),
        };
        const pub = info.objectClass === 'PrivateKey' ? publicKeyAttributes(s, info.id, info.keyType) : undefined;
        return pub === undefined ? info : { ...info, publicKey: pub };
      }),
  );
  if (wrapped.length === 0)
    throw new KeyholdError('not-found', 'no extractable key matches on the source token', { reason: 'Item Not Found' });
  return withTokenSession(modules, to.selector, to.options, (s) =>
    wrapped.flatMap((w) =>
      unwrapTokenKey(s, kekLabel, w)
        .slice(0, 1)
        .map((i) => i.label),
    ),
  );
}

const keyTypeName = (n: number): string =>
  ({ 0: 'RSA', 3: 'EC', 0x10: 'GENERIC_SECRET', 0x1f: 'AES' })[n] ?? `0x${n.toString(16)}`;

function readBool(o: { getAttribute(name: string): unknown }, name: string): boolean {
  try {
    return o.getAttribute(name) === true;
  } catch {
    return false;
  }
}

/**
 * Makes the same KEK on several tokens (a key domain, as SmartCard-HSM calls it): a random
 * 256-bit key is imported into each as non-extractable wrap/unwrap key and then wiped here.
 */
export async function createKeyDomain(
  modules: readonly Pkcs11Module[],
  tokens: readonly TokenEndpoint[],
  kekLabel = DEFAULT_KEK_LABEL,
): Promise<void> {
  const value = randomBytes(32);
  try {
    for (const t of tokens)
      await withTokenSession(modules, t.selector, t.options, (s) => void ensureKek(s, kekLabel, value));
  } finally {
    value.fill(0);
  }
}
