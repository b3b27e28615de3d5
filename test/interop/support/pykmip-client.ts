import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PYTHON } from './pykmip-server.js';

const here = path.dirname(fileURLToPath(import.meta.url));

interface Step {
  step: string;
  ok: boolean;
  value?: unknown;
  error?: string;
}

/** Runs PyKMIP's ProxyKmipClient lifecycle script against 127.0.0.1:port and returns its steps. */
export function runPyKmipLifecycle(port: number, cert: string, key: string, ca: string): Promise<Step[]> {
  return new Promise((resolve) => {
    execFile(
      PYTHON,
      [path.join(here, 'pykmip_lifecycle.py'), '127.0.0.1', String(port), cert, key, ca],
      { timeout: 60_000 },
      (_err, stdout, stderr) => {
        const steps = stdout
          .split('\n')
          .filter((l) => l.startsWith('{'))
          .map((l) => JSON.parse(l) as Step);
        if (steps.length === 0) steps.push({ step: 'start', ok: false, error: stderr.slice(-2000) });
        resolve(steps);
      },
    );
  });
}
