import { describe, expect, it } from 'vitest';
import { ItemType } from '../../main/kmip/index.js';

describe('ItemType', () => {
  it('has the type bytes of KMIP 1.4 section 9.1.1.2', () => {
    expect(ItemType.Structure).toBe(0x01);
    expect(ItemType.DateTimeExtended).toBe(0x0b);
  });
});
