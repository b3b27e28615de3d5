import type { Command } from 'commander';
import { KeyholdError } from '../../../shared/errors.js';
import type { TokenKeyCrypto } from '../../ops/context.js';
import { ControlClient, controlSocketPath } from '../../server/control-socket.js';
import { startVaultServer } from '../../server/serve.js';
import type { CommitDurability } from '../../vault/index.js';
import { openVault, vaultPath, withVaultOptions, type VaultCliOptions } from '../vault-options.js';

interface ServeCliOptions extends VaultCliOptions {
  host: string;
  port: string;
  maxConnections?: string;
  idleTimeout?: string;
  module?: string[];
  commitDurability: string;
}

/**
 * Token access for keys that stay on a PKCS#11 token (`keyhold token generate --register`): the
 * modules given or found; the PIN from KEYHOLD_TOKEN_PIN, asked for only when such a key is used.
 */
async function tokenCrypto(modules: string[] | undefined): Promise<TokenKeyCrypto | undefined> {
  const pkcs11 = await import('../../tokens/pkcs11/index.js');
  if ((modules === undefined || modules.length === 0) && pkcs11.findSystemModules().length === 0) return undefined;
  return new pkcs11.TokenCrypto(pkcs11.resolveModules(modules), {
    pin: async () => {
      const pin = process.env['KEYHOLD_TOKEN_PIN'];
      if (pin === undefined || pin === '') {
        throw new KeyholdError(
          'token',
          'a key on a token needs its PIN: start keyhold serve with KEYHOLD_TOKEN_PIN set',
        );
      }
      return pin;
    },
  });
}

/** A second `keyhold serve` on the same vault stops before asking for the passphrase. */
async function refuseWhenRunning(socketPath: string): Promise<void> {
  const client = await ControlClient.connect(socketPath).catch(() => undefined);
  if (!client) return;
  let where = '';
  try {
    const info = (await client.call('server.status', {})) as { pid?: number; host?: string; port?: number };
    where = ` (pid ${info.pid ?? '?'}, listening on ${info.host ?? '?'}:${info.port ?? '?'})`;
  } catch {
    // It answered the connection; that is enough to refuse.
  } finally {
    client.close();
  }
  throw new KeyholdError(
    'vault-in-use',
    `a Keyhold server is already running on this vault${where}; stop it first or use another vault`,
  );
}

function commitDurability(value: string): CommitDurability {
  if (value === 'changes' || value === 'fsync' || value === 'write') return value;
  throw new KeyholdError('invalid-argument', `--commit-durability must be changes, fsync or write, not "${value}"`);
}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new KeyholdError('invalid-argument', `bad port ${value}`);
  return n;
}

/** `keyhold serve`: the headless KMIP server in the foreground (stops on SIGINT/SIGTERM). */
export function registerServe(program: Command): void {
  withVaultOptions(
    program.command('serve').description('Run the KMIP server (TLS, mutual auth) over a vault, in the foreground'),
  )
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--port <n>', 'TCP port (KMIP over TLS and HTTPS share it)', '5696')
    .option('--max-connections <n>', 'most open connections')
    .option('--idle-timeout <seconds>', 'close a connection idle this long')
    .option('--module <path...>', 'PKCS#11 module(s) for keys kept on tokens (default: those found on the system)')
    .option(
      '--commit-durability <mode>',
      "changes: answer once every change and all a read saw is on disk (a read's own audit entry once the OS has it); " +
        'fsync: once all of it is, audit entries of reads too; write: once the OS has it (a power cut may lose the last milliseconds)',
      'changes',
    )
    .action(async (options: ServeCliOptions) => {
      const durability = commitDurability(options.commitDurability);
      const socketPath = controlSocketPath(vaultPath(options));
      await refuseWhenRunning(socketPath);
      const vault = await openVault(options);
      vault.setCommitDurability(durability);
      let started;
      try {
        const tokens = await tokenCrypto(options.module);
        started = await startVaultServer(vault, {
          ...(tokens ? { tokenCrypto: tokens } : {}),
          host: options.host,
          port: port(options.port),
          controlSocket: socketPath,
          log: (line) => process.stderr.write(`${line}\n`),
          limits: {
            ...(options.maxConnections ? { maxConnections: Number(options.maxConnections) } : {}),
            ...(options.idleTimeout ? { idleTimeoutMs: Number(options.idleTimeout) * 1000 } : {}),
          },
        });
      } catch (e) {
        await vault.lock();
        throw e;
      }
      const { server, created, controlSocket } = started;
      if (created) {
        process.stdout.write(
          `keyhold: created a server CA and certificate in ${vaultPath(options)}\n` +
            `keyhold: enroll a client with: keyhold clients enroll NAME --vault ${vaultPath(options)} --out DIR\n`,
        );
      }
      process.stdout.write(
        `keyhold: KMIP server listening on ${options.host}:${server.port} (TLS 1.2/1.3, client certificates required)\n`,
      );
      if (controlSocket) process.stderr.write(`keyhold: control socket ${controlSocket.path}\n`);
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          process.removeListener('SIGINT', stop);
          process.removeListener('SIGTERM', stop);
          resolve();
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await started.stop();
      await vault.lock();
      process.stdout.write('keyhold: server stopped\n');
    });
}
