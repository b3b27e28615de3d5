// KMIP JSON encoding: the forms of Additional Message Encodings 1.0 section 4.1.6, each example
// taken from that section unless said otherwise.
import { describe, expect, it } from 'vitest';
import { fromKmipJson, parseKmipJson, toKmipJson, writeKmipJson } from '../../../main/kmip/json/index.js';
import { Tag } from '../../../main/kmip/registry/index.js';
import { ItemType, type TtlvItem } from '../../../main/kmip/ttlv/index.js';

const one = (json: string): TtlvItem => fromKmipJson(JSON.parse(json));

describe('parse', () => {
  it('tags by name or hex; Structure type optional; null Structure value', () => {
    const byName = one('{"tag": "ActivationDate", "type":"DateTime", "value":"2001-01-01T10:00:00+10:00"}');
    expect(byName).toEqual({ tag: Tag.ActivationDate, type: ItemType.DateTime, value: 978307200n });
    expect(one('{"tag": "0x420001", "type":"DateTime", "value":"2001-01-01T10:00:00+10:00"}')).toEqual(byName);
    expect(one('{"tag": "0x54FFFF", "name":"SomeExtension", "type":"Integer", "value":"0x00000001"}')).toEqual({
      tag: 0x54ffff,
      type: ItemType.Integer,
      value: 1,
    });
    expect(one('{"tag": "PrivateKeyTemplateAttribute", "type":"Structure", "value":[]}').value).toEqual([]);
    expect(one('{"tag": "ProtocolVersion", "value": null}').value).toEqual([]);
    const pv = '[{"tag": "ProtocolVersionMajor", "type":"Integer", "value":1}]';
    expect(one(`{"tag": "ProtocolVersion", "type":"Structure", "value":${pv}}`)).toEqual(
      one(`{"tag": "ProtocolVersion", "value":${pv}}`),
    );
  });

  it('Integer as Number or hex; masks with | and hex components', () => {
    expect(one('{"tag": "BatchCount", "type":"Integer", "value":10}').value).toBe(10);
    expect(one('{"tag": "BatchCount", "type":"Integer", "value":"0x0000000A"}').value).toBe(10);
    expect(one('{"tag": "BatchCount", "type":"Integer", "value":"0xffffffff"}').value).toBe(-1);
    for (const v of [
      '0x0000100c',
      'Encrypt|Decrypt|CertificateSign',
      'CertificateSign|0x00000004|0x0000008',
      'CertificateSign|0x0000000c',
    ]) {
      expect(one(`{"tag": "CryptographicUsageMask", "type":"Integer", "value": "${v}"}`).value, v).toBe(0x100c);
    }
    expect(() => one('{"tag": "BatchCount", "type":"Integer", "value":1.5}')).toThrow(/BatchCount/);
  });

  it('Long Integer: Number or hex (2^60 only as hex); Big Integer; Interval', () => {
    expect(one('{"tag": "0x540001", "type":"LongInteger", "value":"0xfffffffffffffffe"}').value).toBe(-2n);
    expect(one('{"tag": "0x540001", "type":"LongInteger", "value":-2}').value).toBe(-2n);
    expect(one('{"tag": "UsageLimitsCount", "type":"LongInteger", "value":"0x1000000000000000"}').value).toBe(
      1n << 60n,
    );
    expect(one('{"tag": "PrimeFieldSize", "type":"BigInteger", "value":0}').value).toBe(0n);
    expect(one('{"tag": "PrimeFieldSize", "type":"BigInteger", "value":"0x0000000000000000"}').value).toBe(0n);
    expect(one('{"tag": "Offset", "type":"Interval", "value":27}').value).toBe(27);
    expect(one('{"tag": "Offset", "type":"Interval", "value":"0x0000001b"}').value).toBe(27);
  });

  it('Enumeration as Number, hex or name; Boolean; Text; Byte String; Date-Time hex', () => {
    expect(one('{"tag": "0x420057", "type":"Enumeration", "value":2}').value).toBe(2);
    expect(one('{"tag": "ObjectType", "type":"Enumeration", "value":"0x00000002"}').value).toBe(2);
    expect(one('{"tag": "ObjectType", "type":"Enumeration", "value":"SymmetricKey"}').value).toBe(2);
    expect(one('{"tag": "BatchOrderOption", "type":"Boolean", "value":true}').value).toBe(true);
    expect(one('{"tag": "BatchOrderOption", "type":"Boolean", "value":"0x0000000000000001"}').value).toBe(true);
    expect(one('{"tag": "AttributeName", "type":"TextString", "value":"Cryptographic Algorithm"}').value).toBe(
      'Cryptographic Algorithm',
    );
    expect(
      Buffer.from(one('{"tag": "MACSignature", "type":"ByteString", "value":"C50F77"}').value as Uint8Array),
    ).toEqual(Buffer.from('c50f77', 'hex'));
    expect(one('{"tag": "ArchiveDate", "type":"DateTime", "value":"0x000000003a505520"}').value).toBe(0x3a505520n);
  });

  it('errors name the path', () => {
    expect(() =>
      parseKmipJson('{"tag": "RequestMessage", "value": [{"tag": "Nope", "type": "Integer", "value": 1}]}'),
    ).toThrow(/unknown tag "Nope" at \/RequestMessage\[0\]/);
    expect(() => parseKmipJson('{"tag": "ObjectType", "type": "Enumeration", "value": "Banana"}')).toThrow(
      /Enumeration value "Banana"/,
    );
    expect(() => parseKmipJson('[1]')).toThrow(/expected an object at \[0\]/);
    expect(() => parseKmipJson('{')).toThrow(/KMIP JSON/);
  });
});

describe('write', () => {
  it('numbers as Numbers until 2^53, then hex; names for enumerations and masks', () => {
    const item: TtlvItem = {
      tag: Tag.RequestMessage,
      type: ItemType.Structure,
      value: [
        { tag: Tag.UsageLimitsCount, type: ItemType.LongInteger, value: 1n << 60n },
        { tag: Tag.UsageLimitsCount, type: ItemType.LongInteger, value: -2n },
        { tag: Tag.CryptographicUsageMask, type: ItemType.Integer, value: 0x100c },
        { tag: Tag.ObjectType, type: ItemType.Enumeration, value: 2 },
        { tag: Tag.PrimeFieldSize, type: ItemType.BigInteger, value: 65537n },
        { tag: 0x540001, type: ItemType.ByteString, value: Uint8Array.of(1, 2) },
        { tag: Tag.ArchiveDate, type: ItemType.DateTime, value: 978336000n },
      ],
    };
    expect(toKmipJson(item)).toEqual({
      tag: 'RequestMessage',
      value: [
        { tag: 'UsageLimitsCount', type: 'LongInteger', value: '0x1000000000000000' },
        { tag: 'UsageLimitsCount', type: 'LongInteger', value: -2 },
        { tag: 'CryptographicUsageMask', type: 'Integer', value: 'Encrypt|Decrypt|CertificateSign' },
        { tag: 'ObjectType', type: 'Enumeration', value: 'SymmetricKey' },
        { tag: 'PrimeFieldSize', type: 'BigInteger', value: '0x0000000000010001' },
        { tag: '0x540001', type: 'ByteString', value: '0102' },
        { tag: 'ArchiveDate', type: 'DateTime', value: '2001-01-01T08:00:00+00:00' },
      ],
    });
    expect(parseKmipJson(writeKmipJson(item))).toEqual([item]);
  });

  it('Date-Time Extended keeps microseconds', () => {
    const item: TtlvItem = { tag: 0x540002, type: ItemType.DateTimeExtended, value: 978336000_123456n };
    const json = toKmipJson(item);
    expect(json.value).toBe('2001-01-01T08:00:00.123456+00:00');
    expect(fromKmipJson(json)).toEqual(item);
  });
});
