import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KeyholdError } from '../../../shared/errors.js';
import { hasResourceManager, resolveTcti } from './tcti.js';
import { runTool, type ToolRun } from './tools.js';

/**
 * A secret sealed by a TPM: the public and private parts of a sealed-data object created under
 * the owner (storage) hierarchy's primary key. Only this TPM can load it; with `pcrs`, only while
 * those PCRs hold the values they held when it was sealed; with `pin`, only with the PIN.
 * The primary key is not stored: the same template re-creates it from the hierarchy's seed.
 */
export interface SealedBlob {
  format: 'keyhold-tpm-sealed';
  version: 1;
  /** PCR bank and indices the policy binds, e.g. sha256 [7]; empty when not bound. */
  pcrBank: string;
  pcrs: number[];
  /** True when a PIN (the object's auth value) is also required. */
  pin: boolean;
  /** tpm2_createprimary -G value the parent was made with. */
  primary: string;
  /** TPM2B_PUBLIC and TPM2B_PRIVATE, base64. */
  public: string;
  private: string;
}

export interface SealOptions {
  tcti?: string;
  /** PCR indices to bind (sha256 bank), e.g. [7]. */
  pcrs?: number[];
  pcrBank?: string;
  /** Optional PIN; the TPM's dictionary-attack protection then limits guesses. */
  pin?: string;
}

export interface UnsealOptions {
  tcti?: string;
  pin?: string;
}

const PRIMARY = 'ecc';
const MAX_SEAL = 128;

// TPM commands through tpm2-tools are serialized in this process: without a resource manager,
// one command's flush would drop another's loaded objects.
let queue: Promise<void> = Promise.resolve();
async function exclusive<T>(fn: () => Promise<T>): Promise<T> {
  const previous = queue;
  let release!: () => void;
  queue = new Promise<void>((r) => (release = r));
  await previous;
  try {
    return await fn();
  } finally {
    release();
  }
}

/** A private working directory for context files; removed (secrets overwritten first) at the end. */
async function inWorkdir<T>(tcti: string, fn: (run: ToolRun) => Promise<T>): Promise<T> {
  const cwd = mkdtempSync(join(tmpdir(), 'keyhold-tpm-'));
  const run: ToolRun = { tcti, cwd };
  try {
    if (!hasResourceManager(tcti)) await flush(run);
    return await fn(run);
  } finally {
    if (!hasResourceManager(tcti)) await flush(run).catch(() => undefined);
    try {
      writeFileSync(join(cwd, 'pin'), Buffer.alloc(64));
    } catch {
      // Nothing to overwrite.
    }
    rmSync(cwd, { recursive: true, force: true });
  }
}

/** Between commands on a direct connection: drop what the last command left loaded (swtpm has three object slots). */
async function settle(run: ToolRun): Promise<void> {
  if (!hasResourceManager(run.tcti)) await runTool('tpm2_flushcontext', ['-t'], run);
}

/** Flushes transient objects and sessions a direct TPM connection leaves behind. */
async function flush(run: ToolRun): Promise<void> {
  await runTool('tpm2_flushcontext', ['-t'], run);
  await runTool('tpm2_flushcontext', ['-l'], run).catch(() => undefined);
}

const pcrSelection = (bank: string, pcrs: number[]) => `${bank}:${pcrs.join(',')}`;

function checkPcrs(pcrs: number[]): void {
  for (const p of pcrs)
    if (!Number.isInteger(p) || p < 0 || p > 23) throw new KeyholdError('invalid-argument', `PCR ${p} is not 0..23`);
}

/** Writes the PIN to a 0600 file in the private working dir, as tpm2-tools' "file:" auth reads it. */
function pinFile(run: ToolRun, pin: string): string {
  const path = join(run.cwd, 'pin');
  writeFileSync(path, pin, { mode: 0o600 });
  return path;
}

/** Seals up to 128 bytes to the TPM. */
export async function seal(secret: Uint8Array, options: SealOptions = {}): Promise<SealedBlob> {
  if (secret.length === 0 || secret.length > MAX_SEAL)
    throw new KeyholdError('invalid-argument', `a sealed secret is 1..${MAX_SEAL} bytes`);
  const tcti = resolveTcti(options.tcti);
  const pcrs = [...new Set(options.pcrs ?? [])].sort((a, b) => a - b);
  checkPcrs(pcrs);
  const bank = options.pcrBank ?? 'sha256';
  const pin = options.pin !== undefined && options.pin !== '' ? options.pin : undefined;
  return exclusive(() =>
    inWorkdir(tcti, async (run) => {
      await runTool('tpm2_createprimary', ['-C', 'o', '-G', PRIMARY, '-c', 'primary.ctx', '-Q'], run);
      await settle(run);
      const args = ['-C', 'primary.ctx', '-u', 'obj.pub', '-r', 'obj.priv', '-i', '-', '-Q'];
      // Without a PIN there is nothing to guess, so the object is exempt from dictionary-attack lockout.
      let attributes = pin === undefined ? 'fixedtpm|fixedparent|noda' : 'fixedtpm|fixedparent';
      if (pcrs.length > 0) {
        // The policy: PolicyPCR over the current values (+ PolicyPassword when a PIN is set).
        await runTool('tpm2_pcrread', ['-Q', '-o', 'pcr.bin', pcrSelection(bank, pcrs)], run);
        await runTool('tpm2_startauthsession', ['-S', 'trial.ctx'], run);
        try {
          await runTool(
            'tpm2_policypcr',
            ['-Q', '-S', 'trial.ctx', '-l', pcrSelection(bank, pcrs), '-f', 'pcr.bin', '-L', 'policy.digest'],
            run,
          );
          if (pin !== undefined)
            await runTool('tpm2_policypassword', ['-Q', '-S', 'trial.ctx', '-L', 'policy.digest'], run);
        } finally {
          await runTool('tpm2_flushcontext', ['trial.ctx'], run).catch(() => undefined);
        }
        args.push('-L', 'policy.digest');
      } else {
        attributes += '|userwithauth';
      }
      if (pin !== undefined) args.push('-p', `file:${pinFile(run, pin)}`);
      args.push('-a', attributes);
      await runTool('tpm2_create', args, { ...run, input: secret });
      return {
        format: 'keyhold-tpm-sealed',
        version: 1,
        pcrBank: bank,
        pcrs,
        pin: pin !== undefined,
        primary: PRIMARY,
        public: readFileSync(join(run.cwd, 'obj.pub')).toString('base64'),
        private: readFileSync(join(run.cwd, 'obj.priv')).toString('base64'),
      };
    }),
  );
}

/** Unseals a blob sealed by `seal` on this TPM. The caller wipes the result. */
export async function unseal(blob: SealedBlob, options: UnsealOptions = {}): Promise<Buffer> {
  if (blob.format !== 'keyhold-tpm-sealed' || blob.version !== 1)
    throw new KeyholdError('format', 'not a Keyhold TPM-sealed blob (or a newer version)');
  checkPcrs(blob.pcrs);
  const pin = options.pin !== undefined && options.pin !== '' ? options.pin : undefined;
  if (blob.pin && pin === undefined)
    throw new KeyholdError('tpm', 'this TPM slot needs its PIN', { reason: 'Authentication Not Successful' });
  const tcti = resolveTcti(options.tcti);
  return exclusive(() =>
    inWorkdir(tcti, async (run) => {
      writeFileSync(join(run.cwd, 'obj.pub'), Buffer.from(blob.public, 'base64'));
      writeFileSync(join(run.cwd, 'obj.priv'), Buffer.from(blob.private, 'base64'));
      await runTool('tpm2_createprimary', ['-C', 'o', '-G', blob.primary, '-c', 'primary.ctx', '-Q'], run);
      await settle(run);
      await runTool('tpm2_load', ['-C', 'primary.ctx', '-u', 'obj.pub', '-r', 'obj.priv', '-c', 'obj.ctx', '-Q'], run);
      await settle(run);
      if (blob.pcrs.length === 0) {
        const auth = pin === undefined ? [] : ['-p', `file:${pinFile(run, pin)}`];
        return runTool('tpm2_unseal', ['-c', 'obj.ctx', ...auth], run);
      }
      await runTool('tpm2_startauthsession', ['--policy-session', '-S', 'session.ctx'], run);
      try {
        await runTool('tpm2_policypcr', ['-Q', '-S', 'session.ctx', '-l', pcrSelection(blob.pcrBank, blob.pcrs)], run);
        if (blob.pin) await runTool('tpm2_policypassword', ['-Q', '-S', 'session.ctx'], run);
        // tpm2-tools reads a policy session's password only from the argument ("+hex:"), not
        // from a file: it is on this command line while tpm2_unseal runs.
        const auth = blob.pin
          ? `session:session.ctx+hex:${Buffer.from(pin ?? '', 'utf8').toString('hex')}`
          : 'session:session.ctx';
        return await runTool('tpm2_unseal', ['-c', 'obj.ctx', '-p', auth], run);
      } finally {
        await runTool('tpm2_flushcontext', ['session.ctx'], run).catch(() => undefined);
      }
    }),
  );
}
