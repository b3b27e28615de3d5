import { createWriteStream } from 'node:fs';
import type { Command } from 'commander';
import { KeyholdError } from '../../../shared/errors.js';
import { DEFAULT_ARGON2, Vault, type KeySlotInfo, type SealOptions, type VaultInfo } from '../../vault/index.js';
import {
  cliIdentity,
  progress,
  readPassphrase,
  vaultPath,
  withVault,
  withVaultOptions,
  type VaultCliOptions,
} from '../vault-options.js';
import { registerHardwareSlotCommands } from './token.js';

interface InitOptions extends VaultCliOptions {
  label?: string;
  kdfMemory?: string;
  kdfIterations?: string;
}

const NEW_PASSPHRASE_ENV = 'KEYHOLD_NEW_PASSPHRASE';

/** `keyhold vault init|info|verify|passwd|slots|audit`. */
export function registerVault(program: Command): void {
  const vault = program.command('vault').description('Create, inspect and check the encrypted vault');

  withVaultOptions(vault.command('init').description('Create a new vault protected by a passphrase'))
    .option('--label <text>', 'label of the passphrase key slot', 'passphrase')
    .option('--kdf-memory <KiB>', `Argon2id memory in KiB (default ${DEFAULT_ARGON2.memoryKiB})`)
    .option('--kdf-iterations <n>', `Argon2id passes (default ${DEFAULT_ARGON2.iterations})`)
    .action(async (options: InitOptions) => {
      const path = vaultPath(options);
      const passphrase = await readPassphrase(options, 'New vault passphrase: ', true);
      try {
        const started = Date.now();
        const v = await Vault.create(path, {
          unlock: { kind: 'passphrase', passphrase },
          label: options.label,
          sealOptions: kdfOptions(options),
          identity: cliIdentity(),
          onProgress: progress,
        });
        progress(`key derived in ${((Date.now() - started) / 1000).toFixed(1)} s`);
        const id = v.vaultId;
        await v.lock();
        process.stdout.write(`created vault ${id} at ${path}\n`);
      } finally {
        passphrase.fill(0);
      }
    });

  withVaultOptions(vault.command('info').description('Show the vault: id, format, objects, key slots'))
    .option('--json', 'print JSON')
    .action(async (options: VaultCliOptions & { json?: boolean }) => {
      const info = await withVault(options, (v) => v.info());
      process.stdout.write(options.json ? `${JSON.stringify(info, null, 2)}\n` : formatInfo(info));
    });

  withVaultOptions(vault.command('verify').description('Verify the audit chain and every database page')).action(
    async (options: VaultCliOptions) => {
      const result = await withVault(options, (v) => v.verify());
      if (!result.audit.ok && result.audit.firstBad) {
        throw new KeyholdError(
          'vault-corrupt',
          `audit chain broken at entry ${result.audit.firstBad.seq}: ${result.audit.firstBad.problem}`,
        );
      }
      if (result.databaseProblems.length > 0) {
        throw new KeyholdError('vault-corrupt', `database check failed: ${result.databaseProblems[0]}`);
      }
      process.stdout.write(`audit chain: ${result.audit.entries} entries, intact\ndatabase: ok\n`);
    },
  );

  withVaultOptions(vault.command('passwd').description('Change the passphrase of a passphrase key slot'))
    .option('--slot <id>', 'the key slot (default: the only passphrase slot)')
    .option(
      '--new-passphrase-file <file>',
      `read the new passphrase from a file (else $${NEW_PASSPHRASE_ENV}, else a prompt)`,
    )
    .option('--kdf-memory <KiB>', 'Argon2id memory in KiB for the new slot')
    .option('--kdf-iterations <n>', 'Argon2id passes for the new slot')
    .action(async (options: InitOptions & { slot?: string; newPassphraseFile?: string }) => {
      await withVault(options, async (v) => {
        const slotId = options.slot ?? onlyPassphraseSlot(v.listSlots());
        const next = await readPassphrase(options, 'New passphrase: ', true, {
          variable: NEW_PASSPHRASE_ENV,
          file: options.newPassphraseFile,
        });
        try {
          await v.changePassphrase(slotId, next, {
            sealOptions: kdfOptions(options),
            identity: cliIdentity(),
            onProgress: progress,
          });
        } finally {
          next.fill(0);
        }
        process.stdout.write(`passphrase of key slot ${slotId} changed\n`);
      });
    });

  const slots = vault.command('slots').description('List, add and remove key slots (unlock methods)');
  registerHardwareSlotCommands(slots);
  withVaultOptions(slots.command('list', { isDefault: true }).description('List the key slots'))
    .option('--json', 'print JSON')
    .action(async (options: VaultCliOptions & { json?: boolean }) => {
      const list = await withVault(options, async (v) => v.listSlots());
      process.stdout.write(options.json ? `${JSON.stringify(list, null, 2)}\n` : list.map(formatSlot).join(''));
    });
  withVaultOptions(slots.command('add-passphrase').description('Add another passphrase slot'))
    .option('--label <text>', 'label of the new slot', 'passphrase')
    .option(
      '--new-passphrase-file <file>',
      `read the new passphrase from a file (else $${NEW_PASSPHRASE_ENV}, else a prompt)`,
    )
    .option('--kdf-memory <KiB>', 'Argon2id memory in KiB')
    .option('--kdf-iterations <n>', 'Argon2id passes')
    .action(async (options: InitOptions & { newPassphraseFile?: string }) => {
      await withVault(options, async (v) => {
        const next = await readPassphrase(options, 'Passphrase for the new slot: ', true, {
          variable: NEW_PASSPHRASE_ENV,
          file: options.newPassphraseFile,
        });
        try {
          const slot = await v.addSlot(
            { kind: 'passphrase', passphrase: next },
            { label: options.label, sealOptions: kdfOptions(options), identity: cliIdentity(), onProgress: progress },
          );
          process.stdout.write(`added key slot ${slot.id}\n`);
        } finally {
          next.fill(0);
        }
      });
    });
  withVaultOptions(
    slots.command('remove').argument('<id>', 'key slot id').description('Remove a key slot (never the last one)'),
  ).action(async (id: string, options: VaultCliOptions) => {
    await withVault(options, (v) => v.removeSlot(id, cliIdentity()));
    process.stdout.write(`removed key slot ${id}\n`);
  });

  const audit = vault.command('audit').description('The audit chain');
  withVaultOptions(audit.command('export').description('Export the audit chain as JSON lines'))
    .option('-o, --output <file>', 'write to a file instead of stdout')
    .action(async (options: VaultCliOptions & { output?: string }) => {
      const out = options.output === undefined ? process.stdout : createWriteStream(options.output, { mode: 0o600 });
      await withVault(options, (v) =>
        v.exportAudit((line) => (out.write(line) ? undefined : new Promise<void>((r) => out.once('drain', () => r())))),
      );
      if (out !== process.stdout) await new Promise<void>((r) => out.end(() => r()));
    });
}

function kdfOptions(options: InitOptions): SealOptions | undefined {
  const argon2: Record<string, number> = {};
  if (options.kdfMemory !== undefined) argon2['memoryKiB'] = positiveInt('--kdf-memory', options.kdfMemory);
  if (options.kdfIterations !== undefined)
    argon2['iterations'] = positiveInt('--kdf-iterations', options.kdfIterations);
  return Object.keys(argon2).length === 0 ? undefined : { argon2 };
}

export function positiveInt(flag: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw new KeyholdError('invalid-argument', `${flag} needs a non-negative integer`);
  return n;
}

function onlyPassphraseSlot(slots: KeySlotInfo[]): string {
  const p = slots.filter((s) => s.kind === 'passphrase');
  if (p.length !== 1)
    throw new KeyholdError('invalid-argument', 'the vault has several passphrase slots: choose one with --slot');
  return (p[0] as KeySlotInfo).id;
}

function formatSlot(s: KeySlotInfo): string {
  const kdf =
    s.kind === 'passphrase'
      ? `  argon2id m=${String(s.params['memoryKiB'])}KiB t=${String(s.params['iterations'])}`
      : '';
  return `${s.id}  ${s.kind.padEnd(10)}  ${s.label}  created ${s.createdAt}${kdf}\n`;
}

function formatInfo(i: VaultInfo): string {
  const types = Object.entries(i.objectsByType)
    .map(([t, n]) => `${t} ${n}`)
    .join(', ');
  return [
    `vault:        ${i.path}`,
    `id:           ${i.vaultId}`,
    `created:      ${i.createdAt}`,
    `format:       ${i.formatVersion} (schema ${i.schemaVersion})`,
    `objects:      ${i.objects}${types ? ` (${types})` : ''}`,
    `audit:        ${i.auditEntries} entries`,
    `size:         ${i.databaseBytes} bytes`,
    `key slots:    ${i.slots.length}`,
    ...i.slots.map((s) => `  ${formatSlot(s).trimEnd()}`),
    '',
  ].join('\n');
}
