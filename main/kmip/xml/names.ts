// Which enumeration or mask gives an item's value its names, with the 1.x Attribute context.
import { attributeValueSets, enumerationForTag, maskForTag, Tag, type ValueSet } from '../registry/index.js';

/**
 * The value set for an Enumeration (or the mask for an Integer) item. An Attribute Value (1.x)
 * takes it from the Attribute Name sibling that precedes it ("Cryptographic Algorithm" -> AES).
 */
export function enumerationFor(tag: number, attributeName: string | undefined): ValueSet | undefined {
  if (tag === Tag.AttributeValue) {
    return attributeName === undefined ? undefined : attributeValueSets(attributeName)?.enumeration;
  }
  return enumerationForTag(tag);
}

export function maskFor(tag: number, attributeName: string | undefined): ValueSet | undefined {
  if (tag === Tag.AttributeValue) {
    return attributeName === undefined ? undefined : attributeValueSets(attributeName)?.mask;
  }
  return maskForTag(tag);
}

/** The protocol major version a message declares (Request/Response Header, Protocol Version). */
export function declaredMajor(item: { tag: number; value: unknown }): number | undefined {
  if (!Array.isArray(item.value)) return undefined;
  for (const header of item.value as Array<{ tag: number; value: unknown }>) {
    if (header.tag !== Tag.RequestHeader && header.tag !== Tag.ResponseHeader) continue;
    if (!Array.isArray(header.value)) continue;
    for (const pv of header.value as Array<{ tag: number; value: unknown }>) {
      if (pv.tag !== Tag.ProtocolVersion || !Array.isArray(pv.value)) continue;
      for (const f of pv.value as Array<{ tag: number; value: unknown }>) {
        if (f.tag === Tag.ProtocolVersionMajor && typeof f.value === 'number') return f.value;
      }
    }
  }
  return undefined;
}
