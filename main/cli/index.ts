import { Command, CommanderError } from 'commander';
import { isKeyholdError } from '../../shared/errors.js';
import { registerTtlv } from './commands/ttlv.js';
import { registerConsole } from './commands/console.js';
import { registerVault } from './commands/vault.js';
import { registerObject } from './commands/object.js';
import { registerServe } from './commands/serve.js';
import { registerClients } from './commands/clients.js';
import { registerConformance } from './commands/conformance.js';
import { registerKmip } from './commands/kmip.js';
import { registerToken } from './commands/token.js';
import { registerKeysAndCertificates } from './commands/key.js';

/** Builds the `keyhold` program; each command group registers itself from its own module. */
export function buildProgram(): Command {
  const program = new Command('keyhold')
    .description('Keyhold: a key vault that speaks KMIP')
    .version('0.1.0')
    .showHelpAfterError()
    .exitOverride();
  registerTtlv(program);
  registerConsole(program);
  registerVault(program);
  registerObject(program);
  registerServe(program);
  registerClients(program);
  registerConformance(program);
  registerKmip(program);
  registerToken(program);
  registerKeysAndCertificates(program);
  return program;
}

/** Runs the CLI and returns the exit status. User errors print one line, never a stack trace. */
export async function run(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode;
    if (isKeyholdError(e)) {
      process.stderr.write(`keyhold: ${e.message}\n`);
      return 1;
    }
    process.stderr.write(`keyhold: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return 70;
  }
}
