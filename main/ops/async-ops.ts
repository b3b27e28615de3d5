import type { StructureItem } from '../kmip/ttlv/index.js';
import { atLeast, type OpsContext } from './context.js';
import { kmipError } from './errors.js';
import { findBytes, t } from './ttlv.js';
import { Tag } from './vocabulary.js';

/**
 * Keyhold's server never answers an operation asynchronously (it never returns Operation Pending),
 * so no Asynchronous Correlation Value is ever outstanding. Poll and Cancel are still served so
 * clients get the spec's answers rather than Operation Not Supported.
 */

/** Cancellation Result (KMIP 1.4 section 9.1.3.2.25 / 2.1 section 11.6): Unavailable. */
const CANCELLATION_UNAVAILABLE = 0x05;

function correlationValue(payload: StructureItem): Uint8Array {
  const acv = findBytes(payload, Tag.AsynchronousCorrelationValue);
  if (acv === undefined)
    throw kmipError('InvalidField', 'Asynchronous Correlation Value is missing', 'invalid-argument');
  return acv;
}

/** Poll (KMIP 1.4 section 4.30 / 2.1 section 6.1.35): no pending operation exists, so every value is unknown. */
export async function poll(payload: StructureItem, ctx: OpsContext): Promise<StructureItem> {
  correlationValue(payload);
  // 1.4 section 11.29 says Item Not Found; 2.1 section 6.1.38.1 names Invalid Asynchronous Correlation Value.
  throw kmipError(
    atLeast(ctx.version, 2, 0) ? 'InvalidAsynchronousCorrelationValue' : 'ItemNotFound',
    'no asynchronous operation with this correlation value is pending',
    'not-found',
  );
}

/** Cancel (KMIP 1.4 section 4.29 / 2.1 section 6.1.5): nothing is pending, so the result is Unavailable. */
export async function cancel(payload: StructureItem, _ctx: OpsContext): Promise<StructureItem> {
  const acv = correlationValue(payload);
  return t.struct(Tag.ResponsePayload, [
    t.bytes(Tag.AsynchronousCorrelationValue, acv),
    t.enm(Tag.CancellationResult, CANCELLATION_UNAVAILABLE),
  ]);
}
