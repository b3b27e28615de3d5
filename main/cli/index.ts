import { Command, CommanderError } from 'commander';
import { isKeyholdError } from '../../shared/errors.js';

type Register = (program: Command) => void;

/**
 * Every top-level command and the module that registers it, loaded only when that command runs:
 * `keyhold console` need not load the PKI, token and conformance code before it serves.
 * `keyhold --help` (or an unknown command) loads them all, so help lists every command.
 */
const commandModules: Readonly<Record<string, () => Promise<Register>>> = {
  ttlv: async () => (await import('./commands/ttlv.js')).registerTtlv,
  console: async () => (await import('./commands/console.js')).registerConsole,
  vault: async () => (await import('./commands/vault.js')).registerVault,
  object: async () => (await import('./commands/object.js')).registerObject,
  serve: async () => (await import('./commands/serve.js')).registerServe,
  clients: async () => (await import('./commands/clients.js')).registerClients,
  conformance: async () => (await import('./commands/conformance.js')).registerConformance,
  kmip: async () => (await import('./commands/kmip.js')).registerKmip,
  token: async () => (await import('./commands/token.js')).registerToken,
  key: async () => (await import('./commands/key.js')).registerKey,
  csr: async () => (await import('./commands/csr.js')).registerCsr,
  ca: async () => (await import('./commands/ca.js')).registerCa,
  cert: async () => (await import('./commands/cert.js')).registerCert,
  import: async () => (await import('./commands/import.js')).registerImport,
  export: async () => (await import('./commands/export.js')).registerExport,
};

/** The names of every top-level command, in help order. */
export const commandNames: readonly string[] = Object.keys(commandModules);

/** The top-level command `argv` (as process.argv: node, script, ...) asks for, if it names one. */
function requestedCommand(argv: readonly string[]): string | undefined {
  const first = argv.slice(2).find((a) => !a.startsWith('-'));
  return first !== undefined && Object.hasOwn(commandModules, first) ? first : undefined;
}

/**
 * Builds the `keyhold` program. With `argv`, only the command it runs is loaded; without it (or
 * for help and unknown commands) every command group is registered.
 */
export async function buildProgram(argv?: readonly string[]): Promise<Command> {
  const program = new Command('keyhold')
    .description('Keyhold: a key vault that speaks KMIP')
    .version('0.1.0')
    .showHelpAfterError()
    .exitOverride();
  const only = argv === undefined ? undefined : requestedCommand(argv);
  const names = only === undefined ? commandNames : [only];
  const registers = await Promise.all(names.map((name) => commandModules[name]!()));
  for (const register of registers) register(program);
  return program;
}

/** Runs the CLI and returns the exit status. User errors print one line, never a stack trace. */
export async function run(argv: string[]): Promise<number> {
  try {
    const program = await buildProgram(argv);
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
