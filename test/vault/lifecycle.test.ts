import { describe, expect, it } from 'vitest';
import { KeyholdError } from '../../shared/errors.js';
import {
  activate,
  currentState,
  destroy,
  effectiveState,
  initialAttributes,
  revoke,
} from '../../main/vault/lifecycle.js';
import type { Attributes, State } from '../../main/vault/model.js';

const now = new Date('2026-06-01T12:00:00Z');
const past = new Date('2026-01-01T00:00:00Z');
const future = new Date('2027-01-01T00:00:00Z');

function inState(state: State, extra: Attributes = {}): Attributes {
  return { State: [state], InitialDate: [past], ...extra };
}

function reasonOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    if (e instanceof KeyholdError) return e.reason;
    throw e;
  }
  return undefined;
}

describe('KMIP lifecycle (KMIP 1.4 section 3.22)', () => {
  it('starts Pre-Active, or Active when the Activation Date has passed (transition 1)', () => {
    expect(initialAttributes({}, now)['State']).toEqual(['PreActive']);
    expect(initialAttributes({}, now)['InitialDate']).toEqual([now]);
    expect(initialAttributes({ ActivationDate: [past] }, now)['State']).toEqual(['Active']);
    expect(initialAttributes({ ActivationDate: [future] }, now)['State']).toEqual(['PreActive']);
  });

  it('evaluates date-driven transitions on read', () => {
    expect(effectiveState('PreActive', future, undefined, now)).toBe('PreActive');
    expect(effectiveState('PreActive', past, undefined, now)).toBe('Active');
    expect(effectiveState('Active', undefined, past, now)).toBe('Deactivated');
    expect(effectiveState('PreActive', past, past, now)).toBe('Deactivated');
    // No transition from Pre-Active to Deactivated without activation.
    expect(effectiveState('PreActive', undefined, past, now)).toBe('PreActive');
    expect(effectiveState('Compromised', past, past, now)).toBe('Compromised');
    expect(currentState(inState('Active', { DeactivationDate: [future] }), now)).toBe('Active');
  });

  it('Activate moves Pre-Active to Active and sets the Activation Date to now (transition 4)', () => {
    const a = activate(inState('PreActive'), now);
    expect(a['State']).toEqual(['Active']);
    expect(a['ActivationDate']).toEqual([now]);
    for (const s of ['Active', 'Deactivated', 'Compromised', 'Destroyed', 'DestroyedCompromised'] as State[]) {
      expect(reasonOf(() => activate(inState(s), now))).toBe('Wrong Key Lifecycle State');
    }
  });

  it('Revoke with a compromise reason: Compromised with Compromise (Occurrence) Date (3, 5, 8, 10)', () => {
    for (const s of ['PreActive', 'Active', 'Deactivated'] as State[]) {
      const r = revoke(inState(s), 'SymmetricKey', { RevocationReasonCode: 'KeyCompromise' }, undefined, now);
      expect(r['State']).toEqual(['Compromised']);
      expect(r['CompromiseDate']).toEqual([now]);
      // Without an occurrence date given, the Initial Date is used.
      expect(r['CompromiseOccurrenceDate']).toEqual([past]);
      expect(r['RevocationReason']).toEqual([{ RevocationReasonCode: 'KeyCompromise' }]);
    }
    const given = new Date('2026-03-03T00:00:00Z');
    const d = revoke(inState('Destroyed'), 'SymmetricKey', { RevocationReasonCode: 'CACompromise' }, given, now);
    expect(d['State']).toEqual(['DestroyedCompromised']);
    expect(d['CompromiseOccurrenceDate']).toEqual([given]);
    for (const s of ['Compromised', 'DestroyedCompromised'] as State[]) {
      expect(
        reasonOf(() => revoke(inState(s), 'SymmetricKey', { RevocationReasonCode: 'KeyCompromise' }, undefined, now)),
      ).toBe('Wrong Key Lifecycle State');
    }
  });

  it('Revoke with another reason deactivates an Active object only (transition 6)', () => {
    const r = revoke(
      inState('Active'),
      'SymmetricKey',
      { RevocationReasonCode: 'CessationOfOperation', RevocationMessage: 'retired' },
      undefined,
      now,
    );
    expect(r['State']).toEqual(['Deactivated']);
    expect(r['DeactivationDate']).toEqual([now]);
    expect(r['RevocationReason']).toEqual([
      { RevocationReasonCode: 'CessationOfOperation', RevocationMessage: 'retired' },
    ]);
    for (const s of ['PreActive', 'Deactivated', 'Compromised', 'Destroyed'] as State[]) {
      expect(
        reasonOf(() => revoke(inState(s), 'SymmetricKey', { RevocationReasonCode: 'Superseded' }, undefined, now)),
      ).toBe('Wrong Key Lifecycle State');
    }
    expect(
      reasonOf(() => revoke(inState('Active'), 'SymmetricKey', { RevocationReasonCode: 'Superseded' }, past, now)),
    ).toBe('Invalid Field');
    expect(
      reasonOf(() => revoke(inState('Active'), 'Template', { RevocationReasonCode: 'KeyCompromise' }, undefined, now)),
    ).toBe('Invalid Object Type');
  });

  it('Destroy: Pre-Active and Deactivated to Destroyed, Compromised to Destroyed Compromised (2, 7, 9)', () => {
    expect(destroy(inState('PreActive'), now)['State']).toEqual(['Destroyed']);
    expect(destroy(inState('Deactivated'), now)['State']).toEqual(['Destroyed']);
    expect(destroy(inState('Deactivated'), now)['DestroyDate']).toEqual([now]);
    expect(destroy(inState('Compromised'), now)['State']).toEqual(['DestroyedCompromised']);
    for (const s of ['Active', 'Destroyed', 'DestroyedCompromised'] as State[]) {
      expect(reasonOf(() => destroy(inState(s), now))).toBe('Wrong Key Lifecycle State');
    }
    // An Active object whose Deactivation Date has passed is Deactivated, so it may be destroyed.
    expect(destroy(inState('Active', { DeactivationDate: [past] }), now)['State']).toEqual(['Destroyed']);
  });
});
