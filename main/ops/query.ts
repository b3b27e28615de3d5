import { enumerationByName } from '../kmip/registry/index.js';
import { ItemType, type StructureItem } from '../kmip/ttlv/index.js';
import type { OpsContext, ProtocolVersion } from './context.js';
import { objectTypeValue } from './managed-object.js';
import { findAll, t } from './ttlv.js';
import { Tag, enumName } from './vocabulary.js';
import type { ObjectType } from '../vault/model.js';

export const queryableObjectTypes: ObjectType[] = [
  'SymmetricKey',
  'PublicKey',
  'PrivateKey',
  'SecretData',
  'OpaqueObject',
  'Certificate',
  'SplitKey',
  'CertificateRequest',
];

const operationEnumeration = enumerationByName('Operation');

/**
 * True when a client speaking `version` knows the operation: the 2.x operations (PKCS#11, Import,
 * Export, Log, Interop...) are listed only to 2.x clients, a 1.x client could not name them.
 */
export function operationDefinedIn(operation: number, version: ProtocolVersion): boolean {
  return version.major >= 2 || operationEnumeration?.definition(operation)?.since !== '2.x';
}

/** Query (KMIP 1.4 section 4.25): operations, object types, server information. */
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
      for (const o of queryableObjectTypes) {
        if (o === 'CertificateRequest' && ctx.version.major < 2) continue;
        items.push(t.enm(Tag.ObjectType, objectTypeValue(o)));
      }
    }
    if (functions.has('QueryServerInformation')) {
      items.push(t.text(Tag.VendorIdentification, 'Keyhold'));
      items.push(t.struct(Tag.ServerInformation, []));
    }
    return t.struct(Tag.ResponsePayload, items);
  };
}
