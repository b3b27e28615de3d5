import { describe, expect, it } from 'vitest';
import { FieldTable, rulesFor } from '../../../main/kmip/messages/field-table.js';
import { asInteger, asText, item } from '../../../main/kmip/messages/fields.js';
import {
  MessageError,
  forVersion,
  ItemType,
  Tag,
  type StructureItem,
  type TtlvItem,
} from '../../../main/kmip/index.js';

/** A small model over real tags, to test the table on its own. */
interface Sample {
  count: number;
  name?: string;
  labels?: string[];
  size?: number;
  extra?: TtlvItem[];
}

const r = rulesFor<Sample>();
const rules = [
  r.one('name', Tag.NameValue, asText, item.text),
  r.many('labels', Tag.Description, asText, item.text),
  r.one('size', Tag.CryptographicLength, asInteger, item.integer),
  r.one('count', Tag.BatchCount, asInteger, item.integer, { required: true, derived: true }),
];
const keeping = new FieldTable<Sample>(Tag.Attributes, rules, 'extra');
const refusing = new FieldTable<Sample>(Tag.Attributes, rules, 'a Sample');

const s = (value: TtlvItem[]): StructureItem => ({ tag: Tag.Attributes, type: ItemType.Structure, value });

describe('FieldTable (the message model’s one reader and writer of headers and batch items)', () => {
  it('reads each field into its property, repeated ones into an array', () => {
    const read = keeping.read(
      s([
        item.text(Tag.Description, 'a'),
        item.text(Tag.NameValue, 'n'),
        item.text(Tag.Description, 'b'),
        item.integer(Tag.BatchCount, 2),
      ]),
    );
    expect(read).toEqual({ name: 'n', labels: ['a', 'b'], count: 2 });
    expect('size' in read).toBe(false);
  });

  it('keeps unknown and second single fields in extra, or refuses them, naming the tag', () => {
    const unknown = item.text(Tag.Username, 'u');
    const second = item.text(Tag.NameValue, 'again');
    const fields = [item.text(Tag.NameValue, 'n'), unknown, second, item.integer(Tag.BatchCount, 1)];
    expect(keeping.read(s(fields)).extra).toEqual([unknown, second]);
    const refused = (fs: TtlvItem[]): MessageError => {
      try {
        refusing.read(s(fs));
      } catch (e) {
        return e as MessageError;
      }
      throw new Error('expected a MessageError');
    };
    expect(refused(fields).message).toMatch(/unexpected field in a Sample/);
    expect(refused(fields).tag).toBe(Tag.Username);
    expect(refused([item.integer(Tag.BatchCount, 1), second, second]).tag).toBe(Tag.NameValue);
  });

  it('names a missing required field and a field of the wrong type', () => {
    const missing = (() => {
      try {
        keeping.read(s([item.text(Tag.NameValue, 'n')]));
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(missing).toBeInstanceOf(MessageError);
    expect((missing as MessageError).message).toMatch(/BatchCount is missing from Attributes/);
    expect(() => keeping.read(s([item.text(Tag.BatchCount, 'one')]))).toThrow(/BatchCount must be an Integer/);
    expect(() => keeping.read(item.text(Tag.Attributes, 'x'))).toThrow(MessageError);
  });

  it('writes in the rules’ order whatever the property order, leaving out derived and undefined fields', () => {
    const written = keeping.write({ size: 128, count: 9, name: undefined, labels: ['x', 'y'] });
    expect(written.map((f) => [f.tag, f.value])).toEqual([
      [Tag.Description, 'x'],
      [Tag.Description, 'y'],
      [Tag.CryptographicLength, 128],
    ]);
    const inOrder = keeping.write({ name: 'n', size: 1, count: 1 });
    expect(inOrder.map((f) => f.tag)).toEqual([Tag.NameValue, Tag.CryptographicLength]);
  });
});

describe('forVersion copies only what changes', () => {
  it('shares unchanged structures, copies the path to a stripped field, and answers the same on every call', () => {
    // Template Attribute and Name Value are 1.0 tags, Fresh is 1.1.
    const t = (value: TtlvItem[]): StructureItem => ({ tag: Tag.TemplateAttribute, type: ItemType.Structure, value });
    const untouched = t([item.text(Tag.NameValue, 'n')]);
    const changed = t([item.text(Tag.NameValue, 'n'), item.boolean(Tag.Fresh, true)]);
    const whole = t([untouched, changed]);
    for (let i = 0; i < 3; i++) {
      const v10 = forVersion(whole, { major: 1, minor: 0 });
      expect(v10).not.toBe(whole);
      expect(v10.value[0]).toBe(untouched);
      expect((v10.value[1] as StructureItem).value.map((c) => c.tag)).toEqual([Tag.NameValue]);
      expect(forVersion(whole, { major: 1, minor: 1 })).toBe(whole);
    }
  });
});
