import { describe, expect, it } from 'vitest';
import {
  ItemType,
  newIdPlaceholder,
  Tag,
  updateIdPlaceholder,
  withIdPlaceholder,
  type StructureItem,
} from '../../../main/kmip/index.js';

const payload = (...value: StructureItem['value']): StructureItem => ({
  tag: Tag.RequestPayload,
  type: ItemType.Structure,
  value,
});

describe('ID placeholder (libmongocrypt: Register then Activate in one batch)', () => {
  it('fills the Unique Identifier an item omits from the previous result', () => {
    const placeholder = newIdPlaceholder();
    const activate = payload();
    expect(withIdPlaceholder(activate, placeholder)).toBe(activate);
    updateIdPlaceholder(placeholder, payload({ tag: Tag.UniqueIdentifier, type: ItemType.TextString, value: 'k-1' }));
    expect(withIdPlaceholder(activate, placeholder).value).toEqual([
      { tag: Tag.UniqueIdentifier, type: ItemType.TextString, value: 'k-1' },
    ]);
    const explicit = payload({ tag: Tag.UniqueIdentifier, type: ItemType.TextString, value: 'other' });
    expect(withIdPlaceholder(explicit, placeholder)).toBe(explicit);
  });

  it('takes the private key of a Create Key Pair', () => {
    const placeholder = newIdPlaceholder();
    updateIdPlaceholder(
      placeholder,
      payload(
        { tag: Tag.PrivateKeyUniqueIdentifier, type: ItemType.TextString, value: 'priv' },
        { tag: Tag.PublicKeyUniqueIdentifier, type: ItemType.TextString, value: 'pub' },
      ),
    );
    expect(placeholder.current).toBe('priv');
  });
});
