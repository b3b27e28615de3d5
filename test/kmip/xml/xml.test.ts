// KMIP XML encoding: the forms of Additional Message Encodings 1.0 section 6.1.6, each example
// taken from that section unless said otherwise.
import { describe, expect, it } from 'vitest';
import { Tag } from '../../../main/kmip/registry/index.js';
import { ItemType, type TtlvItem } from '../../../main/kmip/ttlv/index.js';
import {
  parseKmipXml,
  parseKmipXmlItem,
  samplePlaceholders,
  writeKmipXml,
  type PlaceholderMap,
} from '../../../main/kmip/xml/index.js';

const one = (xml: string): TtlvItem => parseKmipXmlItem(xml);

describe('parse', () => {
  it('tags by normalized name, by hex in <TTLV tag=...>, and extension tags', () => {
    expect(one('<ActivationDate type="DateTime" value="2001-01-01T10:00:00+10:00"/>')).toEqual({
      tag: Tag.ActivationDate,
      type: ItemType.DateTime,
      value: BigInt(Date.UTC(2001, 0, 1, 0, 0, 0) / 1000),
    });
    expect(one('<TTLV tag="0x420001" type="DateTime" value="2001-01-01T10:00:00+10:00"/>').tag).toBe(0x420001);
    expect(one('<TTLV tag="0x54FFFF" name="SomeExtension" type="TextString" value="x"/>')).toEqual({
      tag: 0x54ffff,
      type: ItemType.TextString,
      value: 'x',
    });
    expect(one('<x540001 type="LongInteger" value="-2"/>')).toEqual({
      tag: 0x540001,
      type: ItemType.LongInteger,
      value: -2n,
    });
  });

  it('Structure with or without type, namespace allowed', () => {
    const a = one(
      '<ProtocolVersion type="Structure"><ProtocolVersionMajor type="Integer" value="1"/></ProtocolVersion>',
    );
    const b = one('<ProtocolVersion>\n  <ProtocolVersionMajor type="Integer" value="1"/>\n</ProtocolVersion>');
    expect(a).toEqual(b);
    expect(a).toEqual({
      tag: Tag.ProtocolVersion,
      type: ItemType.Structure,
      value: [{ tag: Tag.ProtocolVersionMajor, type: ItemType.Integer, value: 1 }],
    });
    expect(one('<PrivateKeyTemplateAttribute type="Structure"/>').value).toEqual([]);
  });

  it('Integer: decimal, hex, and masks by name, hex or both', () => {
    expect(one('<BatchCount type="Integer" value="10"/>').value).toBe(10);
    expect(one('<BatchCount type="Integer" value="0xffffffff"/>').value).toBe(-1);
    for (const v of [
      '0x0000100c',
      'Encrypt Decrypt CertificateSign',
      'CertificateSign 0x00000004 0x0000008',
      'CertificateSign 0x0000000c',
    ]) {
      expect(one(`<CryptographicUsageMask type="Integer" value="${v}"/>`).value, v).toBe(0x100c);
    }
    expect(() => one('<CryptographicUsageMask type="Integer" value="Encrypt Bogus"/>')).toThrow(/mask names/);
    expect(() => one('<BatchCount type="Integer" value="Encrypt"/>')).toThrow(/neither a number nor mask names/);
    expect(() => one('<BatchCount type="Integer" value="2147483648"/>')).toThrow();
  });

  it("Long Integer, Big Integer (hexBinary, two's complement), Interval", () => {
    expect(one('<UsageLimitsCount type="LongInteger" value="1152921504606846976"/>').value).toBe(1n << 60n);
    expect(one('<X type="BigInteger" value="0000000000000000"/>'.replace(/X/g, 'PrimeFieldSize')).value).toBe(0n);
    expect(one('<PrimeFieldSize type="BigInteger" value="FFFFFFFFFFFFFFFF"/>').value).toBe(-1n);
    expect(one('<PrimeFieldSize type="BigInteger" value="0000000000010001"/>').value).toBe(65537n);
    expect(one('<Offset type="Interval" value="27"/>').value).toBe(27);
    expect(() => one('<Offset type="Interval" value="-1"/>')).toThrow(/Interval/);
  });

  it('Enumeration by name or hex; unknown names fail; extension values pass', () => {
    expect(one('<ObjectType type="Enumeration" value="SymmetricKey"/>').value).toBe(2);
    expect(one('<ObjectType type="Enumeration" value="0x00000002"/>').value).toBe(2);
    expect(one('<ObjectType type="Enumeration" value="0x80000010"/>').value).toBe(0x80000010);
    expect(() => one('<ObjectType type="Enumeration" value="Banana"/>')).toThrow(/"Banana"/);
  });

  it('Boolean, Text String, Byte String', () => {
    expect(one('<BatchOrderOption type="Boolean" value="true"/>').value).toBe(true);
    expect(one('<BatchOrderOption type="Boolean" value="false"/>').value).toBe(false);
    expect(one('<AttributeName type="TextString" value="Cryptographic Algorithm"/>').value).toBe(
      'Cryptographic Algorithm',
    );
    expect(
      Buffer.from(one('<MACSignature type="ByteString" value="C50F77"/>').value as Uint8Array).toString('hex'),
    ).toBe('c50f77');
    expect(() => one('<MACSignature type="ByteString" value="C50F7"/>')).toThrow(/not hex/);
  });

  it('1.x Attribute Value: the Attribute Name sibling picks the enumeration or mask', () => {
    const attr = one(`<Attribute>
      <AttributeName type="TextString" value="Cryptographic Algorithm"/>
      <AttributeValue type="Enumeration" value="AES"/>
    </Attribute>`);
    expect((attr.value as TtlvItem[])[1]).toEqual({ tag: Tag.AttributeValue, type: ItemType.Enumeration, value: 3 });
    const mask = one(`<Attribute>
      <AttributeName type="TextString" value="Cryptographic Usage Mask"/>
      <AttributeValue type="Integer" value="Decrypt Encrypt"/>
    </Attribute>`);
    expect((mask.value as TtlvItem[])[1]!.value).toBe(12);
  });

  it('a <KMIP> file gives its messages; comments are skipped', () => {
    const items = parseKmipXml('<KMIP>\n<!-- a comment -->\n<RequestMessage/>\n<ResponseMessage/>\n</KMIP>');
    expect(items.map((i) => i.tag)).toEqual([Tag.RequestMessage, Tag.ResponseMessage]);
  });

  it('malformed input is a codec error naming where', () => {
    expect(() => parseKmipXml('<RequestMessage><BatchItem></RequestMessage>')).toThrow(/KMIP XML: .*line 1/);
    expect(() => one('<RequestMessage><Nope/></RequestMessage>')).toThrow(
      /unknown tag <Nope> at RequestMessage\/Nope\[0\]/,
    );
    expect(() => one('<BatchCount type="Float" value="1"/>')).toThrow(/unknown type "Float"/);
    expect(() => one('<BatchCount type="Integer"/>')).toThrow(/without a value/);
    expect(() => one('<RequestMessage>text</RequestMessage>')).toThrow(/unexpected text/);
  });
});

describe('placeholders', () => {
  const xml = `<ResponseMessage>
  <ResponseHeader>
    <TimeStamp type="DateTime" value="$NOW-3600"/>
  </ResponseHeader>
  <BatchItem>
    <UniqueIdentifier type="TextString" value="$UNIQUE_IDENTIFIER_0"/>
    <Data type="ByteString" value="$DATA_1"/>
  </BatchItem>
</ResponseMessage>
`;

  it('a non-text placeholder needs a resolver; text ones stay text', () => {
    expect(() => parseKmipXml(xml)).toThrow(/placeholder "\$NOW-3600" in a DateTime needs a placeholder resolver/);
    const [item] = parseKmipXml(xml, { placeholders: samplePlaceholders({ now: 10_000n }) });
    const header = (item!.value as TtlvItem[])[0]!.value as TtlvItem[];
    expect(header[0]!.value).toBe(6_400n);
    const batch = (item!.value as TtlvItem[])[1]!.value as TtlvItem[];
    expect(batch[0]!.value).toBe('$UNIQUE_IDENTIFIER_0');
    expect(Buffer.from(batch[1]!.value as Uint8Array).toString()).toBe('$DATA_1');
  });

  it('keep mode writes the placeholders back', () => {
    const kept: PlaceholderMap = new WeakMap();
    const items = parseKmipXml(xml, { placeholders: samplePlaceholders(), keptPlaceholders: kept });
    expect(writeKmipXml(items[0]!, { placeholders: kept })).toBe(xml);
  });
});

describe('write', () => {
  it('writes the test-case layout: names, masks, hex, dates, no type on Structures', () => {
    const item: TtlvItem = {
      tag: Tag.RequestMessage,
      type: ItemType.Structure,
      value: [
        { tag: Tag.CryptographicUsageMask, type: ItemType.Integer, value: 0x0c },
        { tag: Tag.CryptographicAlgorithm, type: ItemType.Enumeration, value: 3 },
        { tag: Tag.CryptographicAlgorithm, type: ItemType.Enumeration, value: 0x80000001 },
        { tag: Tag.MACSignature, type: ItemType.ByteString, value: Uint8Array.of(0xc5, 0x0f, 0x77) },
        { tag: Tag.PrimeFieldSize, type: ItemType.BigInteger, value: -1n },
        { tag: Tag.ArchiveDate, type: ItemType.DateTime, value: 978336000n },
        { tag: 0x540001, type: ItemType.TextString, value: 'a "quoted" <b> & c\nline' },
        { tag: Tag.BatchOrderOption, type: ItemType.Boolean, value: true },
        { tag: Tag.Offset, type: ItemType.Interval, value: 27 },
        { tag: Tag.RequestPayload, type: ItemType.Structure, value: [] },
      ],
    };
    const xml = writeKmipXml(item);
    expect(xml).toBe(`<RequestMessage>
  <CryptographicUsageMask type="Integer" value="Encrypt Decrypt"/>
  <CryptographicAlgorithm type="Enumeration" value="AES"/>
  <CryptographicAlgorithm type="Enumeration" value="0x80000001"/>
  <MACSignature type="ByteString" value="c50f77"/>
  <PrimeFieldSize type="BigInteger" value="ffffffffffffffff"/>
  <ArchiveDate type="DateTime" value="2001-01-01T08:00:00+00:00"/>
  <TTLV tag="0x540001" type="TextString" value="a &quot;quoted&quot; &lt;b&gt; &amp; c&#10;line"/>
  <BatchOrderOption type="Boolean" value="true"/>
  <Offset type="Interval" value="27"/>
  <RequestPayload/>
</RequestMessage>
`);
    expect(parseKmipXmlItem(xml)).toEqual(item);
  });

  it('uses 1.x names in a 1.x message and 2.x names otherwise', () => {
    const message = (major: number): TtlvItem => ({
      tag: Tag.RequestMessage,
      type: ItemType.Structure,
      value: [
        {
          tag: Tag.RequestHeader,
          type: ItemType.Structure,
          value: [
            {
              tag: Tag.ProtocolVersion,
              type: ItemType.Structure,
              value: [{ tag: Tag.ProtocolVersionMajor, type: ItemType.Integer, value: major }],
            },
          ],
        },
        { tag: Tag.DigitalSignatureAlgorithm, type: ItemType.Enumeration, value: 5 },
      ],
    });
    expect(writeKmipXml(message(1))).toContain('value="SHA_256WithRSAEncryptionPKCS_1V1_5"');
    expect(writeKmipXml(message(2))).toContain('value="SHA_256WithRSAEncryption"');
    expect(writeKmipXml(message(2), { major: 1 })).toContain('value="SHA_256WithRSAEncryptionPKCS_1V1_5"');
  });

  it('Date-Times outside xsd:dateTime years fall back to hex and still round trip', () => {
    const item: TtlvItem = { tag: Tag.ArchiveDate, type: ItemType.DateTime, value: -(1n << 62n) };
    const xml = writeKmipXml(item);
    expect(xml).toContain('value="0xc000000000000000"');
    expect(parseKmipXmlItem(xml)).toEqual(item);
  });
});
