/**
 * Schema 2. Attributes the server sets on every object from a handful of values, and the two
 * Locate reads from columns, leave attr_index (Locate matches them against the stored JSON, see
 * rows.ts UNINDEXED); a structure is indexed by its fields, by its whole value only when no field
 * is (a whole row is one whose value is a JSON object, bytes excepted). Only index rows are dropped: every attribute stays in the object's attributes JSON.
 */
export const migration002 = `
DELETE FROM attr_index WHERE name IN (
  'UniqueIdentifier', 'ObjectType', 'Sensitive', 'AlwaysSensitive', 'Extractable', 'NeverExtractable', 'Fresh',
  'KeyFormatType', 'LeaseTime', 'ProtectionStorageMask', 'RandomNumberGenerator', 'LastChangeDate',
  'OriginalCreationDate'
) OR name GLOB 'RandomNumberGenerator.*';

DELETE FROM attr_index AS whole WHERE whole.value GLOB '{"*' AND whole.value NOT GLOB '{"$*' AND EXISTS (
  SELECT 1 FROM attr_index AS field
  WHERE field.seq = whole.seq AND field.idx = whole.idx AND field.name > whole.name || '.' AND field.name < whole.name || '/'
);
`;
