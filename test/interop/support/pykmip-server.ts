import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { KmipClient } from '../../../main/client/kmip-client.js';
import { makeTestPki, pem, type TestPki } from './certs.js';
import { freePort, waitForPort } from './ports.js';

/** Debian's python3-pykmip lives in the system interpreter, not in a pyenv one. */
export const PYTHON = '/usr/bin/python3';

export interface PyKmipServer {
  port: number;
  /** The server's log (for assertion messages). */
  log(): string;
  stop(): Promise<void>;
}

/**
 * Starts `pykmip-server` on a free loopback port with TLS 1.2 (its only suite) and client
 * certificate authentication, in its own temporary directory. The caller must `stop()` it
 * (in afterAll) — the process is also killed when this Node process exits.
 */
export async function startPyKmipServer(pki: TestPki): Promise<PyKmipServer> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), 'keyhold-pykmip-'));
  const policies = path.join(dir, 'policies');
  mkdirSync(policies);
  const config = path.join(dir, 'server.conf');
  const logPath = path.join(dir, 'server.log');
  writeFileSync(
    config,
    [
      '[server]',
      'hostname=127.0.0.1',
      `port=${port}`,
      `certificate_path=${pki.serverCert}`,
      `key_path=${pki.serverKey}`,
      `ca_path=${pki.caCert}`,
      'auth_suite=TLS1.2',
      `policy_path=${policies}`,
      'enable_tls_client_auth=True',
      'logging_level=INFO',
      `database_path=${path.join(dir, 'pykmip.db')}`,
      '',
    ].join('\n'),
  );
  // Its own process group: pykmip-server forks workers that outlive a signal to the parent alone
  // (and keep the stderr pipe, so this process could not exit).
  const child: ChildProcess = spawn(PYTHON, ['/usr/bin/pykmip-server', '-f', config, '-l', logPath], {
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
  });
  const signalGroup = (signal: NodeJS.Signals): void => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, signal);
    } catch {
      // The group is already gone.
    }
  };
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const kill = (): void => signalGroup('SIGKILL');
  process.once('exit', kill);
  const readLog = (): string => {
    try {
      return readFileSync(logPath, 'utf8') + stderr;
    } catch {
      return stderr;
    }
  };
  try {
    await waitForPort(port, 20_000);
  } catch (e) {
    kill();
    throw new Error(`pykmip-server did not start: ${readLog()}`, { cause: e });
  }
  return {
    port,
    log: readLog,
    async stop() {
      process.removeListener('exit', kill);
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        signalGroup('SIGTERM');
        const timer = setTimeout(kill, 3000);
        await exited;
        clearTimeout(timer);
      }
      kill(); // workers the parent left behind
      child.stderr?.destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A pykmip-server with a test PKI and Keyhold's client connected to it as 'alice'. */
export interface PyKmipPeer {
  server: PyKmipServer;
  client: KmipClient;
  close(): Promise<void>;
}

export async function connectToPyKmipServer(): Promise<PyKmipPeer> {
  const pki = makeTestPki();
  const server = await startPyKmipServer(pki);
  const alice = pki.client('alice');
  const client = await KmipClient.connect({
    host: '127.0.0.1',
    port: server.port,
    cert: pem(alice.cert),
    key: pem(alice.key),
    ca: pem(pki.caCert),
    timeoutMs: 20_000,
  });
  return {
    server,
    client,
    async close() {
      await client.close();
      await server.stop();
      pki.dispose();
    },
  };
}
