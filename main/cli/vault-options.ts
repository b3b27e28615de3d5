import { readFileSync } from 'node:fs';
import os from 'node:os';
import type { Command } from 'commander';
import { KeyholdError } from '../../shared/errors.js';
import { defaultVaultPath, Vault } from '../vault/index.js';
import { tryOpenVaultWithTpm } from '../tokens/vault-unlock.js';

/**
 * What every command that opens a vault shares: --vault PATH (default: the platform's data
 * folder), the passphrase from KEYHOLD_PASSPHRASE, else --passphrase-file F, else a prompt on
 * the terminal without echo; and openVault(), which returns the vault unlocked.
 */
export interface VaultCliOptions {
  vault?: string;
  passphraseFile?: string;
  tcti?: string;
}

export const PASSPHRASE_ENV = 'KEYHOLD_PASSPHRASE';

/** Adds --vault and --passphrase-file to a command. */
export function withVaultOptions(command: Command): Command {
  return command
    .option('--vault <path>', `vault folder (default: ${defaultVaultPath()})`)
    .option('--passphrase-file <file>', `read the passphrase from a file (else $${PASSPHRASE_ENV}, else a prompt)`)
    .option('--tcti <tcti>', 'TPM whose key slot is tried first (default $KEYHOLD_TCTI, else /dev/tpmrm0)');
}

export function vaultPath(options: VaultCliOptions): string {
  return options.vault ?? defaultVaultPath();
}

/** The identity the CLI writes in the audit chain. */
export function cliIdentity(): string {
  let user = 'unknown';
  try {
    user = os.userInfo().username;
  } catch {
    // No passwd entry (containers): keep "unknown".
  }
  return `cli:${user}`;
}

/**
 * The passphrase as bytes (the caller wipes them): the environment variable, else the file
 * (one trailing newline removed), else a no-echo prompt when stdin is a terminal.
 */
export async function readPassphrase(
  options: VaultCliOptions,
  prompt = 'Vault passphrase: ',
  confirm = false,
  env: { variable: string; file: string | undefined } = { variable: PASSPHRASE_ENV, file: options.passphraseFile },
): Promise<Buffer> {
  const fromEnv = process.env[env.variable];
  if (fromEnv !== undefined && fromEnv !== '') return Buffer.from(fromEnv.normalize('NFC'), 'utf8');
  if (env.file !== undefined) return passphraseFromFile(env.file);
  if (!process.stdin.isTTY) {
    throw new KeyholdError('invalid-argument', `no passphrase: set ${env.variable} or use a passphrase file`);
  }
  const first = await promptHidden(prompt);
  if (confirm) {
    const again = await promptHidden('Repeat it: ');
    const same = first.equals(again);
    again.fill(0);
    if (!same) {
      first.fill(0);
      throw new KeyholdError('invalid-argument', 'the passphrases do not match');
    }
  }
  return first;
}

function passphraseFromFile(file: string): Buffer {
  let raw: Buffer;
  try {
    raw = readFileSync(file);
  } catch {
    throw new KeyholdError('io', `cannot read the passphrase file ${file}`);
  }
  let end = raw.length;
  if (end > 0 && raw[end - 1] === 0x0a) end--;
  if (end > 0 && raw[end - 1] === 0x0d) end--;
  const out = Buffer.from(raw.subarray(0, end));
  raw.fill(0);
  if (out.length === 0) throw new KeyholdError('invalid-argument', `the passphrase file ${file} is empty`);
  return out;
}

/** Reads one line from the terminal in raw mode, echoing nothing. */
function promptHidden(prompt: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    // Echo off before the prompt shows: a passphrase typed or pasted at once must not echo.
    stdin.setRawMode(true);
    process.stderr.write(prompt);
    const bytes: number[] = [];
    stdin.resume();
    const done = (err?: KeyholdError): void => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      const out = Buffer.from(bytes);
      bytes.fill(0);
      if (err) {
        out.fill(0);
        reject(err);
      } else resolve(out);
    };
    const onData = (chunk: Buffer): void => {
      for (const b of chunk) {
        if (b === 0x03) return done(new KeyholdError('invalid-argument', 'cancelled'));
        if (b === 0x0d || b === 0x0a || b === 0x04) return done();
        if (b === 0x7f || b === 0x08) bytes.pop();
        else bytes.push(b);
      }
      chunk.fill(0);
    };
    stdin.on('data', onData);
  });
}

/** Progress lines on stderr while a slow step (the KDF) runs. */
export function progress(message: string): void {
  process.stderr.write(`keyhold: ${message}\n`);
}

/** Opens the vault the options name, unlocked with the passphrase; the caller locks it. */
export async function openVault(options: VaultCliOptions): Promise<Vault> {
  const path = vaultPath(options);
  // A TPM key slot, when the vault has one, opens it without a passphrase (main/tokens).
  const viaTpm = await tryOpenVaultWithTpm(path, options.tcti === undefined ? {} : { tcti: options.tcti });
  if (viaTpm.vault !== undefined) return viaTpm.vault;
  if (viaTpm.failure !== undefined) progress(`TPM unlock failed (${viaTpm.failure.message}); using the passphrase`);
  const passphrase = await readPassphrase(options);
  try {
    return await Vault.open(path, {
      unlock: { kind: 'passphrase', passphrase },
      onProgress: process.stderr.isTTY ? progress : undefined,
    });
  } finally {
    passphrase.fill(0);
  }
}

/** Runs fn with the vault unlocked and always locks it afterwards. */
export async function withVault<T>(options: VaultCliOptions, fn: (vault: Vault) => Promise<T>): Promise<T> {
  const vault = await openVault(options);
  try {
    return await fn(vault);
  } finally {
    await vault.lock();
  }
}
