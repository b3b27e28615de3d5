import { Command, CommanderError } from 'commander';
import { isKeyholdError } from '../../shared/errors.js';

type Register = (program: Command) => void;

/** One top-level command: what `keyhold --help` shows, and how to load the module that registers it. */
export interface CommandEntry {
  name: string;
  /** Its arguments, as commander writes them (`<file>`), when it takes any. */
  args?: string;
  /** The description its module gives it (a test keeps the two equal). */
  description: string;
  load(): Promise<Register>;
}

/**
 * Every top-level command, in help order. Only the command being run is loaded: `keyhold console`
 * need not load the PKI, token and conformance code before it serves. `keyhold --help` lists the
 * commands from this table without loading any; `keyhold <command> --help` loads that one command,
 * so its help is complete.
 */
export const commandTable: readonly CommandEntry[] = [
  {
    name: 'ttlv',
    description: 'Decode and encode KMIP TTLV messages (hex, XML, JSON)',
    load: async () => (await import('./commands/ttlv.js')).registerTtlv,
  },
  {
    name: 'console',
    description: 'serve the Keyhold window in your browser, with an access token (127.0.0.1 only unless --host)',
    load: async () => (await import('./commands/console.js')).registerConsole,
  },
  {
    name: 'vault',
    description: 'Create, inspect and check the encrypted vault',
    load: async () => (await import('./commands/vault.js')).registerVault,
  },
  {
    name: 'object',
    description: 'List and show managed objects (metadata only)',
    load: async () => (await import('./commands/object.js')).registerObject,
  },
  {
    name: 'serve',
    description: 'Run the KMIP server (TLS, mutual auth) over a vault, in the foreground',
    load: async () => (await import('./commands/serve.js')).registerServe,
  },
  {
    name: 'clients',
    description: 'Enroll, list and revoke KMIP clients; grant them objects',
    load: async () => (await import('./commands/clients.js')).registerClients,
  },
  {
    name: 'conformance',
    args: '<files...>',
    description: 'Run OASIS KMIP XML test cases against a KMIP server; exit 0 only when all pass',
    load: async () => (await import('./commands/conformance.js')).registerConformance,
  },
  {
    name: 'kmip',
    description: 'KMIP client: run operations against a KMIP server',
    load: async () => (await import('./commands/kmip.js')).registerKmip,
  },
  {
    name: 'token',
    description: 'PKCS#11 tokens (USB tokens, smart cards, HSMs) and the TPM',
    load: async () => (await import('./commands/token.js')).registerToken,
  },
  {
    name: 'key',
    description: 'Generate keys in the vault',
    load: async () => (await import('./commands/key.js')).registerKey,
  },
  {
    name: 'csr',
    description: 'Certificate signing requests (PKCS#10)',
    load: async () => (await import('./commands/csr.js')).registerCsr,
  },
  {
    name: 'ca',
    description: 'A local certificate authority in the vault',
    load: async () => (await import('./commands/ca.js')).registerCa,
  },
  {
    name: 'cert',
    description: 'Certificates: self-signed, inspect, revoke',
    load: async () => (await import('./commands/cert.js')).registerCert,
  },
  {
    name: 'import',
    args: '<file>',
    description: 'Import keys and certificates; prints the Unique Identifiers created, one a line',
    load: async () => (await import('./commands/import.js')).registerImport,
  },
  {
    name: 'export',
    args: '<id>',
    description: 'Export an object to a file',
    load: async () => (await import('./commands/export.js')).registerExport,
  },
];

/** The names of every top-level command, in help order. */
export const commandNames: readonly string[] = commandTable.map((c) => c.name);

/** The top-level command `argv` (as process.argv: node, script, ...) asks for, if it names one. */
function requestedCommand(argv: readonly string[]): CommandEntry | undefined {
  const first = argv.slice(2).find((a) => !a.startsWith('-'));
  return commandTable.find((c) => c.name === first);
}

function rootProgram(): Command {
  return new Command('keyhold')
    .description('Keyhold: a key vault that speaks KMIP')
    .version('0.1.0')
    .showHelpAfterError()
    .exitOverride();
}

/**
 * Builds the `keyhold` program. With `argv` naming a command, only that command's module is
 * loaded and registered. Otherwise (help, no or an unknown command) every command is listed from
 * the table, none loaded. Without `argv` every command is loaded and fully registered.
 */
export async function buildProgram(argv?: readonly string[]): Promise<Command> {
  const program = rootProgram();
  if (argv === undefined) {
    for (const register of await Promise.all(commandTable.map((c) => c.load()))) register(program);
    return program;
  }
  const only = requestedCommand(argv);
  if (only !== undefined) {
    (await only.load())(program);
    return program;
  }
  for (const c of commandTable) {
    const stub = program.command(c.name).description(c.description);
    if (c.args !== undefined) stub.argument(c.args);
  }
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
