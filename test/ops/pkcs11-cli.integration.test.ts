import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { KmipClient, KmipOperationError } from '../../main/client/kmip-client.js';
import { registerKmip } from '../../main/cli/commands/kmip.js';
import type { TtlvItem } from '../../main/kmip/ttlv/index.js';
import { t } from '../../main/ops/ttlv.js';
import { Tag } from '../../main/ops/vocabulary.js';
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

  /** Runs `keyhold kmip --json pkcs11-info` in process; what it printed, or what it threw. */
  async function pkcs11Info(): Promise<{ out: string; error?: unknown }> {
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
      return { out: out.join('') };
    } catch (error) {
      return { out: out.join(''), error };
    } finally {
      spy.mockRestore();
    }
  }

  /**
   * Lets the client's PKCS#11 calls through to the real server, except that `change` may alter a
   * call by its PKCS#11 function (1 C_Initialize, 2 C_Finalize, 3 C_GetInfo); records the functions.
   */
  function interceptPkcs11(
    change: (fn: number, payload: (TtlvItem | undefined)[]) => (TtlvItem | undefined)[] | Error,
  ): number[] {
    const functions: number[] = [];
    const real = KmipClient.prototype.call;
    vi.spyOn(KmipClient.prototype, 'call').mockImplementation(async function (this: KmipClient, operation, payload) {
      const fn = Number(payload.find((i) => i?.tag === Tag.PKCS_11Function)?.value);
      if (operation === 'PKCS_11') functions.push(fn);
      const changed = operation === 'PKCS_11' ? change(fn, payload) : payload;
      if (changed instanceof Error) throw changed;
      return real.call(this, operation, changed);
    });
    return functions;
  }

  /** The payload with another Correlation Value: one the server never handed out. */
  const unknownSession = (payload: (TtlvItem | undefined)[]) =>
    payload.map((i) => (i?.tag === Tag.CorrelationValue ? t.bytes(Tag.CorrelationValue, new Uint8Array(16)) : i));

  it("prints the server's CK_INFO (C_Initialize, C_GetInfo, C_Finalize over KMIP 2.1)", async () => {
    const functions = interceptPkcs11((_fn, payload) => payload);
    const { out, error } = await pkcs11Info();
    vi.restoreAllMocks();
    expect(error).toBeUndefined();
    expect(functions).toEqual([1, 3, 2]);
    expect(JSON.parse(out)).toEqual({
      cryptokiVersion: '2.40',
      manufacturerID: 'Keyhold',
      libraryDescription: 'Keyhold KMIP PKCS#11 facade',
      libraryVersion: '1.0',
      flags: '0',
    });
  });

  it('reports a failing C_GetInfo as itself, even when the C_Finalize after it fails too', async () => {
    // The server refuses C_GetInfo (an unknown session), then the connection drops at C_Finalize.
    const functions = interceptPkcs11((fn, payload) =>
      fn === 3 ? unknownSession(payload) : fn === 2 ? new Error('C_Finalize: connection reset') : payload,
    );
    const { out, error } = await pkcs11Info();
    vi.restoreAllMocks();
    expect(functions).toEqual([1, 3, 2]); // the session was still finalized
    expect(error).toBeInstanceOf(KmipOperationError);
    expect((error as KmipOperationError).operation).toBe('PKCS_11');
    expect((error as Error).message).toMatch(/^PKCS_11 failed: InvalidAsynchronousCorrelationValue/);
    expect(out).toBe('');
  });

  it('reports a failing C_Finalize when it is the only error, and prints nothing', async () => {
    const functions = interceptPkcs11((fn, payload) => (fn === 2 ? unknownSession(payload) : payload));
    const { out, error } = await pkcs11Info();
    vi.restoreAllMocks();
    expect(functions).toEqual([1, 3, 2]);
    expect(error).toBeInstanceOf(KmipOperationError);
    expect((error as Error).message).toMatch(/^PKCS_11 failed: InvalidAsynchronousCorrelationValue/);
    expect(out).toBe('');
  });
});
