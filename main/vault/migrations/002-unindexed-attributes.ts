/**
 * Schema 2: fewer pages written per object.
 * - Attributes the server sets on every object, and the two Locate reads from columns, leave
 *   attr_index (Locate matches them against the stored JSON, see rows.ts UNINDEXED); only index
 *   rows are dropped, every attribute stays in the object's attributes JSON.
 * - A structure is indexed by its fields, by its whole value only when no field is (a whole row
 *   is one whose value is a JSON object, bytes excepted).
 * - The Activation and Deactivation Date indexes hold only objects that have the date: a new key
 *   has neither, and its Create no longer writes to them. Locate's date filters (comparisons,
 *   which imply NOT NULL) still use them.
 */
export const migration002 = `
DELETE FROM attr_index WHERE name IN (
  'UniqueIdentifier', 'ObjectType', 'Sensitive', 'AlwaysSensitive', 'Extractable', 'NeverExtractable', 'Fresh',
  'KeyFormatType', 'LeaseTime', 'ProtectionStorageMask', 'RandomNumberGenerator', 'LastChangeDate',
  'OriginalCreationDate', 'Digest', 'ShortUniqueIdentifier'
) OR name GLOB 'RandomNumberGenerator.*' OR name GLOB 'Digest.*';

DELETE FROM attr_index AS whole WHERE whole.value GLOB '{"*' AND whole.value NOT GLOB '{"$*' AND EXISTS (
  SELECT 1 FROM attr_index AS field
  WHERE field.seq = whole.seq AND field.idx = whole.idx AND field.name > whole.name || '.' AND field.name < whole.name || '/'
);

DROP INDEX objects_activation;
CREATE INDEX objects_activation ON objects (activation_date) WHERE activation_date IS NOT NULL;
DROP INDEX objects_deactivation;
CREATE INDEX objects_deactivation ON objects (deactivation_date) WHERE deactivation_date IS NOT NULL;
`;
