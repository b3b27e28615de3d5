import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A free loopback TCP port (the OS picks it; a tiny race with other processes is accepted). */
export function freePort(port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(port, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * A software TPM 2.0 (swtpm) in socket mode on free loopback ports, with its own state
 * directory, started up with `tpm2_startup -c`. `stop()` kills it and removes the state; tests
 * call it in afterAll, and an exit hook kills it if the test process ends early.
 */
export class SwTpm {
  readonly dir: string;
  readonly port: number;
  readonly ctrlPort: number;
  private child: ChildProcess | undefined;
  private readonly onExit = () => this.child?.kill('SIGKILL');

  private constructor(dir: string, port: number, ctrlPort: number) {
    this.dir = dir;
    this.port = port;
    this.ctrlPort = ctrlPort;
  }

  get tcti(): string {
    return `swtpm:host=127.0.0.1,port=${this.port}`;
  }

  static async start(): Promise<SwTpm> {
    const dir = mkdtempSync(join(tmpdir(), 'keyhold-swtpm-'));
    // The swtpm TCTI finds the control channel at port + 1.
    let port = 0;
    for (let i = 0; i < 20 && port === 0; i++) {
      const p = await freePort();
      if (p < 65535 && (await freePort(p + 1).catch(() => 0)) === p + 1) port = p;
    }
    if (port === 0) throw new Error('no two adjacent free ports');
    const ctrlPort = port + 1;
    const tpm = new SwTpm(dir, port, ctrlPort);
    tpm.child = spawn(
      'swtpm',
      [
        'socket',
        '--tpm2',
        '--tpmstate',
        `dir=${dir}`,
        '--server',
        `type=tcp,port=${port},bindaddr=127.0.0.1`,
        '--ctrl',
        `type=tcp,port=${ctrlPort},bindaddr=127.0.0.1`,
        '--flags',
        'not-need-init',
      ],
      { stdio: 'ignore' },
    );
    process.once('exit', tpm.onExit);
    try {
      await tpm.startup();
    } catch (e) {
      await tpm.stop();
      throw e;
    }
    return tpm;
  }

  private async startup(): Promise<void> {
    let last: unknown;
    for (let i = 0; i < 50; i++) {
      try {
        await this.tool('tpm2_startup', ['-c']);
        return;
      } catch (e) {
        last = e;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    throw new Error(`swtpm did not start: ${String(last)}`);
  }

  /** Runs a tpm2-tools command against this TPM. */
  async tool(name: string, args: string[]): Promise<string> {
    const { stdout } = await run(name, args, { env: { ...process.env, TPM2TOOLS_TCTI: this.tcti }, cwd: this.dir });
    return stdout;
  }

  /** Extends a PCR (sha256 bank) with a digest, changing the platform state. */
  async extendPcr(pcr: number, digestHex = '01'.repeat(32)): Promise<void> {
    await this.tool('tpm2_pcrextend', [`${pcr}:sha256=${digestHex}`]);
  }

  async stop(): Promise<void> {
    process.removeListener('exit', this.onExit);
    const child = this.child;
    this.child = undefined;
    if (child !== undefined && child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
