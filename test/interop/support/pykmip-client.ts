import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestPki } from './certs.js';
import { PYTHON } from './pykmip-server.js';

const here = path.dirname(fileURLToPath(import.meta.url));

export interface PyKmipStep {
  step: string;
  ok: boolean;
  value?: unknown;
  error?: string;
}

/**
 * Runs a PyKMIP client script (`script host port cert key ca`) with the system Python and returns
 * the steps it printed, one JSON object per line; a script that printed none gives one failed step
 * carrying the end of its stderr.
 */
export function runPyKmipScript(
  script: string,
  port: number,
  cert: string,
  key: string,
  ca: string,
  timeoutMs = 60_000,
): Promise<PyKmipStep[]> {
  return new Promise((resolve) => {
    execFile(
      PYTHON,
      [script, '127.0.0.1', String(port), cert, key, ca],
      // The scripts import pykmip_steps.py from this folder: no __pycache__ left in the tree.
      { timeout: timeoutMs, env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } },
      (_err, stdout, stderr) => {
        const steps = stdout
          .split('\n')
          .filter((l) => l.startsWith('{'))
          .map((l) => JSON.parse(l) as PyKmipStep);
        if (steps.length === 0) steps.push({ step: 'start', ok: false, error: stderr.slice(-2000) });
        resolve(steps);
      },
    );
  });
}

/** Runs a PyKMIP client script as client `name` of `pki` (a certificate it issues) against 127.0.0.1:port. */
export function runPyKmipAs(
  script: string,
  { pki, port }: { pki: TestPki; port: number },
  name = 'alice',
  timeoutMs?: number,
): Promise<PyKmipStep[]> {
  const client = pki.client(name);
  return runPyKmipScript(script, port, client.cert, client.key, pki.caCert, timeoutMs);
}

/** Runs PyKMIP's ProxyKmipClient lifecycle script against 127.0.0.1:port and returns its steps. */
export function runPyKmipLifecycle(port: number, cert: string, key: string, ca: string): Promise<PyKmipStep[]> {
  return runPyKmipScript(path.join(here, 'pykmip_lifecycle.py'), port, cert, key, ca);
}
