import { describe, expect, it } from 'vitest';
import {
  attributeItems,
  forVersion,
  ItemType,
  parseResponseMessage,
  Tag,
  tagAllowedIn,
  tagSince,
  type StructureItem,
  type TtlvItem,
} from '../../../main/kmip/index.js';
import { testCaseFile } from './support/testcases.js';

const tags = (s: TtlvItem): number[] => (s.type === ItemType.Structure ? s.value.map((c) => c.tag) : []);

describe('protocol version rules: a response never carries a field newer than the request', () => {
  it('knows when tags appeared', () => {
    expect(tagSince(Tag.BatchCount)).toEqual({ major: 1, minor: 0 });
    expect(tagSince(Tag.Fresh)).toEqual({ major: 1, minor: 1 });
    expect(tagSince(Tag.AttestationCapableIndicator)).toEqual({ major: 1, minor: 2 });
    expect(tagSince(Tag.ServerCorrelationValue)).toEqual({ major: 1, minor: 4 });
    expect(tagSince(Tag.Attributes)).toEqual({ major: 2, minor: 0 });
    expect(tagSince(0x540001)).toBeUndefined();
    expect(tagAllowedIn(Tag.AttributeIndex, { major: 1, minor: 4 })).toBe(true);
    expect(tagAllowedIn(Tag.AttributeIndex, { major: 2, minor: 0 })).toBe(false);
  });

  it('drops Server Correlation Value for a 1.0 client (hashicorp/vault #24309), keeps it for 1.4', () => {
    const response = testCaseFile('v2.1/mandatory/BL-M-2-21.xml')[5] as StructureItem;
    const header = response.value[0]!;
    expect(tags(header)).toContain(Tag.ServerCorrelationValue);
    const stripped: string[] = [];
    const for10 = forVersion(response, { major: 1, minor: 0 }, { onStrip: (t) => stripped.push(t.toString(16)) });
    expect(tags(for10.value[0]!)).not.toContain(Tag.ServerCorrelationValue);
    expect(stripped).toContain(Tag.ServerCorrelationValue.toString(16));
    expect(tags(forVersion(response, { major: 1, minor: 4 }).value[0]!)).toContain(Tag.ServerCorrelationValue);
    // What is left is still a well-formed response.
    expect(parseResponseMessage(for10).batchItems).toHaveLength(3);
  });

  it('drops the Fresh attribute for a 1.0 client in the 1.x Attribute form (Cosmian/kms #687)', () => {
    const payload: StructureItem = {
      tag: Tag.ResponsePayload,
      type: ItemType.Structure,
      value: [
        { tag: Tag.UniqueIdentifier, type: ItemType.TextString, value: 'k1' },
        ...attributeItems({ State: ['Active'], Fresh: [true] }, { major: 1, minor: 0 }),
      ],
    };
    const names = (s: StructureItem): unknown[] =>
      s.value
        .filter((c) => c.tag === Tag.Attribute)
        .map((c) => (c as StructureItem).value.find((f) => f.tag === Tag.AttributeName)?.value);
    expect(names(payload)).toEqual(['State', 'Fresh']);
    expect(names(forVersion(payload, { major: 1, minor: 0 }))).toEqual(['State']);
    expect(names(forVersion(payload, { major: 1, minor: 1 }))).toEqual(['State', 'Fresh']);
  });

  it('drops 2.x-only fields and Date-Time Extended for 1.x, 1.x-only fields for 2.x, keeps extensions', () => {
    const item: StructureItem = {
      tag: Tag.ResponsePayload,
      type: ItemType.Structure,
      value: [
        { tag: Tag.UniqueIdentifier, type: ItemType.TextString, value: 'k1' },
        { tag: Tag.Attributes, type: ItemType.Structure, value: [] },
        { tag: 0x540001, type: ItemType.DateTimeExtended, value: 1n },
        { tag: 0x540002, type: ItemType.TextString, value: 'vendor' },
        { tag: Tag.AttributeIndex, type: ItemType.Integer, value: 0 },
      ],
    };
    expect(tags(forVersion(item, { major: 1, minor: 4 }))).toEqual([
      Tag.UniqueIdentifier,
      0x540002,
      Tag.AttributeIndex,
    ]);
    expect(tags(forVersion(item, { major: 2, minor: 1 }))).toEqual([
      Tag.UniqueIdentifier,
      Tag.Attributes,
      0x540001,
      0x540002,
    ]);
  });

  it('returns the same object when nothing needs leaving out', () => {
    const response = testCaseFile('v1.4/mandatory/AKLC-M-1-14.xml')[1]!;
    expect(forVersion(response, { major: 1, minor: 4 })).toBe(response);
  });
});
