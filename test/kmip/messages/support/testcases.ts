import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseKmipXml, samplePlaceholders } from '../../../../main/kmip/xml/index.js';
import type { TtlvItem } from '../../../../main/kmip/index.js';
import { testCaseDir, testCaseFiles } from '../../../bench/support/kmip-corpus.js';

/** Every message of the OASIS test cases (../shared/kmip/testcases), read with the KMIP XML parser. */
export interface TestCaseMessage {
  file: string;
  index: number;
  item: TtlvItem;
}

let cache: TestCaseMessage[] | undefined;

export function testCaseMessages(): TestCaseMessage[] {
  if (cache) return cache;
  cache = [];
  for (const file of testCaseFiles()) {
    const items = parseKmipXml(readFileSync(file, 'utf8'), { placeholders: samplePlaceholders() });
    items.forEach((item, index) => cache!.push({ file: path.relative(testCaseDir(), file), index, item }));
  }
  return cache;
}

export function testCaseFile(relative: string): TtlvItem[] {
  return testCaseMessages()
    .filter((m) => m.file === relative)
    .map((m) => m.item);
}
