import { createCipheriv, createDecipheriv, randomBytes, scrypt } from 'node:crypto';
import { KeyholdError } from '../../../shared/errors.js';
import type { Pkcs11Module } from './modules.js';
import { importKey, type ImportMaterial, type ImportSpec, type TokenObjectInfo } from './objects.js';
import { withTokenSession } from './session.js';
import type { TokenEndpoint } from './backup.js';

/**
 * For tokens that cannot export (PIV-style: no key wrap, keys never leave): the key is made in
 * the vault, imported into each token, and kept in an escrow encrypted under a passphrase, so
 * a lost token can be replaced. Escrow file, version 1 (JSON):
 *   format "keyhold-token-escrow", version 1, createdAt, label,
 *   tokens [{label, serialNumber}] it was imported into,
 *   kdf { name "scrypt", N, r, p, salt (base64) }, cipher "AES-256-GCM",
 *   iv (base64), ciphertext (base64, ciphertext || 16-byte tag) of the material as JSON
 *   {kind, keyType?, value|der (base64)}; the AAD is the canonical header fields.
 */
export interface EscrowFile {
  format: 'keyhold-token-escrow';
  version: 1;
  createdAt: string;
  label: string;
  tokens: { label: string; serialNumber: string }[];
  kdf: { name: 'scrypt'; N: number; r: number; p: number; salt: string };
  cipher: 'AES-256-GCM';
  iv: string;
  ciphertext: string;
}

const SCRYPT = { N: 1 << 17, r: 8, p: 1 };

function derive(passphrase: string, salt: Buffer, k: { N: number; r: number; p: number }): Promise<Buffer> {
  if (k.N > 1 << 20 || k.r > 32 || k.p > 16) throw new KeyholdError('format', 'escrow KDF parameters out of range');
  return new Promise((resolve, reject) =>
    scrypt(
      passphrase.normalize('NFC'),
      salt,
      32,
      { N: k.N, r: k.r, p: k.p, maxmem: 256 * k.N * k.r + 1024 * 1024 },
      (err, key) => (err === null ? resolve(key) : reject(err)),
    ),
  );
}

const aadOf = (f: Pick<EscrowFile, 'format' | 'version' | 'label' | 'createdAt'>) =>
  Buffer.from(`${f.format}\0${f.version}\0${f.label}\0${f.createdAt}`, 'utf8');

function encodeMaterial(m: ImportMaterial): Buffer {
  const json =
    m.kind === 'secret'
      ? { kind: m.kind, keyType: m.keyType, value: Buffer.from(m.value).toString('base64') }
      : { kind: m.kind, der: Buffer.from(m.der).toString('base64') };
  return Buffer.from(JSON.stringify(json), 'utf8');
}

function decodeMaterial(b: Buffer): ImportMaterial {
  const j = JSON.parse(b.toString('utf8')) as { kind: string; keyType?: string; value?: string; der?: string };
  if (j.kind === 'secret' && (j.keyType === 'AES' || j.keyType === 'GENERIC_SECRET') && typeof j.value === 'string')
    return { kind: 'secret', keyType: j.keyType, value: Buffer.from(j.value, 'base64') };
  if (j.kind === 'pkcs8' && typeof j.der === 'string') return { kind: 'pkcs8', der: Buffer.from(j.der, 'base64') };
  throw new KeyholdError('format', 'the escrow holds an unknown kind of key');
}

/**
 * Imports the same key into every token (non-extractable there) and returns the escrow that
 * can re-provision a replacement token. Stops at the first token that refuses.
 */
export async function provisionWithEscrow(
  modules: readonly Pkcs11Module[],
  tokens: readonly TokenEndpoint[],
  material: ImportMaterial,
  spec: ImportSpec,
  passphrase: string,
): Promise<{ escrow: EscrowFile; imported: TokenObjectInfo[] }> {
  if (passphrase.length < 8)
    throw new KeyholdError('invalid-argument', 'an escrow passphrase has at least 8 characters');
  const imported: TokenObjectInfo[] = [];
  const done: { label: string; serialNumber: string }[] = [];
  for (const t of tokens) {
    await withTokenSession(modules, t.selector, t.options, (s) => {
      imported.push(...importKey(s, material, { ...spec, extractable: false }));
      done.push({ label: s.token.label, serialNumber: s.token.serialNumber });
    });
  }
  const salt = randomBytes(16);
  const key = await derive(passphrase, salt, SCRYPT);
  const plain = encodeMaterial(material);
  try {
    const header = {
      format: 'keyhold-token-escrow' as const,
      version: 1 as const,
      label: spec.label,
      createdAt: new Date().toISOString(),
    };
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(aadOf(header));
    const ct = Buffer.concat([cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
    return {
      escrow: {
        ...header,
        tokens: done,
        kdf: { name: 'scrypt', ...SCRYPT, salt: salt.toString('base64') },
        cipher: 'AES-256-GCM',
        iv: iv.toString('base64'),
        ciphertext: ct.toString('base64'),
      },
      imported,
    };
  } finally {
    key.fill(0);
    plain.fill(0);
  }
}

/** Opens an escrow with its passphrase; the caller wipes the material. */
export async function openEscrow(escrow: EscrowFile, passphrase: string): Promise<ImportMaterial> {
  if (escrow.format !== 'keyhold-token-escrow' || escrow.version !== 1)
    throw new KeyholdError('format', 'not a Keyhold token escrow (or a newer version)');
  const key = await derive(passphrase, Buffer.from(escrow.kdf.salt, 'base64'), escrow.kdf);
  const raw = Buffer.from(escrow.ciphertext, 'base64');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(escrow.iv, 'base64'));
    decipher.setAAD(aadOf(escrow));
    decipher.setAuthTag(raw.subarray(raw.length - 16));
    let plain: Buffer;
    try {
      plain = Buffer.concat([decipher.update(raw.subarray(0, raw.length - 16)), decipher.final()]);
    } catch {
      throw new KeyholdError('wrong-passphrase', 'wrong escrow passphrase (or the escrow was altered)');
    }
    try {
      return decodeMaterial(plain);
    } finally {
      plain.fill(0);
    }
  } finally {
    key.fill(0);
  }
}
