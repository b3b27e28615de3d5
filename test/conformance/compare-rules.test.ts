import { describe, expect, it } from 'vitest';
import { AttributesListedByReference } from '../../main/conformance/all-attributes.js';
import { compareItems, sameCkInfoLayout } from '../../main/conformance/compare.js';
import type { StructureItem, TtlvItem } from '../../main/kmip/ttlv/index.js';
import { encodeCkInfo, KEYHOLD_CK_INFO } from '../../main/ops/pkcs11-operation.js';
import { t } from '../../main/ops/ttlv.js';
import { Operation, Tag } from '../../main/ops/vocabulary.js';

/** The CK_INFO the reference server answered in PKCS11-M-1-21 (its own manufacturer and description). */
const reference = Buffer.from(
  '022854455354202020202020507479204c7464202020202020202020202020202020000000000000000054455354202020202020202020202020202020202020202020202020202020200100',
  'hex',
);

const C_GET_INFO = 3;
const getInfoAnswer = (output: Uint8Array): StructureItem =>
  t.struct(Tag.ResponsePayload, [
    t.enm(Tag.PKCS_11Function, C_GET_INFO),
    t.bytes(Tag.PKCS_11OutputParameters, output),
    t.enm(Tag.PKCS_11ReturnCode, 0),
  ]);
const compare = (expected: TtlvItem, actual: TtlvItem) => compareItems(expected, actual, new WeakMap(), new Map());

describe('comparer: C_GetInfo answers (CK_INFO) compared by layout', () => {
  const keyhold = encodeCkInfo(KEYHOLD_CK_INFO);

  it("accepts Keyhold's CK_INFO where the reference server had its own identity", () => {
    expect(sameCkInfoLayout(reference, keyhold)).toBeUndefined();
    expect(compare(getInfoAnswer(reference), getInfoAnswer(keyhold))).toBeUndefined();
  });

  it('still compares the versions and flags, the length and the blank padding', () => {
    expect(
      sameCkInfoLayout(reference, encodeCkInfo({ ...KEYHOLD_CK_INFO, cryptokiVersion: { major: 3, minor: 0 } })),
    ).toMatch(/cryptokiVersion/);
    expect(
      sameCkInfoLayout(reference, encodeCkInfo({ ...KEYHOLD_CK_INFO, libraryVersion: { major: 0, minor: 1 } })),
    ).toMatch(/libraryVersion/);
    expect(sameCkInfoLayout(reference, encodeCkInfo({ ...KEYHOLD_CK_INFO, flags: 1n }))).toMatch(/flags/);
    expect(sameCkInfoLayout(reference, keyhold.subarray(0, 75))).toMatch(/75 bytes/);
    const nulPadded = Buffer.from(keyhold);
    nulPadded.fill(0, 2 + 'Keyhold'.length, 34);
    expect(sameCkInfoLayout(reference, nulPadded)).toMatch(/manufacturerID/);
    expect(sameCkInfoLayout(reference, encodeCkInfo({ ...KEYHOLD_CK_INFO, libraryDescription: '' }))).toMatch(
      /libraryDescription/,
    );
    const mismatch = compare(getInfoAnswer(reference), getInfoAnswer(nulPadded));
    expect(mismatch?.path).toMatch(/PKCS_11OutputParameters$/);
  });

  it('compares other PKCS#11 output byte for byte', () => {
    const other = (output: Uint8Array): StructureItem =>
      t.struct(Tag.ResponsePayload, [
        t.enm(Tag.PKCS_11Function, 5), // C_GetSlotList
        t.bytes(Tag.PKCS_11OutputParameters, output),
      ]);
    expect(compare(other(reference), other(keyhold))).toBeDefined();
  });
});

const attr = (name: string, value: string): TtlvItem =>
  t.struct(Tag.Attribute, [t.text(Tag.AttributeName, name), t.text(Tag.AttributeValue, value)]);
const bool = (name: string, value: boolean): TtlvItem =>
  t.struct(Tag.Attribute, [t.text(Tag.AttributeName, name), t.bool(Tag.AttributeValue, value)]);
const message = (tag: number, op: number, payloadTag: number, fields: TtlvItem[]): StructureItem =>
  t.struct(tag, [t.struct(Tag.BatchItem, [t.enm(Tag.Operation, op), t.struct(payloadTag, fields)])]);
const uid = t.text(Tag.UniqueIdentifier, '$UNIQUE_IDENTIFIER_0');

describe('comparer: a no-name Get Attributes may return attributes the reference itself listed', () => {
  const listAnswer = message(Tag.ResponseMessage, Operation.GetAttributeList, Tag.ResponsePayload, [
    uid,
    t.text(Tag.AttributeName, 'Name'),
    t.text(Tag.AttributeName, 'Sensitive'),
    t.text(Tag.AttributeName, 'Extractable'),
  ]);
  const askAll = message(Tag.RequestMessage, Operation.GetAttributes, Tag.RequestPayload, []);
  const expected = message(Tag.ResponseMessage, Operation.GetAttributes, Tag.ResponsePayload, [uid, attr('Name', 'k')]);
  const withExtras = (...extra: TtlvItem[]) =>
    message(Tag.ResponseMessage, Operation.GetAttributes, Tag.ResponsePayload, [
      t.text(Tag.UniqueIdentifier, '1'),
      attr('Name', 'k'),
      ...extra,
    ]);

  it('accepts the attributes an earlier expected Get Attribute List named for the same object', () => {
    const rule = new AttributesListedByReference();
    rule.remember(listAnswer);
    const actual = withExtras(bool('Sensitive', false), bool('Extractable', true));
    expect(compare(expected, actual)).toBeDefined(); // the plain comparison fails
    expect(compare(expected, rule.prune(askAll, expected, actual))).toBeUndefined();
  });

  it('does not accept an attribute the reference never listed, nor without a listing', () => {
    const rule = new AttributesListedByReference();
    const actual = withExtras(bool('Sensitive', false));
    expect(compare(expected, rule.prune(askAll, expected, actual))).toBeDefined(); // nothing remembered yet
    rule.remember(listAnswer);
    const unlisted = withExtras(bool('Sensitive', false), attr('Comment', 'x'));
    expect(compare(expected, rule.prune(askAll, expected, unlisted))).toBeDefined();
  });

  it('does not apply when the request named attributes, nor excuse a missing or different expected one', () => {
    const rule = new AttributesListedByReference();
    rule.remember(listAnswer);
    const named = message(Tag.RequestMessage, Operation.GetAttributes, Tag.RequestPayload, [
      t.text(Tag.AttributeName, 'Name'),
    ]);
    const actual = withExtras(bool('Sensitive', false));
    expect(compare(expected, rule.prune(named, expected, actual))).toBeDefined();
    const wrongValue = message(Tag.ResponseMessage, Operation.GetAttributes, Tag.ResponsePayload, [
      t.text(Tag.UniqueIdentifier, '1'),
      attr('Name', 'other'),
      bool('Sensitive', false),
    ]);
    expect(compare(expected, rule.prune(askAll, expected, wrongValue))).toBeDefined();
  });
});

describe('comparer: the Get Attributes rule never excuses an attribute the object no longer has', () => {
  const list = (...names: string[]) =>
    message(Tag.ResponseMessage, Operation.GetAttributeList, Tag.ResponsePayload, [
      uid,
      ...names.map((n) => t.text(Tag.AttributeName, n)),
    ]);
  const askAll = message(Tag.RequestMessage, Operation.GetAttributes, Tag.RequestPayload, []);
  const expected = message(Tag.ResponseMessage, Operation.GetAttributes, Tag.ResponsePayload, [uid, attr('Name', 'k')]);
  const actual = message(Tag.ResponseMessage, Operation.GetAttributes, Tag.ResponsePayload, [
    t.text(Tag.UniqueIdentifier, '1'),
    attr('Name', 'k'),
    attr('x-custom', 'still here'),
  ]);

  it('a Delete Attribute sent after the listing ends it (a server that failed to delete is caught)', () => {
    const rule = new AttributesListedByReference();
    rule.remember(list('Name', 'x-custom'));
    expect(compare(expected, rule.prune(askAll, expected, actual))).toBeUndefined(); // listed: excused
    rule.forget(
      message(Tag.RequestMessage, Operation.DeleteAttribute, Tag.RequestPayload, [
        t.text(Tag.UniqueIdentifier, '1'),
        t.text(Tag.AttributeName, 'x-custom'),
      ]),
    );
    expect(compare(expected, rule.prune(askAll, expected, actual))).toBeDefined();
  });

  it('a later listing replaces an earlier one for the same object (not their union)', () => {
    const rule = new AttributesListedByReference();
    rule.remember(list('Name', 'x-custom'));
    rule.remember(list('Name'));
    expect(compare(expected, rule.prune(askAll, expected, actual))).toBeDefined();
  });

  it('other requests leave the listing in place', () => {
    const rule = new AttributesListedByReference();
    rule.remember(list('Name', 'x-custom'));
    rule.forget(message(Tag.RequestMessage, Operation.Get, Tag.RequestPayload, [t.text(Tag.UniqueIdentifier, '1')]));
    expect(compare(expected, rule.prune(askAll, expected, actual))).toBeUndefined();
  });
});
