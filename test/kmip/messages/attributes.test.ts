import { describe, expect, it } from 'vitest';
import {
  attributeFromTtlv,
  attributeReferenceFromTtlv,
  attributeReferenceToTtlv,
  attributesFromTtlv,
  attributesToTtlv,
  attributeToTtlv,
  encodeTtlv,
  ItemType,
  parseRequestMessage,
  parseResponseMessage,
  Tag,
  type ProtocolVersion,
  type StructureItem,
  type TtlvItem,
} from '../../../main/kmip/index.js';
import type { Attributes } from '../../../main/vault/model.js';
import { testCaseFile, testCaseMessages } from './support/testcases.js';

const v14: ProtocolVersion = { major: 1, minor: 4 };
const v21: ProtocolVersion = { major: 2, minor: 1 };

function firstRequestPayload(file: string): StructureItem {
  return parseRequestMessage(testCaseFile(file)[0]!).batchItems[0]!.requestPayload;
}

function child(s: StructureItem, tag: number): StructureItem {
  const c = s.value.find((f) => f.tag === tag);
  if (c?.type !== ItemType.Structure) throw new Error(`no structure ${tag.toString(16)}`);
  return c;
}

const containers = new Set<number>([
  Tag.TemplateAttribute,
  Tag.CommonTemplateAttribute,
  Tag.PrivateKeyTemplateAttribute,
  Tag.PublicKeyTemplateAttribute,
  Tag.Attributes,
  Tag.CommonAttributes,
  Tag.PrivateKeyAttributes,
  Tag.PublicKeyAttributes,
]);

function collectContainers(item: TtlvItem, out: StructureItem[]): StructureItem[] {
  if (item.type !== ItemType.Structure) return out;
  if (containers.has(item.tag)) out.push(item);
  else for (const c of item.value) collectContainers(c, out);
  return out;
}

describe('1.x and 2.x attribute forms map onto one model', () => {
  it('reads the 1.4 Template-Attribute of SKLC-M-1-14 (Create)', () => {
    const attrs = attributesFromTtlv(
      child(firstRequestPayload('v1.4/mandatory/SKLC-M-1-14.xml'), Tag.TemplateAttribute),
      v14,
    );
    expect(attrs).toEqual({
      CryptographicAlgorithm: ['AES'],
      CryptographicLength: [256],
      CryptographicUsageMask: [12],
      Name: [{ NameValue: 'SKLC-M-1-14', NameType: 'UninterpretedTextString' }],
    });
  });

  it('reads the same from the 2.1 Attributes of SKLC-M-1-21', () => {
    const attrs = attributesFromTtlv(child(firstRequestPayload('v2.1/mandatory/SKLC-M-1-21.xml'), Tag.Attributes), v21);
    expect(attrs).toEqual({
      CryptographicAlgorithm: ['AES'],
      CryptographicLength: [256],
      CryptographicUsageMask: [12],
      Name: [{ NameValue: 'SKLC-M-1-21', NameType: 'UninterpretedTextString' }],
    });
  });

  it('names a 2.x vendor attribute as 1.x does: x + ID is x-ID (CS-BC-M-6)', () => {
    const a21 = attributesFromTtlv(child(firstRequestPayload('v2.1/mandatory/CS-BC-M-6-21.xml'), Tag.Attributes), v21);
    const a14 = attributesFromTtlv(
      child(firstRequestPayload('v1.4/mandatory/CS-BC-M-6-14.xml'), Tag.TemplateAttribute),
      v14,
    );
    expect(a21['x-ID']).toEqual(['CS-BC-M-6-21']);
    expect(a14['x-ID']).toEqual(['CS-BC-M-6-14']);
    expect(a21['ActivationDate']![0]).toBeInstanceOf(Date);
  });

  it('writes 1.x Attribute Name/Index/Value and 2.x tagged items', () => {
    const attrs: Attributes = {
      CryptographicAlgorithm: ['AES'],
      Name: [
        { NameValue: 'a', NameType: 'UninterpretedTextString' },
        { NameValue: 'b', NameType: 'URI' },
      ],
      'x-NETAPP-Product': ['ONTAP'],
    };
    const t14 = attributesToTtlv(attrs, v14);
    expect(t14.tag).toBe(Tag.TemplateAttribute);
    const second = t14.value[2] as StructureItem;
    expect(second.value).toEqual([
      { tag: Tag.AttributeName, type: ItemType.TextString, value: 'Name' },
      { tag: Tag.AttributeIndex, type: ItemType.Integer, value: 1 },
      {
        tag: Tag.AttributeValue,
        type: ItemType.Structure,
        value: [
          { tag: Tag.NameValue, type: ItemType.TextString, value: 'b' },
          { tag: Tag.NameType, type: ItemType.Enumeration, value: 2 },
        ],
      },
    ]);
    expect((t14.value[0] as StructureItem).value[0]).toEqual({
      tag: Tag.AttributeName,
      type: ItemType.TextString,
      value: 'Cryptographic Algorithm',
    });
    const t21 = attributesToTtlv(attrs, v21, { tag: Tag.CommonAttributes });
    expect(t21.tag).toBe(Tag.CommonAttributes);
    expect(t21.value[0]).toEqual({ tag: Tag.CryptographicAlgorithm, type: ItemType.Enumeration, value: 3 });
    expect((t21.value[3] as StructureItem).value.slice(0, 2)).toEqual([
      { tag: Tag.VendorIdentification, type: ItemType.TextString, value: 'x' },
      { tag: Tag.AttributeName, type: ItemType.TextString, value: 'NETAPP-Product' },
    ]);
    expect(attributesFromTtlv(t14, v14)).toEqual(attrs);
    expect(attributesFromTtlv(t21, v21)).toEqual(attrs);
  });

  it('round-trips every attribute container of every test case through the model, in both forms', () => {
    let count = 0;
    let identical = 0;
    for (const { file, item } of testCaseMessages()) {
      const version = file.startsWith('v1.4') ? v14 : v21;
      for (const container of collectContainers(item, [])) {
        const model = attributesFromTtlv(container, version);
        const same = attributesToTtlv(model, version, { tag: container.tag });
        expect(attributesFromTtlv(same, version), `${file} ${container.tag.toString(16)}`).toEqual(model);
        if (encodeTtlv(same).equals(encodeTtlv(container))) identical++;
        const other = version.major < 2 ? v21 : v14;
        expect(attributesFromTtlv(attributesToTtlv(model, other), other), `${file} to ${other.major}.x`).toEqual(model);
        count++;
      }
    }
    console.log(`attributes: ${count} containers round-tripped, ${identical} byte-identical`);
    expect(count).toBeGreaterThan(250);
    expect(identical).toBe(count);
  });

  it('reads a 1.x Get Attributes response (Attribute items in the payload)', () => {
    const responses = testCaseFile('v1.4/mandatory/SKLC-M-1-14.xml').filter((m) => m.tag === Tag.ResponseMessage);
    const getAttributes = responses
      .flatMap((m) => parseResponseMessage(m).batchItems)
      .find((b) => b.operation === 'GetAttributes' && b.resultStatus === 'Success');
    const payload = getAttributes!.responsePayload!;
    const attrs = attributesFromTtlv(
      payload.value.filter((c) => c.tag === Tag.Attribute),
      v14,
    );
    expect(Object.keys(attrs).length).toBeGreaterThan(0);
    for (const values of Object.values(attrs)) expect(values.length).toBeGreaterThan(0);
  });
});

describe('single attributes and references', () => {
  it('reads 2.x New Attribute and 1.x Attribute with an index', () => {
    const neu: TtlvItem = {
      tag: Tag.NewAttribute,
      type: ItemType.Structure,
      value: [{ tag: Tag.CryptographicLength, type: ItemType.Integer, value: 128 }],
    };
    expect(attributeFromTtlv(neu, v21)).toEqual({ name: 'CryptographicLength', value: 128 });
    const old = attributeToTtlv({ name: 'ObjectGroup', index: 2, value: 'g' }, v14);
    expect(attributeFromTtlv(old, v14)).toEqual({ name: 'ObjectGroup', index: 2, value: 'g' });
  });

  it('reads Attribute References in both forms', () => {
    const payload = firstRequestPayloadOf('v2.1/mandatory/SKLC-M-1-21.xml', 'GetAttributes');
    const refs = payload.value.filter((c) => c.tag === Tag.AttributeReference).map(attributeReferenceFromTtlv);
    expect(refs).toContain('State');
    expect(refs).toContain('CryptographicUsageMask');
    expect(attributeReferenceFromTtlv(attributeReferenceToTtlv('CryptographicUsageMask', v14))).toBe(
      'CryptographicUsageMask',
    );
    expect(attributeReferenceToTtlv('CryptographicUsageMask', v14)).toEqual({
      tag: Tag.AttributeName,
      type: ItemType.TextString,
      value: 'Cryptographic Usage Mask',
    });
    expect(attributeReferenceToTtlv('State', v21)).toEqual({
      tag: Tag.AttributeReference,
      type: ItemType.Enumeration,
      value: Tag.State,
    });
    expect(attributeReferenceFromTtlv(attributeReferenceToTtlv('x-ID', v21))).toBe('x-ID');
  });
});

function firstRequestPayloadOf(file: string, operation: string): StructureItem {
  for (const m of testCaseFile(file)) {
    if (m.tag !== Tag.RequestMessage) continue;
    const b = parseRequestMessage(m).batchItems.find((x) => x.operation === operation);
    if (b) return b.requestPayload;
  }
  throw new Error(`no ${operation} in ${file}`);
}
