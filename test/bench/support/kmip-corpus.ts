import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TtlvItem } from '../../../main/kmip/index.js';
import { writeKmipJson } from '../../../main/kmip/json/index.js';
import { parseKmipXml, samplePlaceholders } from '../../../main/kmip/xml/index.js';

/**
 * The OASIS KMIP test-case corpus (../shared/kmip/testcases, 1.4 and 2.1) as TTLV items, read
 * with the KMIP XML parser (placeholders such as $NOW get sample values), each with the same
 * message in the KMIP JSON encoding. For the codec fuzz test and benchmark.
 */
export interface CorpusMessage {
  file: string;
  item: TtlvItem;
  /** The same message in the KMIP JSON encoding (Additional Message Encodings 1.0 section 4.1.6). */
  json: string;
}

export function repoRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error('package.json not found above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
  return dir;
}

export function testCaseDir(): string {
  return path.resolve(repoRoot(), '../shared/kmip/testcases');
}

export function testCaseFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.xml')) out.push(full);
    }
  };
  walk(testCaseDir());
  return out;
}

/** Every Request and Response Message of every test-case file, in file order. */
export function loadCorpus(): CorpusMessage[] {
  const out: CorpusMessage[] = [];
  for (const file of testCaseFiles()) {
    const items = parseKmipXml(readFileSync(file, 'utf8'), { placeholders: samplePlaceholders() });
    for (const item of items) {
      out.push({ file: path.relative(testCaseDir(), file), item, json: writeKmipJson(item) });
    }
  }
  return out;
}
