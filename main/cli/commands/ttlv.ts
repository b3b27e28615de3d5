/**
 * `keyhold ttlv`: decode and encode KMIP messages between TTLV bytes (as hex, or raw) and the
 * KMIP XML and JSON encodings.
 *
 *   keyhold ttlv decode [--format xml|json|tree] [--raw] [HEX | -]
 *   keyhold ttlv encode --from xml|json [--raw] [--sample-placeholders] [FILE | -]
 */
import { readFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import { KeyholdError } from '../../../shared/errors.js';
import { parseKmipJson, writeKmipJson } from '../../kmip/json/index.js';
import { tagName } from '../../kmip/registry/index.js';
import { decodeTtlv, encodeTtlv, ItemType, type TtlvItem } from '../../kmip/ttlv/index.js';
import { itemValueText, parseKmipXml, samplePlaceholders, writeKmipXml } from '../../kmip/xml/index.js';

interface DecodeFlags {
  format: 'xml' | 'json' | 'tree';
  raw?: boolean;
}

interface EncodeFlags {
  from: 'xml' | 'json';
  raw?: boolean;
  samplePlaceholders?: boolean;
}

const typeLabels: Record<ItemType, string> = {
  [ItemType.Structure]: 'Structure',
  [ItemType.Integer]: 'Integer',
  [ItemType.LongInteger]: 'Long Integer',
  [ItemType.BigInteger]: 'Big Integer',
  [ItemType.Enumeration]: 'Enumeration',
  [ItemType.Boolean]: 'Boolean',
  [ItemType.TextString]: 'Text String',
  [ItemType.ByteString]: 'Byte String',
  [ItemType.DateTime]: 'Date-Time',
  [ItemType.Interval]: 'Interval',
  [ItemType.DateTimeExtended]: 'Date-Time Extended',
};

export function registerTtlv(program: Command): void {
  const ttlv = program.command('ttlv').description('Decode and encode KMIP TTLV messages (hex, XML, JSON)');

  ttlv
    .command('decode')
    .description('decode a TTLV message given as hex and print it as KMIP XML, KMIP JSON or a tree')
    .argument('[hex]', 'the message as hex (spaces and newlines allowed); "-" or nothing reads hex from stdin')
    .addOption(new Option('--format <format>', 'output encoding').choices(['xml', 'json', 'tree']).default('xml'))
    .option('--raw', 'read raw TTLV bytes from stdin instead of hex')
    .action(async (hex: string | undefined, flags: DecodeFlags) => {
      let bytes: Uint8Array;
      if (flags.raw) {
        if (hex !== undefined && hex !== '-') {
          throw new KeyholdError('invalid-argument', '--raw reads bytes from stdin; give no HEX argument (or "-").');
        }
        bytes = await readStdin();
      } else {
        bytes = parseHexInput(hex === undefined || hex === '-' ? (await readStdin()).toString('utf8') : hex);
      }
      if (bytes.length === 0) throw new KeyholdError('invalid-argument', 'no TTLV input: the message is empty.');
      const item = decodeTtlv(bytes);
      process.stdout.write(formatItem(item, flags.format));
    });

  ttlv
    .command('encode')
    .description('encode a KMIP XML or JSON message (or a <KMIP> file of several) as TTLV, printed as hex')
    .argument('[file]', 'the input file; "-" or nothing reads stdin')
    .addOption(new Option('--from <encoding>', 'input encoding').choices(['xml', 'json']).makeOptionMandatory())
    .option('--raw', 'write raw TTLV bytes instead of hex')
    .option(
      '--sample-placeholders',
      'replace OASIS test-case placeholders ($NOW, $DATA_1, ...) with sample values instead of failing',
    )
    .action(async (file: string | undefined, flags: EncodeFlags) => {
      const text =
        file === undefined || file === '-' ? (await readStdin()).toString('utf8') : await readInputFile(file);
      const options = flags.samplePlaceholders ? { placeholders: samplePlaceholders() } : {};
      const items = flags.from === 'xml' ? parseKmipXml(text, options) : parseKmipJson(text, options);
      if (items.length === 0) throw new KeyholdError('invalid-argument', `no message in the ${flags.from} input.`);
      const encoded = items.map((item) => encodeTtlv(item));
      if (flags.raw) process.stdout.write(Buffer.concat(encoded));
      else process.stdout.write(encoded.map((b) => Buffer.from(b).toString('hex')).join('\n') + '\n');
    });
}

/** An item in the chosen output encoding, ending with a newline. */
export function formatItem(item: TtlvItem, format: 'xml' | 'json' | 'tree'): string {
  switch (format) {
    case 'xml':
      return writeKmipXml(item);
    case 'json':
      return writeKmipJson(item, { space: 2 }) + '\n';
    case 'tree':
      return formatTree(item);
  }
}

/** An indented tree: one line per item, "Name (Type): value". */
export function formatTree(item: TtlvItem): string {
  const out: string[] = [];
  const walk = (i: TtlvItem, depth: number, attributeName: string | undefined): void => {
    const pad = '  '.repeat(depth);
    const name = tagName(i.tag);
    if (i.type === ItemType.Structure) {
      out.push(`${pad}${name} (Structure)`);
      let sibling: string | undefined;
      for (const child of i.value) {
        walk(child, depth + 1, sibling);
        if (child.type === ItemType.TextString && tagName(child.tag) === 'AttributeName') sibling = child.value;
      }
      return;
    }
    out.push(`${pad}${name} (${typeLabels[i.type]}): ${itemValueText(i, attributeName, 2)}`);
  };
  walk(item, 0, undefined);
  return out.join('\n') + '\n';
}

/** Hex with optional whitespace (and an optional 0x prefix) -> bytes; names the first bad character. */
export function parseHexInput(text: string): Uint8Array {
  let hex = text.trim();
  if (hex.startsWith('0x') || hex.startsWith('0X')) hex = hex.slice(2);
  const compact = hex.replace(/\s+/g, '');
  const bad = /[^0-9A-Fa-f]/.exec(compact);
  if (bad !== null) {
    throw new KeyholdError(
      'invalid-argument',
      `hex input: "${bad[0]}" at hex digit ${bad.index} is not a hex digit (byte offset ${bad.index >> 1})`,
    );
  }
  if (compact.length % 2 !== 0) {
    throw new KeyholdError('invalid-argument', `hex input: odd number of hex digits (${compact.length})`);
  }
  return Buffer.from(compact, 'hex');
}

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks);
}

async function readInputFile(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    throw new KeyholdError('io', `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`, { cause: e });
  }
}
