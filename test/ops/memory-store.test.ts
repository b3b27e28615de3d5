import { describe, expect, it } from 'vitest';
import { MemoryObjectStore } from '../../main/ops/index.js';
import type { ManagedObject } from '../../main/vault/model.js';

const key = (uid: string, state: string): ManagedObject => ({
  uniqueIdentifier: uid,
  objectType: 'SymmetricKey',
  keyBlock: { keyFormatType: 'Raw', keyMaterial: new Uint8Array([1, 2, 3, 4]) },
  attributes: { State: [state] },
  owner: 'alice',
});

describe('MemoryObjectStore.undoable (Batch Error Continuation Option Undo)', () => {
  it('undoing restores changed objects, including ones changed in place, removes new ones and drops audit entries', async () => {
    const store = new MemoryObjectStore();
    await store.put(key('a', 'PreActive'));
    await store.audit({ identity: 'alice', operation: 'Register', uniqueIdentifier: 'a', result: 'Success' });
    const r = await store.undoable(async () => {
      const a = (await store.get('a')) as ManagedObject;
      a.attributes.State = ['Active'];
      (a.keyBlock?.keyMaterial as Uint8Array).fill(9);
      await store.put(a);
      await store.put(key('b', 'PreActive'));
      await store.audit({ identity: 'alice', operation: 'Activate', uniqueIdentifier: 'a', result: 'Success' });
      return { result: 'answer', undo: true };
    });
    expect(r).toBe('answer');
    const a = await store.get('a');
    expect(a?.attributes.State).toEqual(['PreActive']);
    expect(a?.keyBlock?.keyMaterial).toEqual(new Uint8Array([1, 2, 3, 4]));
    expect(await store.get('b')).toBeUndefined();
    expect(store.auditLog.map((e) => e.operation)).toEqual(['Register']);
  });

  it('keeps the changes when not undone, and restores when body throws', async () => {
    const store = new MemoryObjectStore();
    await store.put(key('a', 'PreActive'));
    await store.undoable(async () => {
      await store.put(key('a', 'Active'));
      return { result: undefined, undo: false };
    });
    expect((await store.get('a'))?.attributes.State).toEqual(['Active']);
    await expect(
      store.undoable(async () => {
        await store.put(key('a', 'Deactivated'));
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect((await store.get('a'))?.attributes.State).toEqual(['Active']);
  });
});
