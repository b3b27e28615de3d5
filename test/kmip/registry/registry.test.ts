import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { readSpecs, normalizeName as specNormalize, type SpecTables } from '../../../scripts/kmip-spec-tables.mjs';
import {
  attributeValueSets,
  enumerationByName,
  enumerationForTag,
  enumerationValue,
  enumerationValueName,
  maskByName,
  maskComponents,
  maskForTag,
  maskValue,
  normalizeName,
  Tag,
  tagByName,
  tagDefinition,
  tagDefinitions,
  tagName,
  kmipNames,
} from '../../../main/kmip/registry/index.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const specDir = path.resolve(repo, '../shared/kmip/spec');

describe('generated registry against the specification tables', () => {
  let specs: Record<'1.4' | '2.1', SpecTables>;
  beforeAll(() => {
    specs = readSpecs(specDir);
  }, 60_000);

  it('is exactly what the generator writes from the spec today (no drift, no hand edits)', () => {
    const r = spawnSync(process.execPath, [path.join(repo, 'scripts/gen-registry.mjs'), '--check'], {
      encoding: 'utf8',
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  }, 60_000);

  for (const version of ['1.4', '2.1'] as const) {
    it(`holds every tag of the ${version} tag table with its number and name`, () => {
      const rows = specs[version].tags;
      expect(rows.length).toBeGreaterThan(version === '1.4' ? 280 : 340);
      for (const row of rows) {
        const def = tagDefinition(row.value);
        expect(def, row.name).toBeDefined();
        const names = version === '2.1' ? [def!.name] : [def!.name1x ?? def!.name];
        expect(names).toContain(row.name);
        expect(tagByName(specNormalize(row.name))).toBe(row.value);
        expect(def!.since).toBe(
          version === '1.4' ? '1.x' : specs['1.4'].tags.some((t) => t.value === row.value) ? '1.x' : '2.x',
        );
      }
    });

    it(`holds every enumeration and mask value of the ${version} tables`, () => {
      let count = 0;
      for (const [kind, lookup] of [
        ['enumerations', enumerationByName],
        ['masks', maskByName],
      ] as const) {
        for (const [title, rows] of specs[version][kind]) {
          const set = lookup(title);
          expect(set, title).toBeDefined();
          for (const row of rows) {
            const def = set!.definition(row.value);
            expect(def, `${title}: ${row.name}`).toBeDefined();
            const specName = version === '2.1' ? def!.name : (def!.name1x ?? def!.name);
            expect([specName, ...(def!.aliases ?? [])].map(specNormalize)).toContain(specNormalize(row.name));
            expect(set!.valueOf(specNormalize(row.name))).toBe(row.value);
            count++;
          }
        }
      }
      expect(count).toBeGreaterThan(500);
    });
  }

  it('marks what 2.x removed', () => {
    expect(tagDefinition(Tag.TemplateAttribute)?.removed).toBe('2.x');
    expect(tagDefinition(Tag.OperationPolicyName)?.removed).toBe('2.x');
    expect(tagDefinition(Tag.AttributeReference)?.since).toBe('2.x');
    expect(tagDefinition(Tag.Attributes)?.since).toBe('2.x');
    expect(enumerationByName('Object Type')!.definition(6)).toMatchObject({ normalized: 'Template', removed: '2.x' });
  });
});

describe('name normalization (Additional Message Encodings 1.0 section 6.1.3)', () => {
  it.each([
    ['Cryptographic Usage Mask', 'CryptographicUsageMask'],
    ['PKCS#11 Function', 'PKCS_11Function'],
    ['3DES', 'DES3'],
    ['SHA-256', 'SHA_256'],
    ['Private Key Template-Attribute', 'PrivateKeyTemplateAttribute'],
    ['Content Commitment (Non Repudiation)', 'ContentCommitmentNonRepudiation'],
    ['X.509', 'X_509'],
    ['IV/Counter/Nonce', 'IVCounterNonce'],
    ['On-line storage', 'OnLineStorage'],
  ])('%s -> %s', (text, normalized) => {
    expect(normalizeName(text)).toBe(normalized);
  });

  it('the TypeScript rules agree with the generator on every name', () => {
    for (const t of tagDefinitions) expect(normalizeName(t.name)).toBe(t.normalized);
    for (const e of kmipNames().enumerations)
      for (const v of e.values) expect(normalizeName(v.name)).toBe(specNormalize(v.name));
  });
});

describe('lookups', () => {
  it('Tag constants and names both ways', () => {
    expect(Tag.RequestMessage).toBe(0x420078);
    expect(Tag.CryptographicUsageMask).toBe(0x42002c);
    expect(tagByName('Cryptographic Usage Mask')).toBe(0x42002c);
    expect(tagByName('0x540001')).toBe(0x540001);
    expect(tagByName('NoSuchTag')).toBeUndefined();
    expect(tagName(0x42002c)).toBe('CryptographicUsageMask');
    expect(tagName(0x540001)).toBe('0x540001');
    expect(tagName(0x42ffff)).toBe('0x42FFFF');
  });

  it('enumerations and masks for tags, with extension values as hex', () => {
    const alg = enumerationForTag(Tag.CryptographicAlgorithm)!;
    expect(alg.valueOf('AES')).toBe(3);
    expect(enumerationValueName(alg, 3)).toBe('AES');
    expect(enumerationValueName(alg, 0x80000001)).toBe('0x80000001');
    expect(enumerationValue(alg, '0x80000001')).toBe(0x80000001);
    expect(enumerationValue(alg, 'NotAnAlgorithm')).toBeUndefined();
    expect(enumerationForTag(Tag.MaskGeneratorHashingAlgorithm)!.valueOf('SHA_256')).toBe(6);
    expect(enumerationForTag(Tag.AttributeReference)!.valueOf('CryptographicAlgorithm')).toBe(0x420028);
    const usage = maskForTag(Tag.CryptographicUsageMask)!;
    expect(maskComponents(usage, 0x0c)).toEqual(['Encrypt', 'Decrypt']);
    expect(maskComponents(usage, 0x100000c)).toEqual(['Encrypt', 'Decrypt', '0x01000000']);
    expect(maskComponents(usage, 0)).toEqual(['0x00000000']);
    expect(maskValue(usage, ['CertificateSign', '0x00000004', '0x0000008'])).toBe(0x100c);
    expect(maskValue(usage, ['Bogus'])).toBeUndefined();
  });

  it('version-specific names: the 1.x spelling for a 1.x message', () => {
    const dsa = enumerationByName('DigitalSignatureAlgorithm')!;
    const v = dsa.valueOf('SHA_256WithRSAEncryption')!;
    expect(dsa.valueOf('SHA_256WithRSAEncryptionPKCS_1V1_5')).toBe(v);
    expect(dsa.nameOf(v, 1)).toBe('SHA_256WithRSAEncryptionPKCS_1V1_5');
    expect(dsa.nameOf(v, 2)).toBe('SHA_256WithRSAEncryption');
    expect(maskForTag(Tag.CryptographicUsageMask)!.nameOf(0x40, 1)).toBe('Export');
  });

  it('1.x Attribute Value context: the Attribute Name says which enumeration or mask', () => {
    expect(attributeValueSets('Cryptographic Algorithm')?.enumeration?.valueOf('AES')).toBe(3);
    expect(attributeValueSets('Cryptographic Usage Mask')?.mask?.valueOf('Sign')).toBe(1);
    expect(attributeValueSets('x-custom')).toBeUndefined();
    expect(attributeValueSets('Name')).toBeUndefined();
  });
});
