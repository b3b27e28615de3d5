import type { StructureItem } from '../kmip/ttlv/index.js';
import type { ManagedObject } from '../vault/model.js';
import type { OpsContext } from './context.js';
import { kmipError } from './errors.js';
import { loadObject, setSingle, stateOf, touch } from './objects.js';
import { findDate, findEnum, findStruct, findText, t } from './ttlv.js';
import { Tag, enumName } from './vocabulary.js';

function answer(obj: ManagedObject): StructureItem {
  return t.struct(Tag.ResponsePayload, [t.text(Tag.UniqueIdentifier, obj.uniqueIdentifier)]);
}

function wrongState(obj: ManagedObject, op: string): Error {
  return kmipError('WrongKeyLifecycleState', `${op} is not allowed in state ${stateOf(obj)}`, 'illegal-state');
}

/** Activate (KMIP 1.4 section 4.19): Pre-Active -> Active. */
export async function activate(payload: StructureItem, ctx: OpsContext): Promise<StructureItem> {
  const obj = await loadObject(payload, ctx);
  if (stateOf(obj) !== 'PreActive') throw wrongState(obj, 'Activate');
  setSingle(obj.attributes, 'State', 'Active');
  setSingle(obj.attributes, 'ActivationDate', ctx.now());
  touch(obj, ctx);
  await ctx.store.put(obj, ctx.identity);
  return answer(obj);
}

/** Revoke (KMIP 1.4 section 4.20): Key Compromise -> Compromised, otherwise Deactivated. */
export async function revoke(payload: StructureItem, ctx: OpsContext): Promise<StructureItem> {
  const obj = await loadObject(payload, ctx);
  const reason = findStruct(payload, Tag.RevocationReason);
  const code = enumName('RevocationReasonCode', findEnum(reason, Tag.RevocationReasonCode) ?? 1);
  const message = findText(reason, Tag.RevocationMessage);
  const state = stateOf(obj);
  const now = ctx.now();
  if (code === 'KeyCompromise' || code === 'CACompromise') {
    if (state === 'Destroyed' || state === 'DestroyedCompromised') {
      setSingle(obj.attributes, 'State', 'DestroyedCompromised');
    } else {
      setSingle(obj.attributes, 'State', 'Compromised');
    }
    setSingle(obj.attributes, 'CompromiseDate', now);
    setSingle(obj.attributes, 'CompromiseOccurrenceDate', findDate(payload, Tag.CompromiseOccurrenceDate) ?? now);
  } else {
    if (state !== 'Active' && state !== 'PreActive') throw wrongState(obj, 'Revoke');
    setSingle(obj.attributes, 'State', 'Deactivated');
    setSingle(obj.attributes, 'DeactivationDate', now);
  }
  setSingle(obj.attributes, 'RevocationReason', {
    RevocationReasonCode: code,
    ...(message !== undefined ? { RevocationMessage: message } : {}),
  });
  touch(obj, ctx);
  await ctx.store.put(obj, ctx.identity);
  return answer(obj);
}

/** Destroy (KMIP 1.4 section 4.21): key material is removed; metadata stays. Active objects must be revoked first. */
export async function destroy(payload: StructureItem, ctx: OpsContext): Promise<StructureItem> {
  const obj = await loadObject(payload, ctx);
  const state = stateOf(obj);
  if (state === 'Active') throw wrongState(obj, 'Destroy');
  if (state === 'Destroyed' || state === 'DestroyedCompromised')
    throw kmipError('ObjectDestroyed', 'already destroyed', 'illegal-state');
  setSingle(obj.attributes, 'State', state === 'Compromised' ? 'DestroyedCompromised' : 'Destroyed');
  setSingle(obj.attributes, 'DestroyDate', ctx.now());
  if (obj.keyBlock?.keyMaterial instanceof Uint8Array) obj.keyBlock.keyMaterial.fill(0);
  delete obj.keyBlock;
  delete obj.value;
  touch(obj, ctx);
  await ctx.store.put(obj, ctx.identity);
  return answer(obj);
}

/** Archive (KMIP 1.4 section 4.22): marks the object archived (Storage Status Mask). */
export async function archive(payload: StructureItem, ctx: OpsContext): Promise<StructureItem> {
  const obj = await loadObject(payload, ctx);
  setSingle(obj.attributes, 'ArchiveDate', ctx.now());
  touch(obj, ctx);
  await ctx.store.put(obj, ctx.identity);
  return answer(obj);
}

/** Recover (KMIP 1.4 section 4.23). */
export async function recover(payload: StructureItem, ctx: OpsContext): Promise<StructureItem> {
  const obj = await loadObject(payload, ctx);
  delete obj.attributes.ArchiveDate;
  touch(obj, ctx);
  await ctx.store.put(obj, ctx.identity);
  return answer(obj);
}
