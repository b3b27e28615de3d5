import type { Command } from 'commander';
import {
  STORAGE_ARCHIVED,
  STORAGE_DESTROYED,
  STORAGE_ONLINE,
  type Attributes,
  type AttributeValue,
  type ManagedObject,
} from '../../vault/index.js';
import { withVault, withVaultOptions, type VaultCliOptions } from '../vault-options.js';
import { positiveInt } from './vault.js';

interface ListOptions extends VaultCliOptions {
  json?: boolean;
  type?: string;
  name?: string;
  state?: string;
  group?: string;
  max?: string;
  offset?: string;
  all?: boolean;
}

/** `keyhold object list|show`: a first look inside the vault (metadata only, never key material). */
export function registerObject(program: Command): void {
  const object = program.command('object').description('List and show managed objects (metadata only)');

  withVaultOptions(object.command('list').description('List objects, most recently created first'))
    .option('--json', 'print JSON')
    .option('--type <ObjectType>', 'only this Object Type (e.g. SymmetricKey)')
    .option('--name <pattern>', 'only names matching (wildcards * and ?)')
    .option('--state <State>', 'only this State (e.g. Active)')
    .option('--group <name>', 'only this Object Group')
    .option('--max <n>', 'at most n objects', '1000')
    .option('--offset <n>', 'skip the first n')
    .option('--all', 'include archived and destroyed objects')
    .action(async (options: ListOptions) => {
      const attributes: Attributes = {};
      if (options.type) attributes['ObjectType'] = [options.type];
      if (options.name) attributes['Name'] = [{ NameValue: options.name }];
      if (options.state) attributes['State'] = [options.state];
      if (options.group) attributes['ObjectGroup'] = [options.group];
      const rows = await withVault(options, async (v) => {
        const found = await v.locate({
          attributes,
          maximumItems: positiveInt('--max', options.max ?? '1000'),
          offsetItems: options.offset === undefined ? 0 : positiveInt('--offset', options.offset),
          storageStatusMask: options.all ? STORAGE_ONLINE | STORAGE_ARCHIVED | STORAGE_DESTROYED : STORAGE_ONLINE,
        });
        const out: ManagedObject[] = [];
        for (const uid of found.uniqueIdentifiers) out.push(await v.getObject(uid));
        return out.map(summary);
      });
      if (options.json) process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
      else
        for (const r of rows)
          process.stdout.write(
            `${r.uniqueIdentifier}  ${r.objectType.padEnd(12)}  ${r.state.padEnd(11)}  ${r.names.join(', ')}\n`,
          );
    });

  withVaultOptions(
    object.command('show').argument('<uid>', 'Unique Identifier').description("Show an object's attributes"),
  )
    .option('--json', 'print JSON')
    .action(async (uid: string, options: VaultCliOptions & { json?: boolean }) => {
      const o = await withVault(options, (v) => v.getObject(uid));
      const shown = {
        uniqueIdentifier: o.uniqueIdentifier,
        objectType: o.objectType,
        owner: o.owner,
        attributes: plain(o.attributes),
      };
      if (options.json) {
        process.stdout.write(`${JSON.stringify(shown, null, 2)}\n`);
        return;
      }
      process.stdout.write(`UniqueIdentifier: ${o.uniqueIdentifier}\nObjectType: ${o.objectType}\nOwner: ${o.owner}\n`);
      for (const [name, values] of Object.entries(shown.attributes)) {
        values.forEach((v, i) =>
          process.stdout.write(
            `${name}${values.length > 1 ? `[${i}]` : ''}: ${typeof v === 'string' ? v : JSON.stringify(v)}\n`,
          ),
        );
      }
    });
}

interface Summary {
  uniqueIdentifier: string;
  objectType: string;
  state: string;
  names: string[];
  cryptographicAlgorithm?: string;
  cryptographicLength?: number;
  initialDate?: string;
  owner: string;
}

function summary(o: ManagedObject): Summary {
  const a = o.attributes;
  const s: Summary = {
    uniqueIdentifier: o.uniqueIdentifier,
    objectType: o.objectType,
    state: String(a['State']?.[0] ?? ''),
    names: (a['Name'] ?? []).map((n) =>
      typeof n === 'object' && n !== null && 'NameValue' in n ? String(n['NameValue']) : String(n),
    ),
    owner: o.owner,
  };
  const alg = a['CryptographicAlgorithm']?.[0];
  const len = a['CryptographicLength']?.[0];
  const initial = a['InitialDate']?.[0];
  if (typeof alg === 'string') s.cryptographicAlgorithm = alg;
  if (typeof len === 'number') s.cryptographicLength = len;
  if (initial instanceof Date) s.initialDate = initial.toISOString();
  return s;
}

type Plain = string | number | boolean | null | Plain[] | { [k: string]: Plain };

/** Attribute values for display: dates ISO 8601, bytes hex, big integers decimal. */
function plain(attributes: Attributes): Record<string, Plain[]> {
  const out: Record<string, Plain[]> = {};
  for (const [k, vs] of Object.entries(attributes)) out[k] = vs.map(toPlain);
  return out;
}

function toPlain(v: AttributeValue): Plain {
  if (v instanceof Date) return v.toISOString();
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
  if (typeof v === 'bigint') return v.toString();
  if (Array.isArray(v)) return v.map(toPlain);
  if (typeof v === 'object') {
    const o: { [k: string]: Plain } = {};
    for (const [k, f] of Object.entries(v)) o[k] = toPlain(f);
    return o;
  }
  return v;
}
