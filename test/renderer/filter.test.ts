import { describe, expect, it } from 'vitest';
import type { ObjectSummary } from '../../shared/api/index.js';
import { distinct, emptyFilter, filterObjects, searchIndex } from '../../renderer/src/store/filter.js';

const list: ObjectSummary[] = [
  {
    uniqueIdentifier: 'u-1',
    objectType: 'SymmetricKey',
    state: 'Active',
    name: 'Backup Key',
    cryptographicAlgorithm: 'AES',
    initialDate: '2026-01-10T10:00:00Z',
  },
  {
    uniqueIdentifier: 'u-2',
    objectType: 'PrivateKey',
    state: 'PreActive',
    name: 'tls',
    cryptographicAlgorithm: 'EC',
    curve: 'P-256',
    initialDate: '2026-02-01T00:00:00Z',
  },
  { uniqueIdentifier: 'u-3', objectType: 'Certificate', state: 'Active', initialDate: '2026-03-05T23:59:00Z' },
];
const index = searchIndex(list);
const ids = (f: Partial<typeof emptyFilter>) =>
  filterObjects(list, index, { ...emptyFilter, ...f }).map((o) => o.uniqueIdentifier);

describe('object filtering', () => {
  it('matches text case-insensitively in name, identifier, algorithm and curve', () => {
    expect(ids({ text: 'backup' })).toEqual(['u-1']);
    expect(ids({ text: 'U-3' })).toEqual(['u-3']);
    expect(ids({ text: 'p-256' })).toEqual(['u-2']);
    expect(ids({ text: '  aes ' })).toEqual(['u-1']);
    expect(ids({})).toEqual(['u-1', 'u-2', 'u-3']);
  });

  it('combines type, state, algorithm and date filters', () => {
    expect(ids({ state: 'Active' })).toEqual(['u-1', 'u-3']);
    expect(ids({ state: 'Active', objectType: 'Certificate' })).toEqual(['u-3']);
    expect(ids({ algorithm: 'EC' })).toEqual(['u-2']);
    expect(ids({ createdFrom: '2026-02-01' })).toEqual(['u-2', 'u-3']);
    expect(ids({ createdTo: '2026-02-01' })).toEqual(['u-1', 'u-2']);
    expect(ids({ createdFrom: '2026-03-05', createdTo: '2026-03-05' })).toEqual(['u-3']);
  });

  it('lists the distinct values for the menus', () => {
    expect(distinct(list, 'state')).toEqual(['Active', 'PreActive']);
    expect(distinct(list, 'cryptographicAlgorithm')).toEqual(['AES', 'EC']);
  });
});
