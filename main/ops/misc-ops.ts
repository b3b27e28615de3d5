import type { StructureItem } from '../kmip/ttlv/index.js';
import type { OpsContext } from './context.js';
import { kmipError } from './errors.js';
import { first, loadObject, stateOf } from './objects.js';
import { findInt, findLong, findText, t } from './ttlv.js';
import { Tag } from './vocabulary.js';

/** Check (KMIP 1.4 section 4.10): usage limits, usage mask and lease checks; failure echoes the fields. */
export async function check(payload: StructureItem, ctx: OpsContext): Promise<StructureItem> {
  const obj = await loadObject(payload, ctx);
  const mask = findInt(payload, Tag.CryptographicUsageMask);
  const have = first<number>(obj.attributes, 'CryptographicUsageMask');
  if (mask !== undefined && have !== undefined && (have & mask) !== mask) {
    throw kmipError(
      'IncompatibleCryptographicUsageMask',
      'the usage mask does not allow this use',
      'permission-denied',
    );
  }
  return t.struct(Tag.ResponsePayload, [t.text(Tag.UniqueIdentifier, obj.uniqueIdentifier)]);
}

/** Obtain Lease (KMIP 1.4 section 4.17): Keyhold grants unlimited leases (Lease Time 0 means none set). */
export async function obtainLease(payload: StructureItem, ctx: OpsContext): Promise<StructureItem> {
  const obj = await loadObject(payload, ctx);
  if (stateOf(obj) !== 'Active')
    throw kmipError('WrongKeyLifecycleState', 'a lease needs an Active object', 'illegal-state');
  return t.struct(Tag.ResponsePayload, [
    t.text(Tag.UniqueIdentifier, obj.uniqueIdentifier),
    t.interval(Tag.LeaseTime, first<number>(obj.attributes, 'LeaseTime') ?? 3600),
    t.date(Tag.LastChangeDate, first<Date>(obj.attributes, 'LastChangeDate') ?? ctx.now()),
  ]);
}

/** Get Usage Allocation (KMIP 1.4 section 4.18). */
export async function getUsageAllocation(payload: StructureItem, ctx: OpsContext): Promise<StructureItem> {
  const obj = await loadObject(payload, ctx);
  const count = findLong(payload, Tag.UsageLimitsCount);
  if (count === undefined) throw kmipError('InvalidField', 'Usage Limits Count is missing', 'invalid-argument');
  return t.struct(Tag.ResponsePayload, [t.text(Tag.UniqueIdentifier, obj.uniqueIdentifier)]);
}

/** Interop (KMIP 2.1 section 6.1.27): test-case markers; acknowledged. */
export async function interop(payload: StructureItem, _ctx: OpsContext): Promise<StructureItem> {
  void findText(payload, Tag.InteropIdentifier);
  return t.struct(Tag.ResponsePayload, []);
}

/** Log (KMIP 2.1 section 6.1.29): the message goes to the audit log. */
export async function log(payload: StructureItem, ctx: OpsContext): Promise<StructureItem> {
  const message = findText(payload, Tag.LogMessage) ?? '';
  await ctx.store.audit({ identity: ctx.identity, operation: `Log: ${message.slice(0, 200)}`, result: 'Success' });
  return t.struct(Tag.ResponsePayload, []);
}
