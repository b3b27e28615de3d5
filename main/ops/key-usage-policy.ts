import type { AttributeValue, ManagedObject } from '../vault/model.js';
import type { OpsContext } from './context.js';
import { kmipError } from './errors.js';
import { first, setSingle } from './objects.js';

/**
 * Applying protection (Encrypt, Sign, MAC) or processing protected data (Decrypt, Signature
 * Verify, MAC Verify): KMIP 1.4 sections 3.25/3.26 (2.1 sections 4.46/4.47) bound each by a date.
 */
export type KeyUse = 'protect' | 'process';

function toDate(v: AttributeValue | undefined): Date | undefined {
  if (v instanceof Date) return v;
  if (typeof v === 'bigint') return new Date(Number(v) * 1000);
  if (typeof v === 'number') return new Date(v * 1000);
  return undefined;
}

/**
 * Protect Stop Date: after it the key SHALL NOT apply protection. Process Start Date: before it
 * the key may not yet process protected data. The refusal is Permission Denied in 1.x and Wrong
 * Key Lifecycle State in 2.x (the OASIS CS-BC-M-14 and CS-AC-M-8 cases of each version).
 */
export function checkUseDates(obj: ManagedObject, use: KeyUse, ctx: Pick<OpsContext, 'now' | 'version'>): void {
  const refuse = (message: string) =>
    ctx.version.major >= 2
      ? kmipError('WrongKeyLifecycleState', message, 'illegal-state')
      : kmipError('PermissionDenied', message, 'permission-denied');
  const now = ctx.now().getTime();
  if (use === 'protect') {
    const stop = toDate(first(obj.attributes, 'ProtectStopDate'));
    if (stop && now > stop.getTime()) throw refuse('the key is past its Protect Stop Date');
  } else {
    const start = toDate(first(obj.attributes, 'ProcessStartDate'));
    if (start && now < start.getTime()) throw refuse('the key is before its Process Start Date');
  }
}

type Limits = { [k: string]: AttributeValue };

function asBigInt(v: AttributeValue | undefined): bigint | undefined {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
  return undefined;
}

/**
 * Usage Limits (KMIP 1.4 section 3.21, 2.1 section 4.55): Usage Limits Count is what remains of
 * Usage Limits Total, in bytes of data or in uses (Object). A use the remainder cannot cover is
 * refused (Permission Denied) and counts nothing; otherwise the remainder is lowered and stored
 * before the result is returned.
 */
export async function consumeUsage(obj: ManagedObject, dataBytes: number, ctx: OpsContext): Promise<void> {
  const limits = first<Limits>(obj.attributes, 'UsageLimits');
  if (
    !limits ||
    typeof limits !== 'object' ||
    Array.isArray(limits) ||
    limits instanceof Date ||
    limits instanceof Uint8Array
  )
    return;
  const total = asBigInt(limits['UsageLimitsTotal']);
  if (total === undefined) return;
  const remaining = asBigInt(limits['UsageLimitsCount']) ?? total;
  const unit = limits['UsageLimitsUnit'];
  const used = unit === 'Object' ? 1n : BigInt(dataBytes);
  if (used > remaining)
    throw kmipError('PermissionDenied', 'the key has reached its Usage Limits', 'permission-denied');
  setSingle(obj.attributes, 'UsageLimits', { ...limits, UsageLimitsCount: remaining - used });
  await ctx.store.put(obj, ctx.identity);
}
