import { describe, expect, it } from 'vitest';
import type { StructureItem, TtlvItem } from '../../main/kmip/ttlv/index.js';
import { find, findAll, t } from '../../main/ops/ttlv.js';
import { Operation, Tag } from '../../main/ops/vocabulary.js';
import { opsHarness, payloadOf } from './ops-harness.js';

/**
 * Sensitive, Always Sensitive, Extractable and Never Extractable are KMIP 1.4 attributes (1.4
 * sections 3.48-3.51): every object has them, a no-name Get Attributes returns them to a 1.4 (and
 * 2.x) client as Get Attribute List names them, and a 1.3 client sees them in neither answer.
 */
const FOUR = ['Sensitive', 'Always Sensitive', 'Extractable', 'Never Extractable'];

const attribute = (name: string, value: TtlvItem): StructureItem =>
  t.struct(Tag.Attribute, [t.text(Tag.AttributeName, name), { ...value, tag: Tag.AttributeValue }]);

async function createKey(h: ReturnType<typeof opsHarness>, version: [number, number]): Promise<string> {
  const r = await h.send(
    Operation.Create,
    [
      t.enm(Tag.ObjectType, 2),
      t.struct(Tag.TemplateAttribute, [
        attribute('Cryptographic Algorithm', t.enm(0, 3)),
        attribute('Cryptographic Length', t.int(0, 128)),
        attribute('Cryptographic Usage Mask', t.int(0, 12)),
      ]),
    ],
    { version },
  );
  return (find(payloadOf(r), Tag.UniqueIdentifier) as { value: string }).value;
}

const namesIn = (payload: StructureItem): string[] =>
  findAll(payload, Tag.Attribute).map((a) => (find(a as StructureItem, Tag.AttributeName) as { value: string }).value);
const listed = (payload: StructureItem): string[] =>
  findAll(payload, Tag.AttributeName).map((n) => (n as { value: string }).value);

describe('Get Attributes with no names and Get Attribute List agree, per version', () => {
  for (const [version, expectFour] of [
    [[1, 4], true],
    [[1, 3], false],
  ] as const) {
    it(`KMIP ${version.join('.')}: the four 1.4 attributes are ${expectFour ? 'in' : 'in neither'} both answers`, async () => {
      const h = opsHarness();
      const uid = await createKey(h, [version[0], version[1]]);
      const all = payloadOf(
        await h.send(Operation.GetAttributes, [t.text(Tag.UniqueIdentifier, uid)], { version: [...version] }),
      );
      const list = payloadOf(
        await h.send(Operation.GetAttributeList, [t.text(Tag.UniqueIdentifier, uid)], { version: [...version] }),
      );
      expect(new Set(namesIn(all))).toEqual(new Set(listed(list)));
      for (const name of FOUR) {
        expect(namesIn(all).includes(name)).toBe(expectFour);
        expect(listed(list).includes(name)).toBe(expectFour);
      }
    });
  }
});
