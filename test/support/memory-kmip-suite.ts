import { afterAll, beforeAll } from 'vitest';
import type { KmipServer, KmipServerOptions } from '../../main/server/kmip-server.js';
import type { TestPki } from '../interop/support/certs.js';
import { startMemoryKmipServer } from './memory-kmip-server.js';

/** The in-memory KMIP server of a test block, ready once its `beforeAll` ran. */
export interface MemoryKmipSuite {
  readonly pki: TestPki;
  readonly server: KmipServer;
  readonly port: number;
}

/**
 * Starts `startMemoryKmipServer(options)` before the tests of the enclosing block (or file) and
 * closes it and disposes of its PKI after them.
 */
export function memoryKmipSuite(options: Partial<KmipServerOptions> = {}): MemoryKmipSuite {
  let started: { pki: TestPki; server: KmipServer; port: number } | undefined;
  const get = () => {
    if (!started) throw new Error('the in-memory KMIP server is not started (used outside its tests?)');
    return started;
  };
  beforeAll(async () => {
    started = await startMemoryKmipServer(options);
  });
  afterAll(async () => {
    await started?.server.close();
    started?.pki.dispose();
  });
  return {
    get pki() {
      return get().pki;
    },
    get server() {
      return get().server;
    },
    get port() {
      return get().port;
    },
  };
}
