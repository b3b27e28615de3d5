import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { KeyholdError, isKeyholdError } from '../../../shared/errors.js';
import type { Grant } from '../../server/access.js';
import { ServerControl, type ClientBundle } from '../../server/control-engine.js';
import { ControlClient, controlSocketPath } from '../../server/control-socket.js';
import { credentialToWire } from '../../server/control-credentials.js';
import { hashClientPassword, type StoredCredential } from '../../server/credentials.js';
import { enrollClient, listClients, revokeClient, type EnrolledClient } from '../../server/pki.js';
import type { Vault } from '../../vault/index.js';
import {
  cliIdentity,
  readPassphrase,
  vaultPath,
  withVault,
  withVaultOptions,
  type VaultCliOptions,
} from '../vault-options.js';

interface EnrollOptions extends VaultCliOptions {
  out: string;
  admin?: boolean;
  p12Password?: string;
  username?: string;
}

/** Where `clients enroll --username` and `clients password` read the client's password (else a prompt). */
export const CLIENT_PASSWORD_ENV = 'KEYHOLD_CLIENT_PASSWORD';

/** Reads the client's password (environment or a confirmed prompt) and hashes it here; the password is wiped. */
async function clientCredential(options: VaultCliOptions, username: string): Promise<StoredCredential> {
  const password = await readPassphrase(options, `Credential password for ${username}: `, true, {
    variable: CLIENT_PASSWORD_ENV,
    file: undefined,
  });
  try {
    return await hashClientPassword(username, password);
  } finally {
    password.fill(0);
  }
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

/**
 * Runs a change through the running server's control socket when `keyhold serve` holds the vault
 * (it takes effect there at once), else opens the vault itself as when no server runs.
 */
async function viaServer<T>(
  options: VaultCliOptions,
  remote: (client: ControlClient) => Promise<unknown>,
  local: (vault: Vault) => Promise<T>,
): Promise<T> {
  const client = await ControlClient.connect(controlSocketPath(vaultPath(options)));
  if (!client) {
    return withVault(options, local).catch((e: unknown) => {
      if (!isKeyholdError(e) || e.code !== 'vault-in-use') throw e;
      throw new KeyholdError(
        'vault-in-use',
        'the vault is in use by another Keyhold process and no control socket answers in its folder; stop that process and retry',
        { cause: e },
      );
    });
  }
  try {
    return (await remote(client)) as T;
  } finally {
    client.close();
  }
}

function describeOps(operations: readonly string[]): string {
  return operations.length === 0 ? 'every operation' : operations.join(', ');
}

/** `keyhold clients enroll|list|revoke|grant|ungrant|grants`: KMIP client certificates and access. */
export function registerClients(program: Command): void {
  const clients = program.command('clients').description('Enroll, list and revoke KMIP clients; grant them objects');

  withVaultOptions(clients.command('enroll <name>').description('Issue a client certificate bundle'))
    .requiredOption('--out <dir>', 'folder for NAME.crt, NAME.key, ca.crt and NAME.p12')
    .option('--admin', 'this client sees every object')
    .option('--p12-password <password>', 'password of NAME.p12 (default: empty)')
    .option(
      '--username <username>',
      `also require this KMIP Credential username; its password from $${CLIENT_PASSWORD_ENV}, else a prompt`,
    )
    .action(async (name: string, options: EnrollOptions) => {
      const admin = options.admin === true;
      const credential = options.username === undefined ? undefined : await clientCredential(options, options.username);
      const bundle = await viaServer<ClientBundle>(
        options,
        (c) =>
          c.call('clients.enroll', {
            name,
            admin,
            ...(credential ? { credential: credentialToWire(credential) } : {}),
          }),
        (vault) => enrollClient(vault, name, { admin, ...(credential ? { credential } : {}) }),
      );
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
      const list = await viaServer<EnrolledClient[]>(
        options,
        (c) => c.call('clients.list', {}),
        (vault) => listClients(vault),
      );
      if (options.json) {
        process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
        return;
      }
      for (const c of list) {
        process.stdout.write(
          `${c.name}\t${c.revoked ? 'revoked' : 'active'}${c.admin ? '\tadmin' : ''}${c.credentialRequired ? `\tcredential ${c.credentialUsername ?? ''}` : ''}\tserial ${c.serialNumber}\tuntil ${c.notAfter}\n`,
        );
      }
    });

  withVaultOptions(
    clients
      .command('revoke <name>')
      .description('Revoke a client (a running server refuses it at once and closes its connections)'),
  ).action(async (name: string, options: VaultCliOptions) => {
    await viaServer(
      options,
      (c) => c.call('clients.revoke', { name }),
      (vault) => revokeClient(vault, name),
    );
    process.stdout.write(`revoked ${name}\n`);
  });

  withVaultOptions(
    clients
      .command('password <name>')
      .description('Require client NAME to also send a KMIP Credential (username and password), or --clear it'),
  )
    .option('--username <username>', 'the Credential username (default: NAME)')
    .option('--clear', 'no longer require a Credential (any sent is not checked)')
    .action(async (name: string, options: VaultCliOptions & { username?: string; clear?: boolean }) => {
      const credential = options.clear === true ? undefined : await clientCredential(options, options.username ?? name);
      await viaServer(
        options,
        (c) =>
          c.call('clients.password', { name, ...(credential ? { credential: credentialToWire(credential) } : {}) }),
        async (vault) => (await ServerControl.load(vault)).setCredential(name, credential, cliIdentity()),
      );
      process.stdout.write(
        credential
          ? `${name} must send Credential username ${credential.username}\n`
          : `${name}: no Credential required\n`,
      );
    });

  withVaultOptions(
    clients
      .command('grant <name> <uid>')
      .description('Let client NAME use object UID, which another client owns (all operations unless --ops)'),
  )
    .option('--ops <list>', 'only these KMIP operations, comma-separated (get,encrypt,decrypt,get-attributes,...)')
    .action(async (name: string, uid: string, options: VaultCliOptions & { ops?: string }) => {
      const operations = options.ops === undefined ? [] : options.ops.split(',');
      const grant = await viaServer<Grant>(
        options,
        (c) => c.call('grants.add', { name, uniqueIdentifier: uid, operations }),
        async (vault) => (await ServerControl.load(vault)).grant(name, uid, operations, cliIdentity()),
      );
      process.stdout.write(`granted ${name} ${uid}: ${describeOps(grant.operations)}\n`);
    });

  withVaultOptions(
    clients.command('ungrant <name> <uid>').description('Remove the grant of object UID to NAME'),
  ).action(async (name: string, uid: string, options: VaultCliOptions) => {
    await viaServer(
      options,
      (c) => c.call('grants.remove', { name, uniqueIdentifier: uid }),
      async (vault) => (await ServerControl.load(vault)).ungrant(name, uid, cliIdentity()),
    );
    process.stdout.write(`ungranted ${name} ${uid}\n`);
  });

  withVaultOptions(clients.command('grants [name]').description('List grants (of one client, or all)'))
    .option('--json', 'print JSON')
    .action(async (name: string | undefined, options: VaultCliOptions & { json?: boolean }) => {
      const list = await viaServer<Grant[]>(
        options,
        (c) => c.call('grants.list', name === undefined ? {} : { name }),
        async (vault) => (await ServerControl.load(vault)).grants(name),
      );
      if (options.json) {
        process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
        return;
      }
      for (const g of list)
        process.stdout.write(`${g.identity}\t${g.uniqueIdentifier}\t${describeOps(g.operations)}\n`);
    });
}
