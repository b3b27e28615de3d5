import type { ServerStatus } from '../../shared/api/index.js';

/** An enrolled, unrevoked, non-admin client with no Credential and no grants: alice. */
export function clientEntry(overrides: Partial<ServerStatus['clients'][number]> = {}): ServerStatus['clients'][number] {
  return {
    name: 'alice',
    serialNumber: '0A',
    notAfter: '2027-11-29T00:00:00.000Z',
    revoked: false,
    admin: false,
    credentialRequired: false,
    grants: [],
    ...overrides,
  };
}
