import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Vault } from '../../main/vault/index.js';
import { aesKey, createTempVault, disposeTempVault, type TempVaultPath } from './helpers.js';

let tmp: TempVaultPath;
let vault: Vault;

beforeEach(async () => {
  ({ tmp, vault } = await createTempVault());
});

afterEach(() => disposeTempVault({ tmp, vault }));

describe('Locate with countLocated', () => {
  // The count comes from the page when the page tells it (not full, not empty past an offset),
  // else from a count query: each shape must give the number of every match.
  it('counts every match whatever the page', async () => {
    for (const n of ['k-1', 'k-2', 'k-3', 'k-4', 'k-5']) await vault.insert(aesKey(n), 'alice');
    const count = async (extra: { maximumItems?: number; offsetItems?: number }) =>
      (await vault.locate({ attributes: { Name: [{ NameValue: 'k-*' }] }, countLocated: true, ...extra })).locatedItems;
    expect(await count({})).toBe(5);
    expect(await count({ maximumItems: 5 })).toBe(5);
    expect(await count({ maximumItems: 9 })).toBe(5);
    expect(await count({ maximumItems: 2 })).toBe(5);
    expect(await count({ maximumItems: 0 })).toBe(5);
    expect(await count({ offsetItems: 3 })).toBe(5);
    expect(await count({ offsetItems: 3, maximumItems: 9 })).toBe(5);
    expect(await count({ offsetItems: 5 })).toBe(5);
    expect(await count({ offsetItems: 9, maximumItems: 1 })).toBe(5);
    const none = await vault.locate({ attributes: { Name: [{ NameValue: 'nothing' }] }, countLocated: true });
    expect(none).toEqual({ uniqueIdentifiers: [], locatedItems: 0 });
  });
});
