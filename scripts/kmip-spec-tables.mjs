// Reads the defined-value tables out of the KMIP specifications' HTML (OASIS, Word-exported):
// tags (1.4 section 9.1.3.1, 2.1 section 11.56), enumerations (1.4 9.1.3.2.x, 2.1 11.x),
// bit masks (1.4 9.1.3.3.x, 2.1 12.x), and the item types stated in the "Encoding" columns of
// the object tables. Used by gen-registry.mjs and by the registry test, so a drift between the
// spec and the generated registry fails CI. Plain Node, no build step.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'node-html-parser';

/** The spec files, relative to the repository's sibling folder ../shared/kmip/spec. */
export const specFiles = {
  1.4: 'kmip-spec-v1.4-os.html',
  2.1: 'kmip-spec-v2.1-os.html',
};

/** Where each spec keeps its defined values (section number prefixes). */
const layout = {
  1.4: { tags: /^9\.1\.3\.1 /, enumeration: /^9\.1\.3\.2\.\d+ /, mask: /^9\.1\.3\.3\.\d+ / },
  2.1: { tags: /^11\.56 /, enumeration: /^11\.\d+ /, mask: /^12\.\d+ / },
};

const itemTypes = new Map([
  ['Structure', 'Structure'],
  ['Integer', 'Integer'],
  ['Long Integer', 'LongInteger'],
  ['Big Integer', 'BigInteger'],
  ['Enumeration', 'Enumeration'],
  ['Boolean', 'Boolean'],
  ['Text String', 'TextString'],
  ['Byte String', 'ByteString'],
  ['Date-Time', 'DateTime'],
  ['Date Time', 'DateTime'],
  ['Interval', 'Interval'],
  ['Date-Time Extended', 'DateTimeExtended'],
  ['Date Time Extended', 'DateTimeExtended'],
]);

/**
 * KMIP name normalization, Additional Message Encodings 1.0 section 4.1.3 / 6.1.3 (the spec's
 * six rules, in order).
 */
export function normalizeName(text) {
  const noBrackets = text.replace(/[()]/g, ' ');
  const nonWordToSpace = noBrackets.replace(/\W([A-Za-z][a-z])/g, ' $1');
  const words = nonWordToSpace
    .split(/\s+/)
    .filter((w) => w.length > 0)
    .map((w) => w.replace(/\W/g, '_'));
  if (words.length === 0) return '';
  words[0] = words[0].replace(/^(\d+)(.*)$/, '$2$1');
  return words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');
}

function cellText(td) {
  return td.text
    .replace(/&nbsp;/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#(\d+);/g, (_, n) => String.fromCharCode(Number(n)))
    .replace(/[\u00a0\s]+/g, ' ')
    .trim();
}

/** Every table of a spec with the heading it sits under, in document order. */
export function specTables(html) {
  const root = parse(html);
  const out = [];
  let heading = '';
  const walk = (node) => {
    for (const child of node.childNodes) {
      if (child.nodeType !== 1) continue;
      if (/^H[1-6]$/.test(child.tagName)) heading = cellText(child);
      else if (child.tagName === 'TABLE') {
        const rows = child.querySelectorAll('tr').map((tr) => tr.querySelectorAll('td,th').map(cellText));
        out.push({ heading, rows });
      } else walk(child);
    }
  };
  walk(root);
  return out;
}

/**
 * A "Name | Value" table's rows after its header: [{ name, value, deprecated }]. Skips (Unused),
 * (Reserved) and Extensions rows (8XXXXXXX, XXX00000): they define ranges, not values.
 */
function nameValueRows(rows, headerPattern) {
  const start = rows.findIndex((r) => r.length === 2 && headerPattern.test(r[0]) && /Value$/.test(r[1]));
  if (start < 0) return undefined;
  const out = [];
  for (const row of rows.slice(start + 1)) {
    if (row.length !== 2) continue;
    const [name, rawValue] = row;
    if (/^\((Unused|Reserved)\)$/i.test(name) || /^Extensions?$/i.test(name)) continue;
    const m = /^(?:0x)?([0-9A-Fa-f]{6,8})\s*(?:\((.*)\))?$/.exec(rawValue);
    if (!m) throw new Error(`unreadable value ${JSON.stringify(rawValue)} for ${JSON.stringify(name)}`);
    out.push({ name, value: parseInt(m[1], 16), note: m[2] });
  }
  return out;
}

/** The section title without its number and the trailing word "Enumeration". */
function titleOf(heading) {
  return heading
    .replace(/^[\d.]+\s+/, '')
    .replace(/\s+Enumeration$/, '')
    .trim();
}

/** Reads one spec: { tags, enumerations, masks, types } with names as the spec writes them. */
export function readSpec(html, version) {
  const where = layout[version];
  const tables = specTables(html);
  let tags;
  const enumerations = new Map();
  const masks = new Map();
  const types = new Map();
  for (const { heading, rows } of tables) {
    if (where.tags.test(heading)) {
      const t = nameValueRows(rows, /^(Object|Name)$/);
      if (t) tags = t;
      continue;
    }
    if (where.enumeration.test(heading) || where.mask.test(heading)) {
      const values = nameValueRows(rows, /^Name$/);
      if (!values) continue;
      const target = where.mask.test(heading) ? masks : enumerations;
      const title = titleOf(heading);
      if (target.has(title)) throw new Error(`two value tables under ${heading}`);
      target.set(title, values);
      continue;
    }
    // Object tables: "Object | Encoding | ..." or "Item | Encoding | ...".
    const header = rows.findIndex((r) => r.length >= 2 && /^(Object|Item)$/.test(r[0]) && r[1] === 'Encoding');
    if (header < 0) continue;
    for (const row of rows.slice(header + 1)) {
      const type = itemTypes.get(row[1]);
      if (row.length < 2 || type === undefined) continue;
      const name = row[0].replace(/,?\s*see .*$/i, '').trim();
      if (!types.has(name)) types.set(name, new Set());
      types.get(name).add(type);
    }
  }
  if (!tags) throw new Error(`no tag table found in the ${version} spec`);
  return { version, tags, enumerations, masks, types };
}

/** Both specs, read from `specDir` (normally <repo>/../shared/kmip/spec). */
export function readSpecs(specDir) {
  const out = {};
  for (const [version, file] of Object.entries(specFiles)) {
    const html = new TextDecoder('windows-1252').decode(readFileSync(path.join(specDir, file)));
    out[version] = readSpec(html, version);
  }
  return out;
}
