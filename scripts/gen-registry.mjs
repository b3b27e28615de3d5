#!/usr/bin/env node
// Generates main/kmip/registry/*.generated.ts from the KMIP 1.4 and 2.1 specifications
// (../shared/kmip/spec). Run: `node scripts/gen-registry.mjs` (writes) or
// `node scripts/gen-registry.mjs --check` (exit 1 if the committed files differ).
//
// Version information: the specs in ../shared are 1.4 and 2.1. An entry listed in the 1.4 table
// gets since "1.x" (its first 1.x minor version is not recorded: the 1.4 tables do not say);
// an entry only in the 2.1 table gets since "2.x" (2.0 or 2.1, not told apart); an entry in the
// 1.4 table but not (or only as Reserved) in the 2.1 table gets removed "2.x".
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { normalizeName, readSpecs } from './kmip-spec-tables.mjs';

/**
 * KMIP 2.1 sections 11.38 and 11.39 define the PKCS#11 Function and Return Code enumerations by
 * reference to PKCS#11 instead of a table: functions are the 1-based position in
 * CK_FUNCTION_LIST_3_0, return codes the CK_RV values. The PKCS#11 headers shipped with pkcs11js
 * (a dependency of graphene-pk11) give the 2.x functions in order and the CKR_ values; the 3.0
 * functions follow C_WaitForSlotEvent in CK_FUNCTION_LIST_3_0, in this order (PKCS#11 3.0, 5.2).
 */
const pkcs11v3Functions = [
  'C_GetInterfaceList',
  'C_GetInterface',
  'C_LoginUser',
  'C_SessionCancel',
  'C_MessageEncryptInit',
  'C_EncryptMessage',
  'C_EncryptMessageBegin',
  'C_EncryptMessageNext',
  'C_MessageEncryptFinal',
  'C_MessageDecryptInit',
  'C_DecryptMessage',
  'C_DecryptMessageBegin',
  'C_DecryptMessageNext',
  'C_MessageDecryptFinal',
  'C_MessageSignInit',
  'C_SignMessage',
  'C_SignMessageBegin',
  'C_SignMessageNext',
  'C_MessageSignFinal',
  'C_MessageVerifyInit',
  'C_VerifyMessage',
  'C_VerifyMessageBegin',
  'C_VerifyMessageNext',
  'C_MessageVerifyFinal',
];

function pkcs11Enumerations(repoDir) {
  const dir = path.join(repoDir, 'node_modules/pkcs11js/includes/pkcs11');
  const f = readFileSync(path.join(dir, 'pkcs11f.h'), 'utf8');
  const t = readFileSync(path.join(dir, 'pkcs11t.h'), 'utf8');
  const functions = [...f.matchAll(/CK_PKCS11_FUNCTION_INFO\((C_\w+)\)/g)].map((m) => m[1]);
  if (functions[0] !== 'C_Initialize' || functions.at(-1) !== 'C_WaitForSlotEvent') {
    throw new Error('unexpected pkcs11f.h function list');
  }
  const returnCodes = [...t.matchAll(/#define CKR_(\w+)\s+0x([0-9A-Fa-f]+)UL/g)].map((m) => ({
    name: m[1],
    value: parseInt(m[2], 16),
  }));
  return {
    'PKCS#11 Function': [...functions, ...pkcs11v3Functions].map((name, i) => ({ name, value: i + 1 })),
    'PKCS#11 Return Code': returnCodes,
  };
}

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const specDir = path.resolve(repo, '../shared/kmip/spec');
const outDir = path.join(repo, 'main/kmip/registry');

/**
 * Tags whose values come from an enumeration of another name (the spec says so in the tag's
 * definition, not in a table). Everything else uses the enumeration of its own name.
 */
const enumerationOfTag = {
  'Mask Generator Hashing Algorithm': 'Hashing Algorithm',
  'Attribute Reference': 'Tag',
  'Batch Error Continuation Option': 'Batch Error Continuation Option',
};

/**
 * Names the 2.1 tables spell differently from every implementation and from the OASIS test
 * cases; the spec's spelling is kept as an alias.
 */
const preferredValueName = {
  'Mask Generator': { MFG1: 'MGF1' },
};

function sinceOf(in14, in21) {
  return in14 ? '1.x' : in21 ? '2.x' : undefined;
}

/** Merges the 1.4 and 2.1 lists of { name, value, note } into registry entries. */
function mergeValues(list14 = [], list21 = [], preferred = {}) {
  const byValue = new Map();
  for (const [version, list] of [
    ['1.4', list14],
    ['2.1', list21],
  ]) {
    for (const { name, value, note } of list) {
      let e = byValue.get(value);
      if (!e) byValue.set(value, (e = { value, names: {}, notes: {} }));
      e.names[version] = name;
      if (note) e.notes[version] = note;
    }
  }
  return [...byValue.values()]
    .sort((a, b) => a.value - b.value)
    .map((e) => {
      const in14 = e.names['1.4'] !== undefined;
      const in21 = e.names['2.1'] !== undefined;
      let name = e.names['2.1'] ?? e.names['1.4'];
      const aliases = [];
      if (preferred[name]) {
        aliases.push(name);
        name = preferred[name];
      }
      const out = { value: e.value, name, normalized: normalizeName(name), since: sinceOf(in14, in21) };
      if (in14 && !in21) out.removed = '2.x';
      if (in14 && normalizeName(e.names['1.4']) !== out.normalized) {
        out.name1x = e.names['1.4'];
        out.normalized1x = normalizeName(e.names['1.4']);
      }
      for (const a of aliases) if (normalizeName(a) !== out.normalized) (out.aliases ??= []).push(normalizeName(a));
      const note = e.notes['2.1'] ?? e.notes['1.4'];
      if (note) out.note = note;
      return out;
    });
}

function mergeSets(m14, m21) {
  const names = [...new Set([...m14.keys(), ...m21.keys()])].sort((a, b) =>
    normalizeName(a).localeCompare(normalizeName(b)),
  );
  return names.map((name) => ({
    name,
    normalized: normalizeName(name),
    since: sinceOf(m14.has(name), m21.has(name)),
    ...(m14.has(name) && !m21.has(name) ? { removed: '2.x' } : {}),
    values: mergeValues(m14.get(name), m21.get(name), preferredValueName[name]),
  }));
}

function ts(value) {
  return JSON.stringify(value, null, 0).replace(/"([A-Za-z_][A-Za-z0-9_]*)":/g, '$1:');
}

function hex(n, width) {
  return '0x' + n.toString(16).toUpperCase().padStart(width, '0');
}

const header = (what) =>
  `// GENERATED by scripts/gen-registry.mjs from ../shared/kmip/spec (KMIP 1.4 and 2.1): ${what}.\n` +
  `// Do not edit: change the generator and run \`node scripts/gen-registry.mjs\`.\n`;

export function generate() {
  const specs = readSpecs(specDir);
  const s14 = specs['1.4'];
  const s21 = specs['2.1'];

  // Tags.
  const tags = mergeValues(s14.tags, s21.tags);
  const typesOf = (name) => {
    const set = new Set([...(s14.types.get(name) ?? []), ...(s21.types.get(name) ?? [])]);
    return [...set].sort();
  };
  const enums21 = new Map(s21.enumerations);
  for (const [name, values] of Object.entries(pkcs11Enumerations(repo))) {
    if (enums21.has(name)) throw new Error(`the 2.1 spec now has a ${name} table: drop the PKCS#11 header source`);
    enums21.set(name, values);
  }
  const enumerations = mergeSets(s14.enumerations, enums21);
  const masks = mergeSets(s14.masks, s21.masks);
  const enumByName = new Map(enumerations.map((e) => [e.name, e]));
  const maskByName = new Map(masks.map((m) => [m.name, m]));

  const tagLines = tags.map((t) => {
    const names = [t.name1x, t.name].filter((n) => n !== undefined);
    const types = [...new Set(names.flatMap(typesOf))].sort();
    const entry = { tag: hex(t.value, 6), name: t.name, normalized: t.normalized };
    if (t.name1x) Object.assign(entry, { name1x: t.name1x, normalized1x: t.normalized1x });
    if (types.length) entry.types = types;
    entry.since = t.since;
    if (t.removed) entry.removed = t.removed;
    if (t.note) entry.note = t.note;
    const enumName = enumerationOfTag[t.name] ?? (enumByName.has(t.name) ? t.name : undefined);
    if (enumName) entry.enumeration = normalizeName(enumName);
    if (maskByName.has(t.name)) entry.mask = normalizeName(t.name);
    return '  ' + ts(entry).replace(/"(0x[0-9A-F]+)"/, '$1') + ',';
  });
  const tagConst = tags.map((t) => `  ${t.normalized}: ${hex(t.value, 6)},`);
  for (const t of tags) if (t.normalized1x) tagConst.push(`  ${t.normalized1x}: ${hex(t.value, 6)},`);

  const tagsFile =
    header('tags (1.4 section 9.1.3.1, 2.1 section 11.56), with item types from the object tables') +
    `import type { TagDefinition } from './types.js';\n\n` +
    `export const tagDefinitions: readonly TagDefinition[] = [\n${tagLines.join('\n')}\n];\n\n` +
    `/** Every tag by its normalized name (both names where 1.x and 2.x differ). */\n` +
    `export const Tag = {\n${tagConst.join('\n')}\n} as const;\n`;

  const setLines = (sets) =>
    sets
      .map((e) => {
        const head = { name: e.name, normalized: e.normalized, since: e.since };
        if (e.removed) head.removed = e.removed;
        const values = e.values.map(
          (v) => '      ' + ts({ ...v, value: hex(v.value, 8) }).replace(/"(0x[0-9A-F]+)"/, '$1') + ',',
        );
        return `  {\n    ${ts(head).slice(1, -1)},\n    values: [\n${values.join('\n')}\n    ],\n  },`;
      })
      .join('\n');

  // The same values as typed constants (EnumerationValues.Operation.Create has the literal type 1),
  // normalized 2.x names only: one name a value, so `keyof typeof` lists each value once.
  const valueConsts = enumerations
    .filter((e) => e.name !== 'Tag')
    .map((e) => {
      const seen = new Set();
      const fields = e.values
        .filter((v) => !seen.has(v.normalized) && seen.add(v.normalized))
        .map((v) => `${v.normalized}: ${hex(v.value, 8)}`);
      return `  ${e.normalized}: { ${fields.join(', ')} },`;
    });
  const enumConsts =
    `\n/** Each enumeration's values by normalized name, as literal types: EnumerationValues.Operation.Create. */\n` +
    `export const EnumerationValues = {\n${valueConsts.join('\n')}\n} as const;\n`;

  const enumFile =
    header('enumerations (1.4 section 9.1.3.2, 2.1 section 11; the Tag enumeration is the tag table)') +
    `import type { ValueSetDefinition } from './types.js';\n\n` +
    `export const enumerationDefinitions: readonly ValueSetDefinition[] = [\n${setLines(
      enumerations.filter((e) => e.name !== 'Tag'),
    )}\n];\n` +
    enumConsts;
  const maskFile =
    header('bit masks (1.4 section 9.1.3.3, 2.1 section 12)') +
    `import type { ValueSetDefinition } from './types.js';\n\n` +
    `export const maskDefinitions: readonly ValueSetDefinition[] = [\n${setLines(masks)}\n];\n`;

  return {
    'tags.generated.ts': tagsFile,
    'enumerations.generated.ts': enumFile,
    'masks.generated.ts': maskFile,
  };
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const check = process.argv.includes('--check');
  let stale = 0;
  for (const [file, text] of Object.entries(generate())) {
    const target = path.join(outDir, file);
    if (check) {
      let old = '';
      try {
        old = readFileSync(target, 'utf8');
      } catch {
        /* missing counts as stale */
      }
      if (old !== text) {
        console.error(`stale: ${path.relative(repo, target)}`);
        stale++;
      }
    } else {
      writeFileSync(target, text);
      console.log(`wrote ${path.relative(repo, target)}`);
    }
  }
  if (stale) process.exit(1);
}
