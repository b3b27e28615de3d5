import { execFile } from 'node:child_process';
import { KeyholdError } from '../../../shared/errors.js';

export interface ToolRun {
  tcti: string;
  /** Working directory for context files. */
  cwd: string;
  /** Bytes for the tool's stdin (the secret to seal); never a command-line argument. */
  input?: Uint8Array;
}

const TIMEOUT_MS = 60_000;

/** Why a tpm2-tools command failed, in words a user can act on. Never includes secrets. */
export function explainTpmFailure(tool: string, stderr: string): KeyholdError {
  const code = /\((0x[0-9A-Fa-f]+)\)/.exec(stderr)?.[1]?.toLowerCase();
  const has = (re: RegExp) => re.test(stderr);
  if (has(/policy check failed/) || code === '0x99d')
    return new KeyholdError(
      'tpm',
      'the TPM refused to unseal: the PCR values (the platform state, e.g. Secure Boot) changed since the secret was sealed',
      { reason: 'Permission Denied' },
    );
  if (has(/lockout/i) || code === '0x921')
    return new KeyholdError(
      'tpm',
      'the TPM is in dictionary-attack lockout after too many wrong PINs; wait or clear the lockout',
      {
        reason: 'Permission Denied',
      },
    );
  if (has(/authorization failure|HMAC check failed/) || code === '0x98e' || code === '0x9a2')
    return new KeyholdError('tpm', 'incorrect TPM PIN', { reason: 'Authentication Not Successful' });
  if (has(/tcti|Failed to initialize|Connection refused|No such file|ENOENT|Could not open/i))
    return new KeyholdError(
      'tpm',
      'no TPM answered (check --tcti or KEYHOLD_TCTI, or that /dev/tpmrm0 exists and is accessible)',
      {
        reason: 'Cryptographic Failure',
      },
    );
  if (has(/integrity/i))
    return new KeyholdError('tpm', 'the sealed blob does not belong to this TPM or was altered', {
      reason: 'Cryptographic Failure',
    });
  if (process.env.KEYHOLD_DEBUG_TPM === '1') process.stderr.write(stderr);
  const last =
    stderr
      .trim()
      .split('\n')
      .filter((l) => l.startsWith('ERROR'))
      .pop() ??
    stderr.trim().split('\n').pop() ??
    '';
  return new KeyholdError('tpm', `${tool} failed: ${last.slice(0, 300)}`, { reason: 'Cryptographic Failure' });
}

/** Runs one tpm2-tools command against the TCTI; resolves with its stdout bytes. */
export function runTool(tool: string, args: string[], run: ToolRun): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      tool,
      args,
      {
        cwd: run.cwd,
        env: { ...process.env, TPM2TOOLS_TCTI: run.tcti },
        encoding: 'buffer',
        timeout: TIMEOUT_MS,
        maxBuffer: 16 * 1024 * 1024,
      },
      (err, stdout, stderr) => {
        if (err !== null) {
          const text = stderr.toString('utf8');
          if ((err as NodeJS.ErrnoException).code === 'ENOENT')
            reject(new KeyholdError('tpm', `${tool} is not installed (install tpm2-tools)`, { cause: err }));
          else reject(explainTpmFailure(tool, text.length > 0 ? text : err.message));
          return;
        }
        resolve(stdout);
      },
    );
    if (run.input !== undefined) child.stdin?.end(run.input);
    else child.stdin?.end();
  });
}
