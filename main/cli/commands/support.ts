// Shared by the crypto command groups (key, csr, ca, cert, import, export): reading keys and
// certificates out of the vault by Unique Identifier, and writing output files.
import { readFileSync, writeFileSync } from 'node:fs';
import type { KeyObject } from 'node:crypto';
import { KeyholdError } from '../../../shared/errors.js';
import { keyObjectOf, linkedIds, valueOf, type KeyPairSpec, type NamedCurve } from '../../crypto/index.js';
import type { ManagedObject, Vault } from '../../vault/index.js';
import { cliIdentity } from '../vault-options.js';

/** The private key an ID names: a Private Key, or a Public Key / Certificate linked to one. */
export async function privateKeyFor(
  vault: Vault,
  id: string,
  operation: string,
): Promise<{ key: KeyObject; object: ManagedObject }> {
  let object = await vault.getObject(id);
  const hops = [] as string[];
  while (object.objectType !== 'PrivateKey') {
    const next =
      object.objectType === 'PublicKey'
        ? linkedIds(object, 'PrivateKeyLink')[0]
        : object.objectType === 'Certificate'
          ? linkedIds(object, 'PublicKeyLink')[0]
          : undefined;
    if (!next || hops.includes(next))
      throw new KeyholdError('invalid-argument', `object ${id} is a ${object.objectType} with no linked private key`);
    hops.push(next);
    object = await vault.getObject(next);
  }
  const full = await vault.getObjectForUse(object.uniqueIdentifier, cliIdentity(), operation);
  return { key: keyObjectOf(full), object: full };
}

/** The certificate an ID names: a Certificate, or a key whose Certificate Link names one. */
export async function certificateFor(
  vault: Vault,
  id: string,
): Promise<{ der: Buffer; object: ManagedObject } | undefined> {
  let object = await vault.getObject(id);
  if (object.objectType === 'PrivateKey') {
    const direct = linkedIds(object, 'CertificateLink')[0];
    const pub = linkedIds(object, 'PublicKeyLink')[0];
    const nextId = direct ?? (pub ? linkedIds(await vault.getObject(pub), 'CertificateLink')[0] : undefined);
    if (!nextId) return undefined;
    object = await vault.getObject(nextId);
  } else if (object.objectType === 'PublicKey') {
    const c = linkedIds(object, 'CertificateLink')[0];
    if (!c) return undefined;
    object = await vault.getObject(c);
  }
  if (object.objectType !== 'Certificate') return undefined;
  const full = await vault.getObjectForUse(object.uniqueIdentifier, cliIdentity(), 'Get');
  return { der: valueOf(full, 'Certificate'), object: full };
}

/** A certificate and its issuers up the Certificate Links (stops at a self-signed root or a loop). */
export async function chainFrom(vault: Vault, certId: string): Promise<Buffer[]> {
  const out: Buffer[] = [];
  const seen = new Set<string>();
  let id: string | undefined = certId;
  while (id && !seen.has(id) && out.length < 10) {
    seen.add(id);
    const o = await vault.getObjectForUse(id, cliIdentity(), 'Get');
    out.push(valueOf(o, 'Certificate'));
    id = linkedIds(o, 'CertificateLink')[0];
  }
  return out;
}

export function readInput(file: string, what: string): Buffer {
  try {
    return readFileSync(file);
  } catch {
    throw new KeyholdError('io', `cannot read the ${what} file ${file}`);
  }
}

export function writeOutput(file: string, data: string | Uint8Array, secret = false): void {
  try {
    writeFileSync(file, data, { mode: secret ? 0o600 : 0o644 });
  } catch {
    throw new KeyholdError('io', `cannot write ${file}`);
  }
}

/** A password from a file (first line), for PKCS#12 and encrypted PKCS#8. */
export function passwordFromFile(file: string | undefined): string | undefined {
  if (file === undefined) return undefined;
  const raw = readInput(file, 'password');
  const text = raw.toString('utf8').replace(/\r?\n$/, '');
  raw.fill(0);
  if (text.length === 0) throw new KeyholdError('invalid-argument', `the password file ${file} is empty`);
  return text;
}

/** PEM or DER by the output file's extension (.der/.cer/.crt as DER only for .der). */
export function wantsDer(file: string): boolean {
  return /\.der$/i.test(file);
}

/**
 * Shows that slow work (RSA-4096 generation, a CA) is running: a spinner with elapsed seconds
 * when stderr is a terminal, otherwise one line when it starts.
 */
export async function withProgress<T>(label: string, work: () => Promise<T>): Promise<T> {
  const started = Date.now();
  if (!process.stderr.isTTY) {
    process.stderr.write(`keyhold: ${label}...\n`);
    return work();
  }
  const frames = ['|', '/', '-', '\\'];
  let i = 0;
  const draw = (): void => {
    process.stderr.write(`\r${frames[i++ % frames.length]} ${label} ${((Date.now() - started) / 1000).toFixed(1)} s`);
  };
  draw();
  const timer = setInterval(draw, 120);
  try {
    return await work();
  } finally {
    clearInterval(timer);
    process.stderr.write(`\r${label}: done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  }
}

/** The key pair spec a `--alg` names, or undefined for a symmetric algorithm. */
export function keyPairSpec(alg: string, length?: number, curve?: string): KeyPairSpec | undefined {
  switch (alg.toUpperCase()) {
    case 'RSA':
      return { algorithm: 'RSA', length: length ?? 3072 };
    case 'EC':
    case 'ECDSA': {
      const c = (curve ?? 'P-256').toUpperCase() as NamedCurve;
      if (!['P-256', 'P-384', 'P-521'].includes(c))
        throw new KeyholdError('invalid-argument', `--curve ${curve} is not P-256, P-384 or P-521`);
      return { algorithm: 'EC', curve: c };
    }
    case 'ED25519':
      return { algorithm: 'Ed25519' };
    case 'ED448':
      return { algorithm: 'Ed448' };
    case 'X25519':
      return { algorithm: 'X25519' };
    case 'X448':
      return { algorithm: 'X448' };
    default:
      return undefined;
  }
}
