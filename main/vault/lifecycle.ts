import { KeyholdError } from '../../shared/errors.js';
import type { AttributeValue, Attributes, ObjectType, State } from './model.js';

/**
 * The KMIP key lifecycle (KMIP 1.4 section 3.22, the same in 2.1 section 4.57): the ten
 * permitted transitions and the dates each one sets. Pure functions over an object's
 * attributes; the vault stores what they return.
 */

export const WRONG_STATE = 'Wrong Key Lifecycle State';

/** Revocation Reason Code values that mean compromise (transitions 3, 5, 8, 10). */
const COMPROMISE_REASONS = new Set(['KeyCompromise', 'CACompromise']);

export function dateOf(attributes: Attributes, name: string): Date | undefined {
  const v = attributes[name]?.[0];
  return v instanceof Date ? v : undefined;
}

/**
 * The state as of `now`: transitions driven by dates happen when read, not by a timer.
 * Pre-Active becomes Active once the Activation Date is reached (transition 4), and Active
 * becomes Deactivated once the Deactivation Date is reached (transition 6). There is no
 * transition from Pre-Active straight to Deactivated, so a passed Deactivation Date alone
 * leaves a Pre-Active object as it is.
 */
export function effectiveState(
  stored: State,
  activation: Date | undefined,
  deactivation: Date | undefined,
  now: Date,
): State {
  let s = stored;
  if (s === 'PreActive' && activation !== undefined && activation.getTime() <= now.getTime()) s = 'Active';
  if (s === 'Active' && deactivation !== undefined && deactivation.getTime() <= now.getTime()) s = 'Deactivated';
  return s;
}

export function currentState(attributes: Attributes, now: Date): State {
  const stored = attributes['State']?.[0];
  const s = typeof stored === 'string' ? (stored as State) : 'PreActive';
  return effectiveState(s, dateOf(attributes, 'ActivationDate'), dateOf(attributes, 'DeactivationDate'), now);
}

function refuse(operation: string, state: State): never {
  throw new KeyholdError('illegal-state', `${operation} is not permitted in state ${state}`, { reason: WRONG_STATE });
}

function set(attributes: Attributes, changes: Record<string, AttributeValue | undefined>): Attributes {
  const out: Attributes = { ...attributes };
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined) delete out[k];
    else out[k] = [v];
  }
  return out;
}

/** The state a new object starts in (transition 1): Active at once if its Activation Date has passed. */
export function initialAttributes(attributes: Attributes, now: Date): Attributes {
  const withDate = attributes['InitialDate']?.[0] instanceof Date ? attributes : set(attributes, { InitialDate: now });
  const state = effectiveState(
    'PreActive',
    dateOf(withDate, 'ActivationDate'),
    dateOf(withDate, 'DeactivationDate'),
    now,
  );
  return set(withDate, { State: state });
}

/** Activate (transition 4): Pre-Active only; the Activation Date becomes now. */
export function activate(attributes: Attributes, now: Date): Attributes {
  const state = currentState(attributes, now);
  if (state !== 'PreActive') refuse('Activate', state);
  return set(attributes, { State: 'Active', ActivationDate: now });
}

export interface RevocationReason {
  /** Revocation Reason Code by name: "KeyCompromise", "CACompromise", "CessationOfOperation"... */
  RevocationReasonCode: string;
  RevocationMessage?: string;
}

/**
 * Revoke. A compromise reason moves Pre-Active, Active and Deactivated objects to Compromised
 * and Destroyed ones to Destroyed Compromised (transitions 3, 5, 8, 10), setting Compromise
 * Date to now and Compromise Occurrence Date to the one given or else the Initial Date. Any
 * other reason moves an Active object to Deactivated with the Deactivation Date now (6).
 */
export function revoke(
  attributes: Attributes,
  objectType: ObjectType,
  reason: RevocationReason,
  compromiseOccurrenceDate: Date | undefined,
  now: Date,
): Attributes {
  if (objectType === 'Template') {
    throw new KeyholdError('invalid-argument', 'a Template cannot be revoked', { reason: 'Invalid Object Type' });
  }
  const state = currentState(attributes, now);
  const reasonValue: AttributeValue =
    reason.RevocationMessage === undefined
      ? { RevocationReasonCode: reason.RevocationReasonCode }
      : { RevocationReasonCode: reason.RevocationReasonCode, RevocationMessage: reason.RevocationMessage };
  if (COMPROMISE_REASONS.has(reason.RevocationReasonCode)) {
    let next: State;
    if (state === 'PreActive' || state === 'Active' || state === 'Deactivated') next = 'Compromised';
    else if (state === 'Destroyed') next = 'DestroyedCompromised';
    else refuse('Revoke (compromise)', state);
    return set(attributes, {
      State: next,
      CompromiseDate: now,
      CompromiseOccurrenceDate: compromiseOccurrenceDate ?? dateOf(attributes, 'InitialDate') ?? now,
      RevocationReason: reasonValue,
    });
  }
  if (compromiseOccurrenceDate !== undefined) {
    throw new KeyholdError('invalid-argument', 'a Compromise Occurrence Date is only given with a compromise reason', {
      reason: 'Invalid Field',
    });
  }
  if (state !== 'Active') refuse('Revoke', state);
  return set(attributes, { State: 'Deactivated', DeactivationDate: now, RevocationReason: reasonValue });
}

/**
 * Destroy (transitions 2, 7, 9): Pre-Active and Deactivated become Destroyed, Compromised
 * becomes Destroyed Compromised; an Active object must be deactivated first.
 */
export function destroy(attributes: Attributes, now: Date): Attributes {
  const state = currentState(attributes, now);
  let next: State;
  if (state === 'PreActive' || state === 'Deactivated') next = 'Destroyed';
  else if (state === 'Compromised') next = 'DestroyedCompromised';
  else refuse('Destroy', state);
  return set(attributes, { State: next, DestroyDate: now });
}

/**
 * Materializes date-driven transitions after a client changed Activation or Deactivation Date
 * (transitions 4 and 6 "by Modify Attribute").
 */
export function settle(attributes: Attributes, now: Date): Attributes {
  const state = currentState(attributes, now);
  return attributes['State']?.[0] === state ? attributes : set(attributes, { State: state });
}

export function isDestroyed(state: State): boolean {
  return state === 'Destroyed' || state === 'DestroyedCompromised';
}
