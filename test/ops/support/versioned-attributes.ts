import type { TtlvItem } from '../../../main/kmip/ttlv/index.js';
import { t } from '../../../main/ops/ttlv.js';
import { Tag } from '../../../main/ops/vocabulary.js';

/**
 * Attributes in the shape of `version`: a 2.x Attributes structure of the tagged values, or a 1.x
 * Template Attribute of named Attribute structures.
 */
export function versionedAttributes(
  version: readonly [major: number, minor: number],
  attrs: [name: string, tag: number, value: TtlvItem][],
): TtlvItem {
  return version[0] >= 2
    ? t.struct(
        Tag.Attributes,
        attrs.map(([, tag, v]) => ({ ...v, tag }) as TtlvItem),
      )
    : t.struct(
        Tag.TemplateAttribute,
        attrs.map(([name, , v]) =>
          t.struct(Tag.Attribute, [t.text(Tag.AttributeName, name), { ...v, tag: Tag.AttributeValue } as TtlvItem]),
        ),
      );
}
