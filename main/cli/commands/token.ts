import { readFileSync, writeFileSync } from 'node:fs';
import { Command } from 'commander';
import { KeyholdError } from '../../../shared/errors.js';
import {
  backupObjects,
  changePin,
  copyKeysBetweenTokens,
  createKeyDomain,
  DEFAULT_KEK_LABEL,
  ensureKek,
  finalizeAllModules,
  generateKey,
  importKey,
  importMaterialOf,
  insertRestored,
  listObjects,
  listTokens,
  objectName,
  objectsForBackup,
  openEscrow,
  parseBackup,
  provisionWithEscrow,
  resolveModules,
  restoreObjects,
  storeBackupOnToken,
  wipeObjects,
  withTokenSession,
  writeCertificate,
  type EscrowFile,
  type ImportMaterial,
  type TokenObjectInfo,
  type TokenSelector,
} from '../../tokens/pkcs11/index.js';
import { tokenKeyReference } from '../../tokens/pkcs11/reference.js';
import { registerHardwareSlotProviders } from '../../tokens/slot-providers.js';
import { detectTpm, resolveTcti } from '../../tokens/tpm/index.js';
import { TPM_PIN_ENV } from '../../tokens/vault-unlock.js';
import {
  cliIdentity,
  openVault,
  progress,
  readPassphrase,
  withVault,
  withVaultOptions,
  type VaultCliOptions,
} from '../vault-options.js';

export const TOKEN_PIN_ENV = 'KEYHOLD_TOKEN_PIN';
export const NEW_TOKEN_PIN_ENV = 'KEYHOLD_NEW_TOKEN_PIN';
export const OTHER_TOKEN_PIN_ENV = 'KEYHOLD_OTHER_TOKEN_PIN';
export const ESCROW_PASSPHRASE_ENV = 'KEYHOLD_ESCROW_PASSPHRASE';

interface TokenCliOptions {
  module?: string[];
  label?: string;
  slot?: string;
  json?: boolean;
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** --module (repeatable), --label, --slot: every token command has them. */
function withTokenOptions(command: Command, selects = true): Command {
  command.option('--module <path>', 'PKCS#11 module (repeatable; default: the ones found on the system)', collect);
  if (selects) command.option('--label <label>', 'the token, by label').option('--slot <n>', 'the token, by slot ID');
  return command;
}

function selectorOf(o: TokenCliOptions): TokenSelector {
  const sel: TokenSelector = {};
  if (o.label !== undefined) sel.label = o.label;
  if (o.slot !== undefined) {
    const n = Number(o.slot);
    if (!Number.isInteger(n) || n < 0)
      throw new KeyholdError('invalid-argument', '--slot needs a slot ID (see `keyhold token list`)');
    sel.slot = n;
  }
  return sel;
}

/** The token PIN: KEYHOLD_TOKEN_PIN, else a prompt. Asked only when a login happens. */
async function tokenPin(prompt = 'Token PIN: ', variable = TOKEN_PIN_ENV): Promise<string> {
  const b = await readPassphrase({}, prompt, false, { variable, file: undefined });
  try {
    return b.toString('utf8');
  } finally {
    b.fill(0);
  }
}

/** The second token's PIN (domain, copy): KEYHOLD_OTHER_TOKEN_PIN, else KEYHOLD_TOKEN_PIN, else a prompt. */
async function otherTokenPin(): Promise<string> {
  const other = process.env[OTHER_TOKEN_PIN_ENV];
  return other !== undefined && other !== '' ? other : tokenPin('PIN of the second token: ');
}

/** Runs `fn` and finalizes the PKCS#11 modules afterwards (the CLI is one operation). */
async function withModules<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } finally {
    finalizeAllModules();
  }
}

// Every command that opens a vault (withVault, openVault) tries its TPM slot first, then the
// passphrase: see vault-options.ts and main/tokens/vault-unlock.ts.
type VaultTokenOptions = VaultCliOptions;

function formatObject(o: TokenObjectInfo): string {
  const kind = [o.keyType, o.curve ?? (o.bits !== undefined ? String(o.bits) : undefined)]
    .filter((x) => x !== undefined)
    .join(' ');
  const flags = [
    o.sensitive === true ? 'sensitive' : undefined,
    o.extractable === false ? 'non-extractable' : o.extractable === true ? 'extractable' : undefined,
    o.alwaysAuthenticate === true ? 'always-authenticate' : undefined,
    o.application !== undefined ? `application="${o.application}"` : undefined,
  ].filter((x) => x !== undefined);
  return `${o.objectClass.padEnd(11)}  id=${o.id || '-'}  "${o.label}"  ${kind}${flags.length > 0 ? `  [${flags.join(', ')}]` : ''}${o.usage.length > 0 ? `  ${o.usage.join(',')}` : ''}\n`;
}

/** `keyhold token list|keys|generate|import|backup|restore|domain|copy|change-pin|tpm`. */
export function registerToken(program: Command): void {
  registerHardwareSlotProviders();
  const token = program.command('token').description('PKCS#11 tokens (USB tokens, smart cards, HSMs) and the TPM');

  withTokenOptions(
    token.command('list').description('List the tokens present (label, manufacturer, model, serial, flags)'),
    false,
  )
    .option('--mechanisms', 'also list each token’s mechanisms')
    .option('--json', 'print JSON')
    .action(async (o: TokenCliOptions & { mechanisms?: boolean }) =>
      withModules(async () => {
        const modules = resolveModules(o.module);
        const tokens = listTokens(modules, { mechanisms: o.mechanisms ?? false });
        if (o.json)
          return void process.stdout.write(
            `${JSON.stringify({ modules: modules.map((m) => m.describe()), tokens }, null, 2)}\n`,
          );
        for (const m of modules) process.stdout.write(`module ${m.path}  (${m.describe().description})\n`);
        if (tokens.length === 0) process.stdout.write('no tokens present\n');
        for (const t of tokens) {
          process.stdout.write(
            `slot ${t.slotId}  "${t.label}"  ${t.manufacturer} ${t.model}  serial ${t.serialNumber}\n    flags: ${t.flags.join(', ')}\n`,
          );
          for (const m of t.mechanisms ?? [])
            process.stdout.write(`    ${m.name}  ${m.minKeySize}..${m.maxKeySize}  ${m.flags.join(',')}\n`);
        }
      }),
    );

  withTokenOptions(token.command('keys').description('List the keys, certificates and data objects on a token'))
    .option('--json', 'print JSON')
    .action(async (o: TokenCliOptions) =>
      withModules(async () => {
        const objs = await withTokenSession(resolveModules(o.module), selectorOf(o), { pin: () => tokenPin() }, (s) =>
          listObjects(s),
        );
        process.stdout.write(
          o.json ? `${JSON.stringify(objs, null, 2)}\n` : objs.map(formatObject).join('') || 'no objects\n',
        );
      }),
    );

  withVaultOptions(
    withTokenOptions(token.command('generate').description('Generate a key on the token (sensitive, non-extractable)')),
  )
    .requiredOption('--alg <alg>', 'AES, RSA or EC')
    .option('--length <bits>', 'AES 128/192/256 (default 256), RSA bits (default 3072)')
    .option('--curve <curve>', 'EC curve: P-256 (default), P-384, P-521')
    .requiredOption('--name <name>', 'label of the new key on the token')
    .option('--id <hex>', 'CKA_ID (default random)')
    .option('--extractable', 'allow the key to leave the token wrapped (for backups and key domains)')
    .option('--always-authenticate', 'ask for the PIN at each use of the private key')
    .option('--register', 'also record the key in the vault, as an object whose material stays on the token')
    .action(
      async (
        o: TokenCliOptions &
          VaultTokenOptions & {
            alg: string;
            length?: string;
            curve?: string;
            name: string;
            id?: string;
            extractable?: boolean;
            alwaysAuthenticate?: boolean;
            register?: boolean;
          },
      ) =>
        withModules(async () => {
          const alg = o.alg.toUpperCase();
          if (alg !== 'AES' && alg !== 'RSA' && alg !== 'EC')
            throw new KeyholdError('invalid-argument', '--alg is AES, RSA or EC');
          const length = o.length === undefined ? undefined : Number(o.length);
          const { made, info } = await withTokenSession(
            resolveModules(o.module),
            selectorOf(o),
            { pin: () => tokenPin() },
            (s) => ({
              made: generateKey(s, {
                algorithm: alg,
                label: o.name,
                ...(length !== undefined ? { length } : {}),
                ...(o.curve !== undefined ? { curve: o.curve } : {}),
                ...(o.id !== undefined ? { id: o.id } : {}),
                extractable: o.extractable ?? false,
                alwaysAuthenticate: o.alwaysAuthenticate ?? false,
              }),
              info: s.token,
            }),
          );
          process.stdout.write(made.map(formatObject).join(''));
          if (o.register) {
            const uid = await withVault(o, (v) =>
              v.insert({ ...tokenKeyReference(info, made[0]!, o.name), owner: cliIdentity() }, cliIdentity()),
            );
            process.stdout.write(`registered in the vault as ${uid}\n`);
          }
        }),
    );

  withVaultOptions(
    withTokenOptions(token.command('import').description('Put a vault key (or certificate) onto a token')),
  )
    .argument('<id>', 'Unique Identifier of the vault object')
    .option('--name <name>', 'label on the token (default: the object’s Name)')
    .option('--token-id <hex>', 'CKA_ID on the token (default random)')
    .option('--extractable', 'allow the key to leave the token wrapped')
    .action(
      async (
        id: string,
        o: TokenCliOptions & VaultTokenOptions & { name?: string; tokenId?: string; extractable?: boolean },
      ) =>
        withModules(async () => {
          const obj = await withVault(o, (v) => v.getObjectForUse(id, cliIdentity(), 'Export'));
          const label = o.name ?? objectName(obj) ?? id;
          const made = await withTokenSession(
            resolveModules(o.module),
            selectorOf(o),
            { pin: () => tokenPin() },
            (s) => {
              if (obj.objectType === 'Certificate' && obj.value !== undefined)
                return [writeCertificate(s, obj.value, label, o.tokenId)];
              const material = importMaterialOf(obj);
              return importKey(s, material, {
                label,
                ...(o.tokenId !== undefined ? { id: o.tokenId } : {}),
                extractable: o.extractable ?? false,
              });
            },
          );
          if (obj.keyBlock?.keyMaterial instanceof Uint8Array) obj.keyBlock.keyMaterial.fill(0);
          process.stdout.write(made.map(formatObject).join(''));
        }),
    );

  withVaultOptions(
    withTokenOptions(
      token.command('backup').description('Back vault keys up, wrapped under a key-encryption key on the token'),
    ),
  )
    .requiredOption('--out <file>', 'the backup file to write')
    .argument('[ids...]', 'Unique Identifiers (default: every object in the vault)')
    .option('--kek <label>', 'label of the key-encryption key on the token (made when missing)', DEFAULT_KEK_LABEL)
    .option('--store-on-token <name>', 'also keep the backup on the token, as a data object with this label')
    .action(
      async (
        ids: string[],
        o: TokenCliOptions & VaultTokenOptions & { out: string; kek: string; storeOnToken?: string },
      ) =>
        withModules(async () => {
          const objects = await withVault(o, (v) => objectsForBackup(v, ids, cliIdentity()));
          try {
            const file = await withTokenSession(
              resolveModules(o.module),
              selectorOf(o),
              { pin: () => tokenPin() },
              (s) => {
                ensureKek(s, o.kek);
                const f = backupObjects(s, objects, o.kek);
                if (o.storeOnToken !== undefined) storeBackupOnToken(s, f, o.storeOnToken);
                return f;
              },
            );
            writeFileSync(o.out, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
            process.stdout.write(
              `backed up ${file.entries.length} objects to ${o.out} under key "${o.kek}" of token "${file.token.label}"\n`,
            );
          } finally {
            wipeObjects(objects);
          }
        }),
    );

  withVaultOptions(
    withTokenOptions(
      token.command('restore').description('Restore a token backup into the vault (the token must hold its KEK)'),
    ),
  )
    .argument('<file>', 'backup file written by `keyhold token backup`')
    .action(async (file: string, o: TokenCliOptions & VaultTokenOptions) =>
      withModules(async () => {
        let text: string;
        try {
          text = readFileSync(file, 'utf8');
        } catch (e) {
          throw new KeyholdError('io', `cannot read ${file}`, { cause: e });
        }
        const backup = parseBackup(text);
        const objects = await withTokenSession(
          resolveModules(o.module),
          selectorOf(o),
          { pin: () => tokenPin() },
          (s) => restoreObjects(s, backup),
        );
        try {
          const { added, skipped } = await withVault(o, (v) => insertRestored(v, objects, cliIdentity()));
          process.stdout.write(
            `restored ${added.length} objects${skipped.length > 0 ? ` (${skipped.length} already in the vault, left as they are)` : ''}\n`,
          );
        } finally {
          wipeObjects(objects);
        }
      }),
    );

  withTokenOptions(
    token
      .command('domain')
      .description(
        `Give two tokens the same key-encryption key (a key domain), so backups and keys move between them (PIN of the second from $${OTHER_TOKEN_PIN_ENV}, else $${TOKEN_PIN_ENV})`,
      ),
  )
    .requiredOption('--with <label>', 'label of the second token')
    .option('--kek <label>', 'label of the shared key-encryption key', DEFAULT_KEK_LABEL)
    .action(async (o: TokenCliOptions & { with: string; kek: string }) =>
      withModules(async () => {
        const modules = resolveModules(o.module);
        await createKeyDomain(
          modules,
          [
            { selector: selectorOf(o), options: { pin: () => tokenPin() } },
            { selector: { label: o.with }, options: { pin: () => otherTokenPin() } },
          ],
          o.kek,
        );
        process.stdout.write(`tokens now share the key-encryption key "${o.kek}"\n`);
      }),
    );

  withVaultOptions(
    withTokenOptions(
      token
        .command('escrow')
        .description(
          'For tokens that cannot export (PIV-style): put a vault key into several tokens, non-extractable, and write an encrypted escrow',
        ),
    ),
  )
    .argument('<id>', 'Unique Identifier of the vault key (generated off-token, in the vault)')
    .requiredOption('--out <file>', 'escrow file to write (encrypted under a passphrase)')
    .option('--to <label>', 'another token to import into (repeatable; PIN from $KEYHOLD_OTHER_TOKEN_PIN)', collect)
    .option('--name <name>', 'label on the tokens (default: the object’s Name)')
    .action(
      async (id: string, o: TokenCliOptions & VaultTokenOptions & { out: string; to?: string[]; name?: string }) =>
        withModules(async () => {
          const obj = await withVault(o, (v) => v.getObjectForUse(id, cliIdentity(), 'Export'));
          const label = o.name ?? objectName(obj) ?? id;
          const material = importMaterialOf(obj);
          const pass = await readPassphrase({}, 'Escrow passphrase: ', true, {
            variable: ESCROW_PASSPHRASE_ENV,
            file: undefined,
          });
          try {
            const { escrow, imported } = await provisionWithEscrow(
              resolveModules(o.module),
              [
                { selector: selectorOf(o), options: { pin: () => tokenPin() } },
                ...(o.to ?? []).map((l) => ({ selector: { label: l }, options: { pin: () => otherTokenPin() } })),
              ],
              material,
              { label },
              pass.toString('utf8'),
            );
            writeFileSync(o.out, JSON.stringify(escrow, null, 2) + '\n', { mode: 0o600 });
            process.stdout.write(imported.map(formatObject).join(''));
            process.stdout.write(
              `imported "${label}" into ${escrow.tokens.map((t) => `"${t.label}"`).join(', ')}; escrow written to ${o.out}\n`,
            );
          } finally {
            pass.fill(0);
            if (material.kind === 'secret') material.value.fill(0);
            else material.der.fill(0);
            if (obj.keyBlock?.keyMaterial instanceof Uint8Array) obj.keyBlock.keyMaterial.fill(0);
          }
        }),
    );

  withTokenOptions(
    token
      .command('escrow-restore')
      .description('Re-provision a (replacement) token from an escrow written by `keyhold token escrow`'),
  )
    .argument('<file>', 'escrow file')
    .action(async (file: string, o: TokenCliOptions) =>
      withModules(async () => {
        let escrow: EscrowFile;
        try {
          escrow = JSON.parse(readFileSync(file, 'utf8')) as EscrowFile;
        } catch (e) {
          throw new KeyholdError('format', `cannot read the escrow ${file}`, { cause: e });
        }
        const pass = await readPassphrase({}, 'Escrow passphrase: ', false, {
          variable: ESCROW_PASSPHRASE_ENV,
          file: undefined,
        });
        let material: ImportMaterial;
        try {
          material = await openEscrow(escrow, pass.toString('utf8'));
        } finally {
          pass.fill(0);
        }
        try {
          const made = await withTokenSession(resolveModules(o.module), selectorOf(o), { pin: () => tokenPin() }, (s) =>
            importKey(s, material, { label: escrow.label, extractable: false }),
          );
          process.stdout.write(made.map(formatObject).join(''));
        } finally {
          if (material.kind === 'secret') material.value.fill(0);
          else material.der.fill(0);
        }
      }),
    );

  withTokenOptions(
    token.command('copy').description('Copy an extractable key to another token of the same key domain, wrapped'),
  )
    .requiredOption('--to <label>', 'label of the destination token')
    .requiredOption('--name <name>', 'label of the key to copy')
    .option('--kek <label>', 'label of the shared key-encryption key', DEFAULT_KEK_LABEL)
    .action(async (o: TokenCliOptions & { to: string; name: string; kek: string }) =>
      withModules(async () => {
        const copied = await copyKeysBetweenTokens(
          resolveModules(o.module),
          { selector: selectorOf(o), options: { pin: () => tokenPin() } },
          { selector: { label: o.to }, options: { pin: () => otherTokenPin() } },
          { label: o.name },
          o.kek,
        );
        process.stdout.write(`copied ${copied.map((c) => `"${c}"`).join(', ')} to token "${o.to}"\n`);
      }),
    );

  withTokenOptions(
    token
      .command('change-pin')
      .description(`Change the user PIN (old from $${TOKEN_PIN_ENV}, new from $${NEW_TOKEN_PIN_ENV}, else prompts)`),
  ).action(async (o: TokenCliOptions) =>
    withModules(async () => {
      const oldPin = await tokenPin('Current PIN: ');
      const newPin = await tokenPin('New PIN: ', NEW_TOKEN_PIN_ENV);
      await changePin(resolveModules(o.module), selectorOf(o), oldPin, newPin);
      process.stdout.write('PIN changed\n');
    }),
  );

  token
    .command('tpm')
    .description('Detect the TPM')
    .option('--tcti <tcti>', 'TPM to ask (default $KEYHOLD_TCTI, else /dev/tpmrm0)')
    .option('--json', 'print JSON')
    .action(async (o: { tcti?: string; json?: boolean }) => {
      const info = await detectTpm(o.tcti);
      if (info === undefined) throw new KeyholdError('tpm', `no TPM answered at ${resolveTcti(o.tcti)}`);
      process.stdout.write(
        o.json
          ? `${JSON.stringify(info, null, 2)}\n`
          : `TPM ${info.family} by ${info.manufacturer}, firmware ${info.firmware}, via ${info.tcti}\n`,
      );
    });
}

/**
 * `keyhold vault slots add-tpm` and `add-token`, for the `vault slots` group (main/cli/commands/vault.ts
 * calls this with its `slots` command).
 */
export function registerHardwareSlotCommands(slots: Command): void {
  registerHardwareSlotProviders();
  withVaultOptions(slots.command('add-tpm').description('Add an unlock method: a key sealed to this machine’s TPM'))
    .option('--pcrs <list>', 'bind to these PCRs (sha256 bank), e.g. 7 or 0,7')
    .option('--pin', `also require a PIN ($${TPM_PIN_ENV}, else a prompt)`)
    .option('--label <text>', 'label of the new slot', 'tpm')
    .action(async (o: VaultCliOptions & { pcrs?: string; pin?: boolean; tcti?: string; label: string }) => {
      const pcrs =
        o.pcrs === undefined
          ? []
          : o.pcrs.split(',').map((x) => {
              const n = Number(x.trim());
              if (!Number.isInteger(n) || n < 0 || n > 23)
                throw new KeyholdError('invalid-argument', '--pcrs takes PCR numbers 0..23, e.g. 7 or 0,7');
              return n;
            });
      const pin = o.pin ? await tokenPin('New TPM PIN: ', TPM_PIN_ENV) : undefined;
      const v = await openVault(o);
      try {
        const slot = await v.addSlot(
          { kind: 'tpm', credential: { tcti: resolveTcti(o.tcti), pcrs, ...(pin !== undefined ? { pin } : {}) } },
          { label: o.label, identity: cliIdentity(), onProgress: progress },
        );
        process.stdout.write(
          `added key slot ${slot.id} (TPM${pcrs.length > 0 ? `, PCR ${pcrs.join(',')}` : ''}${pin !== undefined ? ', PIN' : ''})\n`,
        );
      } finally {
        await v.lock();
      }
    });
  withTokenOptions(
    withVaultOptions(
      slots
        .command('add-token')
        .description('Add an unlock method: a key on a PKCS#11 token (PIN from $KEYHOLD_TOKEN_PIN)'),
    ),
  )
    .option('--key <label>', 'use this existing key on the token (default: generate one)')
    .option('--slot-label <text>', 'label of the new key slot', 'token')
    .action(async (o: VaultCliOptions & TokenCliOptions & { key?: string; slotLabel: string }) =>
      withModules(async () => {
        const pin = await tokenPin();
        const v = await openVault(o);
        try {
          const slot = await v.addSlot(
            {
              kind: 'pkcs11',
              credential: {
                modules: o.module,
                selector: selectorOf(o),
                pin,
                ...(o.key !== undefined ? { keyLabel: o.key } : {}),
              },
            },
            { label: o.slotLabel, identity: cliIdentity(), onProgress: progress },
          );
          process.stdout.write(`added key slot ${slot.id} (token "${String(slot.params['tokenLabel'])}")\n`);
        } finally {
          await v.lock();
        }
      }),
    );
}
