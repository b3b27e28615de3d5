import * as graphene from 'graphene-pk11';
import { KeyholdError } from '../../../shared/errors.js';
import { isRemovalError, tokenError } from './errors.js';
import type { Pkcs11Module } from './modules.js';

/** A mechanism a token supports (C_GetMechanismInfo), by its CKM_ name without the prefix. */
export interface MechanismInfo {
  name: string;
  minKeySize: number;
  maxKeySize: number;
  flags: string[];
}

/** A token in a slot (C_GetSlotInfo + C_GetTokenInfo). */
export interface TokenInfo {
  modulePath: string;
  /** The slot ID, as `--slot N` takes it. */
  slotId: number;
  slotDescription: string;
  label: string;
  manufacturer: string;
  model: string;
  serialNumber: string;
  /** CKF_ token flags by name, e.g. "LOGIN_REQUIRED", "TOKEN_INITIALIZED", "PROTECTED_AUTHENTICATION_PATH". */
  flags: string[];
  /** True when the reader has a PIN pad (CKF_PROTECTED_AUTHENTICATION_PATH): no PIN is sent. */
  pinPad: boolean;
  mechanisms?: MechanismInfo[];
}

/** Which token: by label, slot ID or serial number (the first that matches). */
export interface TokenSelector {
  label?: string;
  slot?: number;
  serial?: string;
}

const TOKEN_FLAGS: [number, string][] = [
  [0x1, 'RNG'],
  [0x2, 'WRITE_PROTECTED'],
  [0x4, 'LOGIN_REQUIRED'],
  [0x8, 'USER_PIN_INITIALIZED'],
  [0x20, 'RESTORE_KEY_NOT_NEEDED'],
  [0x40, 'CLOCK_ON_TOKEN'],
  [0x100, 'PROTECTED_AUTHENTICATION_PATH'],
  [0x200, 'DUAL_CRYPTO_OPERATIONS'],
  [0x400, 'TOKEN_INITIALIZED'],
  [0x800, 'SECONDARY_AUTHENTICATION'],
  [0x10000, 'USER_PIN_COUNT_LOW'],
  [0x20000, 'USER_PIN_FINAL_TRY'],
  [0x40000, 'USER_PIN_LOCKED'],
  [0x80000, 'USER_PIN_TO_BE_CHANGED'],
  [0x100000, 'SO_PIN_COUNT_LOW'],
  [0x200000, 'SO_PIN_FINAL_TRY'],
  [0x400000, 'SO_PIN_LOCKED'],
  [0x800000, 'SO_PIN_TO_BE_CHANGED'],
];

const MECH_FLAGS: [number, string][] = [
  [0x1, 'hw'],
  [0x100, 'encrypt'],
  [0x200, 'decrypt'],
  [0x400, 'digest'],
  [0x800, 'sign'],
  [0x2000, 'verify'],
  [0x8000, 'generate'],
  [0x10000, 'generate_key_pair'],
  [0x20000, 'wrap'],
  [0x40000, 'unwrap'],
  [0x80000, 'derive'],
];

const flagNames = (value: number, table: [number, string][]): string[] =>
  table.filter(([bit]) => (value & bit) !== 0).map(([, name]) => name);

/** The numeric slot ID of a graphene slot (its handle is the CK_SLOT_ID, little-endian). */
export function slotIdOf(slot: graphene.Slot): number {
  return Number(slot.handle.readBigUInt64LE(0));
}

const mechName = (type: number): string => {
  const name = graphene.MechanismEnum[type] as string | undefined;
  return name ?? `0x${type.toString(16).toUpperCase()}`;
};

/** The mechanisms of a slot. */
export function slotMechanisms(slot: graphene.Slot): MechanismInfo[] {
  const list = slot.getMechanisms();
  const out: MechanismInfo[] = [];
  for (let i = 0; i < list.length; i++) {
    const m = list.items(i);
    out.push({
      name: mechName(m.type),
      minKeySize: m.minKeySize,
      maxKeySize: m.maxKeySize,
      flags: flagNames(m.flags, MECH_FLAGS),
    });
  }
  return out;
}

/** Describes the token in a slot. */
export function describeToken(module: Pkcs11Module, slot: graphene.Slot, withMechanisms = false): TokenInfo {
  const token = slot.getToken();
  const info: TokenInfo = {
    modulePath: module.path,
    slotId: slotIdOf(slot),
    slotDescription: slot.slotDescription.trim(),
    label: token.label.trim(),
    manufacturer: token.manufacturerID.trim(),
    model: token.model.trim(),
    serialNumber: token.serialNumber.trim(),
    flags: flagNames(token.flags, TOKEN_FLAGS),
    pinPad: (token.flags & 0x100) !== 0,
  };
  if (withMechanisms) info.mechanisms = slotMechanisms(slot);
  return info;
}

/** One enumeration of a module's present tokens; on a removal-type failure the module is reset and asked again once. */
function enumerate(module: Pkcs11Module, withMechanisms: boolean): { slot: graphene.Slot; info: TokenInfo }[] {
  for (let attempt = 0; ; attempt++) {
    try {
      const slots = module.get().getSlots(true);
      const out: { slot: graphene.Slot; info: TokenInfo }[] = [];
      for (let i = 0; i < slots.length; i++) {
        const slot = slots.items(i);
        const info = describeToken(module, slot, withMechanisms);
        // SoftHSM always offers one empty slot for a new token; it is not a token to use.
        if (!info.flags.includes('TOKEN_INITIALIZED')) continue;
        out.push({ slot, info });
      }
      return out;
    } catch (e) {
      if (attempt === 0 && (isRemovalError(e) || e instanceof KeyholdError)) {
        module.reset();
        continue;
      }
      throw tokenError(e, `list the tokens of ${module.path}`);
    }
  }
}

/** The initialized tokens present in the given modules. */
export function listTokens(modules: readonly Pkcs11Module[], options: { mechanisms?: boolean } = {}): TokenInfo[] {
  return modules.flatMap((m) => enumerate(m, options.mechanisms ?? false).map((t) => t.info));
}

const matches = (info: TokenInfo, sel: TokenSelector): boolean =>
  (sel.label === undefined || info.label === sel.label) &&
  (sel.slot === undefined || info.slotId === sel.slot) &&
  (sel.serial === undefined || info.serialNumber === sel.serial);

export function describeSelector(sel: TokenSelector): string {
  const parts: string[] = [];
  if (sel.label !== undefined) parts.push(`labelled "${sel.label}"`);
  if (sel.slot !== undefined) parts.push(`in slot ${sel.slot}`);
  if (sel.serial !== undefined) parts.push(`with serial ${sel.serial}`);
  return parts.length === 0 ? 'token' : `token ${parts.join(' ')}`;
}

/** Finds the one token the selector names; refuses when none or (with no selector) several match. */
export function findToken(
  modules: readonly Pkcs11Module[],
  sel: TokenSelector,
): { module: Pkcs11Module; slot: graphene.Slot; info: TokenInfo } {
  const scan = () =>
    modules
      .flatMap((module) => enumerate(module, false).map((t) => ({ module, ...t })))
      .filter((t) => matches(t.info, sel));
  let hits = scan();
  if (hits.length === 0) {
    // Some modules (SoftHSM) enumerate tokens only at C_Initialize: start them afresh so a token
    // inserted since is seen without restarting Keyhold.
    for (const m of modules) m.reset();
    hits = scan();
  }
  if (hits.length === 0)
    throw new KeyholdError('token', `no ${describeSelector(sel)} is present; insert it and try again`, {
      reason: 'Item Not Found',
    });
  const unnamed = sel.label === undefined && sel.slot === undefined && sel.serial === undefined;
  if (unnamed && hits.length > 1)
    throw new KeyholdError('token', `${hits.length} tokens are present; pick one with --label or --slot`, {
      reason: 'Invalid Field',
    });
  return hits[0]!;
}
