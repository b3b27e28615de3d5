/** `keyhold console`: the web console, the desktop window's renderer served from this process. */
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { KeyholdError } from '../../../shared/errors.js';
import { createRouter } from '../../api/router.js';
import { earlyCalls, withEarlyAnswers } from '../../console/early-answers.js';
import { isLoopback, startConsole } from '../../console/server.js';
import { defaultVaultPath } from '../../vault/paths.js';

interface ConsoleFlags {
  vault?: string;
  host: string;
  port: string;
  autoLock?: string;
}

export function registerConsole(program: Command): void {
  program
    .command('console')
    .description('serve the Keyhold window in your browser, with an access token (127.0.0.1 only unless --host)')
    .option('--vault <path>', 'the vault file (created from the page if absent)')
    .option('--host <address>', 'address to bind; anything but loopback is served over HTTPS', '127.0.0.1')
    .option('--port <n>', 'port (0 = any free port)', '0')
    .option(
      '--auto-lock <seconds>',
      'lock the vault after this many idle seconds (0 = never); default: the saved setting (5 minutes)',
    )
    .action(async (flags: ConsoleFlags) => {
      const port = Number(flags.port);
      if (!Number.isInteger(port) || port < 0 || port > 65_535) {
        throw new KeyholdError('invalid-argument', `--port must be a number from 0 to 65535, not “${flags.port}”.`);
      }
      const autoLockSeconds = flags.autoLock === undefined ? undefined : Number(flags.autoLock);
      if (autoLockSeconds !== undefined && (!Number.isInteger(autoLockSeconds) || autoLockSeconds < 0)) {
        throw new KeyholdError('invalid-argument', '--auto-lock must be a whole number of seconds.');
      }
      const vaultPath = path.resolve(flags.vault ?? defaultVaultPath());
      // The page's first read-only calls are answered without the engine (early-answers.ts), and the
      // engine's modules load once those answers are sent, on the first other call, or after 2 s:
      // loading them sooner would hold up the page's first requests while they evaluate.
      let startEngine: () => void = () => undefined;
      const engineWanted = new Promise<void>((resolve) => (startEngine = resolve));
      setTimeout(() => startEngine(), 2000).unref();
      const enginePromise = engineWanted
        .then(() => import('../../api/handlers.js'))
        .then(({ createEngine }) =>
          createEngine({
            vaultPath,
            ...(autoLockSeconds === undefined ? {} : { autoLockSeconds }),
            identity: `console:${os.userInfo().username}`,
          }),
        );
      const early = withEarlyAnswers(
        enginePromise.then((engine) => createRouter(engine.handlers, 'http')),
        autoLockSeconds === undefined ? { vaultPath } : { vaultPath, autoLockSeconds },
      );
      const firstCalls = new Set<unknown>(earlyCalls);
      const router: typeof early = {
        call: async (name, request) => {
          if (!firstCalls.delete(name)) startEngine();
          const result = await early.call(name, request);
          if (firstCalls.size === 0) setImmediate(startEngine);
          return result;
        },
        supports: (name) => early.supports(name),
      };
      const tls = isLoopback(flags.host)
        ? undefined
        : await (await import('../../console/tls-certificate.js')).consoleCertificate(flags.host);
      const common = { router, host: flags.host, port };
      const running = await startConsole(tls ? { ...common, tls } : common);
      process.stdout.write(`Keyhold console for ${vaultPath}\n`);
      process.stdout.write(`Open this address in your browser (it contains the access token):\n    ${running.url}\n`);
      if (tls) {
        process.stdout.write(
          `HTTPS with a certificate made for this start; check that your browser shows SHA-256 fingerprint\n    ${tls.fingerprint}\n`,
        );
      }
      process.stdout.write('Press Ctrl+C to stop.\n');
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          void running
            .close()
            .then(() => enginePromise)
            .then((engine) => engine.close())
            .then(resolve);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    });
}
