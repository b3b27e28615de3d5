import { KeyholdError } from '../../../shared/errors.js';
import { tokenError } from './errors.js';
import type { Pkcs11Module } from './modules.js';
import { withTokenSession } from './session.js';
import { slotIdOf, type TokenSelector } from './tokens.js';

/**
 * C_InitToken: (re)initializes the token in slot `slotId` with a new label and SO PIN; every
 * object on it is destroyed. The module is reset afterwards because some modules (SoftHSM)
 * move an initialized token to a new slot.
 */
export function initToken(module: Pkcs11Module, slotId: number, soPin: string, label: string): void {
  const slots = module.get().getSlots(false);
  for (let i = 0; i < slots.length; i++) {
    const slot = slots.items(i);
    if (slotIdOf(slot) !== slotId) continue;
    try {
      slot.initToken(soPin, label);
    } catch (e) {
      throw tokenError(e, `initialize the token in slot ${slotId}`);
    } finally {
      module.reset();
    }
    return;
  }
  throw new KeyholdError('token', `no slot ${slotId} in ${module.path}`, { reason: 'Item Not Found' });
}

/** C_InitPIN as the security officer: sets (or resets, after a lock-out) the user PIN. */
export async function initUserPin(
  modules: readonly Pkcs11Module[],
  selector: TokenSelector,
  soPin: string,
  newPin: string,
): Promise<void> {
  await withTokenSession(modules, selector, { pin: soPin, loginAs: 'so' }, (s) => {
    try {
      s.session.initPin(newPin);
    } catch (e) {
      throw tokenError(e, `set the user PIN of token "${s.token.label}"`);
    }
  });
}

/** C_SetPIN: changes the user PIN (or, with `as: 'so'`, the SO PIN). */
export async function changePin(
  modules: readonly Pkcs11Module[],
  selector: TokenSelector,
  oldPin: string,
  newPin: string,
  as: 'user' | 'so' = 'user',
): Promise<void> {
  await withTokenSession(modules, selector, { pin: oldPin, loginAs: as }, (s) => {
    try {
      s.session.setPin(oldPin, newPin);
    } catch (e) {
      throw tokenError(e, `change the PIN of token "${s.token.label}"`);
    }
  });
}
