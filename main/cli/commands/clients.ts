import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { KeyholdError } from '../../../shared/errors.js';
import { enrollClient, listClients, revokeClient } from '../../server/pki.js';
import { withVault, withVaultOptions, type VaultCliOptions } from '../vault-options.js';

interface EnrollOptions extends VaultCliOptions {
  out: string;
  admin?: boolean;
  p12Password?: string;
}

/** PKCS#12 of the client's key and certificate chain, made by the openssl CLI. */
function writePkcs12(dir: string, name: string, password: string): void {
  try {
    execFileSync(
      'openssl',
      [
        'pkcs12',
        '-export',
        '-name',
        name,
        '-in',
        path.join(dir, `${name}.crt`),
        '-inkey',
        path.join(dir, `${name}.key`),
        '-certfile',
        path.join(dir, 'ca.crt'),
        '-out',
        path.join(dir, `${name}.p12`),
        '-passout',
        'env:KEYHOLD_P12_PASSWORD',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, KEYHOLD_P12_PASSWORD: password } },
    );
  } catch (e) {
    throw new KeyholdError('io', 'could not write the PKCS#12 file (is openssl installed?)', { cause: e });
  }
}

/** `keyhold clients enroll|list|revoke`: KMIP client certificates issued by the server CA. */
export function registerClients(program: Command): void {
  const clients = program.command('clients').description('Enroll, list and revoke KMIP clients');

  withVaultOptions(clients.command('enroll <name>').description('Issue a client certificate bundle'))
    .requiredOption('--out <dir>', 'folder for NAME.crt, NAME.key, ca.crt and NAME.p12')
    .option('--admin', 'this client sees every object')
    .option('--p12-password <password>', 'password of NAME.p12 (default: empty)')
    .action(async (name: string, options: EnrollOptions) => {
      const bundle = await withVault(options, (vault) => enrollClient(vault, name, { admin: options.admin === true }));
      mkdirSync(options.out, { recursive: true });
      const keyFile = path.join(options.out, `${name}.key`);
      writeFileSync(path.join(options.out, `${name}.crt`), bundle.certPem);
      writeFileSync(keyFile, bundle.keyPem, { mode: 0o600 });
      writeFileSync(path.join(options.out, 'ca.crt'), bundle.caCertPem);
      try {
        writePkcs12(options.out, name, options.p12Password ?? '');
      } catch (e) {
        rmSync(path.join(options.out, `${name}.p12`), { force: true });
        throw e;
      }
      process.stdout.write(
        `enrolled ${name}: ${['.crt', '.key', '.p12'].map((s) => path.join(options.out, name + s)).join(', ')}, ${path.join(options.out, 'ca.crt')}\n`,
      );
    });

  withVaultOptions(clients.command('list').description('List enrolled clients'))
    .option('--json', 'print JSON')
    .action(async (options: VaultCliOptions & { json?: boolean }) => {
      const list = await withVault(options, (vault) => listClients(vault));
      if (options.json) {
        process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
        return;
      }
      for (const c of list) {
        process.stdout.write(
          `${c.name}\t${c.revoked ? 'revoked' : 'active'}${c.admin ? '\tadmin' : ''}\tserial ${c.serialNumber}\tuntil ${c.notAfter}\n`,
        );
      }
    });

  withVaultOptions(
    clients.command('revoke <name>').description('Revoke a client (refused at its next connection)'),
  ).action(async (name: string, options: VaultCliOptions) => {
    await withVault(options, (vault) => revokeClient(vault, name));
    process.stdout.write(`revoked ${name}\n`);
  });
}
