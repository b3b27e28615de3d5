import { ItemType, type StructureItem } from '../kmip/ttlv/index.js';
import { atLeast, type OpsContext } from './context.js';
import { objectTypeValue } from './managed-object.js';
import { operationDefinedIn } from './operation-versions.js';
import { findAll, t } from './ttlv.js';
import { Tag, enumName } from './vocabulary.js';
import type { ObjectType } from '../vault/model.js';

/**
 * The object types Query (Objects) lists, each with the version that defined it: every one is in
 * KMIP 1.0 (Object Type 0x01-0x08) except Certificate Request (0x0A), which 2.0 added (PyKMIP's
 * enums mark it "KMIP 2.0"; the 1.4 table has no such value). Keyhold keeps no PGP Key (1.2).
 */
const objectTypesSince: readonly [ObjectType, major: number, minor: number][] = [
  ['SymmetricKey', 1, 0],
  ['PublicKey', 1, 0],
  ['PrivateKey', 1, 0],
  ['SecretData', 1, 0],
  ['OpaqueObject', 1, 0],
  ['Certificate', 1, 0],
  ['SplitKey', 1, 0],
  ['CertificateRequest', 2, 0],
];

export const queryableObjectTypes: ObjectType[] = objectTypesSince.map(([o]) => o);

/**
 * Query (KMIP 1.4 section 4.25): operations, object types, server information. Each list holds only
 * the values the request's protocol version defines (INTEROP-NOTES 1 applied to enumeration values):
 * a 1.0 client is not told of Discover Versions (1.1), Encrypt (1.2), Import (1.4) or Log (2.0).
 * Keyhold serves every operation in each version that defines it (Import and Export in their 1.4
 * form too, import-export.ts), so that is the whole rule.
 * The Query Functions answered (Operations, Objects, Server Information) are all 1.0 ones; any
 * other adds nothing (Keyhold reports no namespaces, extensions, profiles or capabilities).
 */
export function makeQuery(supported: () => number[]) {
  return async function query(payload: StructureItem, ctx: OpsContext): Promise<StructureItem> {
    const functions = new Set(
      findAll(payload, Tag.QueryFunction).map((f) =>
        f.type === ItemType.Enumeration ? enumName('QueryFunction', f.value) : '',
      ),
    );
    const items = [];
    if (functions.has('QueryOperations'))
      for (const op of supported()) if (operationDefinedIn(op, ctx.version)) items.push(t.enm(Tag.Operation, op));
    if (functions.has('QueryObjects')) {
      for (const [o, major, minor] of objectTypesSince)
        if (atLeast(ctx.version, major, minor)) items.push(t.enm(Tag.ObjectType, objectTypeValue(o)));
    }
    if (functions.has('QueryServerInformation')) {
      items.push(t.text(Tag.VendorIdentification, 'Keyhold'));
      items.push(t.struct(Tag.ServerInformation, []));
    }
    return t.struct(Tag.ResponsePayload, items);
  };
}
