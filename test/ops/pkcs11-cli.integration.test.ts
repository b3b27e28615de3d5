import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { registerKmip } from '../../main/cli/commands/kmip.js';
import type { KmipServer } from '../../main/server/kmip-server.js';
import type { TestPki } from '../interop/support/certs.js';
import { startMemoryKmipServer } from '../support/memory-kmip-server.js';

/** `keyhold kmip pkcs11-info` (in process) against Keyhold's server over mutual TLS. */
describe('keyhold kmip pkcs11-info', () => {
  let pki: TestPki;
  let server: KmipServer;
  let port: number;
  const dir = mkdtempSync(path.join(tmpdir(), 'keyhold-pkcs11-cli-'));

  beforeAll(async () => {
    ({ pki, server, port } = await startMemoryKmipServer());
  });
  afterAll(async () => {
    await server?.close();
    pki?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it("prints the server's CK_INFO (C_Initialize, C_GetInfo, C_Finalize over KMIP 2.1)", async () => {
    const c = pki.client('pkcs11-cli');
    const out: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
      out.push(String(s));
      return true;
    });
    try {
      const program = new Command().exitOverride();
      registerKmip(program);
      await program.parseAsync([
        'node',
        'keyhold',
        'kmip',
        '--server',
        `127.0.0.1:${port}`,
        '--cert',
        c.cert,
        '--key',
        c.key,
        '--ca',
        pki.caCert,
        '--json',
        'pkcs11-info',
      ]);
    } finally {
      spy.mockRestore();
    }
    expect(JSON.parse(out.join(''))).toEqual({
      cryptokiVersion: '2.40',
      manufacturerID: 'Keyhold',
      libraryDescription: 'Keyhold KMIP PKCS#11 facade',
      libraryVersion: '1.0',
      flags: '0',
    });
  });
});
