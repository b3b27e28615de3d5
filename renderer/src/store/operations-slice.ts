/**
 * The wizards' operations: each calls the API, refreshes what it changed and hands the Result back
 * to the wizard for its last step. Secrets given here (export passphrases) are passed through and
 * never kept.
 */
import type { KeyholdApi, Request, Response, Result } from '../../../shared/api/index.js';
import type { SliceCreator } from './types.js';

type Op<K extends keyof KeyholdApi & string> = (request: Request<K>) => Promise<Result<Response<K>>>;

export interface OperationsSlice {
  generateKey: Op<'keys.generate'>;
  createCsr: Op<'csr.create'>;
  signCsr: Op<'ca.sign'>;
  caStatus: Op<'ca.status'>;
  createCa: Op<'ca.create'>;
  importCertificate: Op<'certificates.import'>;
  inspectCertificate: Op<'certificates.inspect'>;
  exportObject: Op<'objects.export'>;
  serverStatus: Op<'server.status'>;
  startServer: Op<'server.start'>;
  stopServer: Op<'server.stop'>;
  enrollClient: Op<'server.enroll'>;
  revokeClient: Op<'server.revoke'>;
  grantObject: Op<'server.grant'>;
  ungrantObject: Op<'server.ungrant'>;
  /** Passes the client's Credential password through to the engine; the store never keeps it. */
  setClientCredential: Op<'server.setCredential'>;
  clearClientCredential: Op<'server.clearCredential'>;
}

export const createOperationsSlice: SliceCreator<OperationsSlice> = (api) => (_set, get) => {
  function wrap<K extends keyof KeyholdApi & string>(name: K, refresh: boolean): Op<K> {
    const call = api[name] as unknown as Op<K>;
    return async (request) => {
      const r = await call(request);
      if (!r.ok && r.error.code === 'vault-locked') get().noteLocked();
      if (r.ok && refresh) void get().loadObjects();
      return r;
    };
  }
  return {
    generateKey: wrap('keys.generate', true),
    createCsr: wrap('csr.create', true),
    signCsr: wrap('ca.sign', true),
    caStatus: wrap('ca.status', false),
    createCa: wrap('ca.create', true),
    importCertificate: wrap('certificates.import', true),
    inspectCertificate: wrap('certificates.inspect', false),
    exportObject: wrap('objects.export', false),
    serverStatus: wrap('server.status', false),
    startServer: wrap('server.start', true),
    stopServer: wrap('server.stop', false),
    enrollClient: wrap('server.enroll', true),
    revokeClient: wrap('server.revoke', false),
    grantObject: wrap('server.grant', false),
    ungrantObject: wrap('server.ungrant', false),
    setClientCredential: wrap('server.setCredential', false),
    clearClientCredential: wrap('server.clearCredential', false),
  };
};
