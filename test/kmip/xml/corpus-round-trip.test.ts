// Round trip over every message of every OASIS test-case file (../shared/kmip/testcases, 1.4 and
// 2.1, mandatory and optional): XML -> items -> XML, XML -> TTLV bytes -> items -> XML, and
// XML -> JSON -> items -> TTLV bytes, comparing the items in full each time.
//
// Placeholders: Text String ones ($UNIQUE_IDENTIFIER_n) stay literal text all the way through.
// Date-Time ($NOW, $NOW-3600) and Byte String ($DATA_n, $IV_COUNTER_NONCE, ...) ones are
// substituted with sample values (samplePlaceholders) before the round trip; in "keep" mode the
// XML and JSON writers put the placeholder text back, which is checked too.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeTtlv, encodeTtlv, ItemType, type TtlvItem } from '../../../main/kmip/ttlv/index.js';
import { parseKmipJson, writeKmipJson } from '../../../main/kmip/json/index.js';
import { parseKmipXml, samplePlaceholders, writeKmipXml, type PlaceholderMap } from '../../../main/kmip/xml/index.js';
import { testCaseDir, testCaseFiles } from '../../bench/support/kmip-corpus.js';

/** A full, comparable text form of an item: bytes as hex, bigints marked. */
export function canon(item: TtlvItem): string {
  const walk = (i: TtlvItem): unknown => {
    switch (i.type) {
      case ItemType.Structure:
        return [i.tag, i.type, i.value.map(walk)];
      case ItemType.ByteString:
        return [i.tag, i.type, Buffer.from(i.value).toString('hex')];
      case ItemType.LongInteger:
      case ItemType.BigInteger:
      case ItemType.DateTime:
      case ItemType.DateTimeExtended:
        return [i.tag, i.type, `${i.value}n`];
      default:
        return [i.tag, i.type, i.value];
    }
  };
  return JSON.stringify(walk(item));
}

const files = testCaseFiles();
const totals = { files: 0, messages: 0, bytes: 0 };

describe('OASIS test-case corpus round trip', () => {
  it('finds both versions, mandatory and optional', () => {
    const dirs = new Set(files.map((f) => path.dirname(path.relative(testCaseDir(), f))));
    expect([...dirs].sort()).toEqual(['v1.4/mandatory', 'v1.4/optional', 'v2.1/mandatory', 'v2.1/optional']);
  });

  it.each(files.map((f) => [path.relative(testCaseDir(), f), f]))('%s', (_name, file) => {
    const text = readFileSync(file, 'utf8');
    const kept: PlaceholderMap = new WeakMap();
    const items = parseKmipXml(text, { placeholders: samplePlaceholders(), keptPlaceholders: kept });
    // An independent count: every message element in the raw text became an item.
    const expected = (text.replace(/<!--[\s\S]*?-->/g, '').match(/<(RequestMessage|ResponseMessage)[\s>]/g) ?? [])
      .length;
    expect(items.length).toBe(expected);
    expect(expected).toBeGreaterThan(0);

    // XML -> items -> XML -> items.
    const xml = writeKmipXml(items, { root: true });
    const again = parseKmipXml(xml);
    expect(again.map(canon)).toEqual(items.map(canon));

    // Keep-placeholders mode: the writer puts $NOW, $DATA_n ... back.
    const withPlaceholders = writeKmipXml(items, { root: true, placeholders: kept });
    for (const p of text.match(/value="\$[A-Z_0-9+-]+"/g) ?? []) expect(withPlaceholders).toContain(p);
    expect(parseKmipXml(withPlaceholders, { placeholders: samplePlaceholders() }).map(canon)).toEqual(items.map(canon));

    for (const item of items) {
      // XML -> TTLV bytes -> items -> XML.
      const bytes = encodeTtlv(item);
      const decoded = decodeTtlv(bytes);
      expect(canon(decoded)).toBe(canon(item));
      expect(writeKmipXml(decoded)).toBe(writeKmipXml(item));

      // XML -> JSON -> items -> TTLV bytes.
      const json = writeKmipJson(item);
      const fromJson = parseKmipJson(json);
      expect(fromJson).toHaveLength(1);
      expect(canon(fromJson[0]!)).toBe(canon(item));
      expect(Buffer.from(encodeTtlv(fromJson[0]!)).equals(Buffer.from(bytes))).toBe(true);
      // And JSON written from the decoded bytes is the same text.
      expect(writeKmipJson(decoded)).toBe(json);
      totals.messages++;
      totals.bytes += bytes.length;
    }
    totals.files++;
  });

  it('reports the count', () => {
    console.log(
      `KMIP corpus round trip: ${totals.messages} messages in ${totals.files} files, ${totals.bytes} TTLV bytes`,
    );
    expect(totals.files).toBe(files.length);
    expect(totals.messages).toBeGreaterThan(2000);
  });
});
