import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startVaultServer, type RunningServer } from '../../../../main/server/serve.js';
import { Vault } from '../../../../main/vault/index.js';

/** A client certificate bundle as `keyhold clients enroll` writes it (PEM text). */
export interface ClientFiles {
  cert: string;
  key: string;
  ca: string;
}

/** The server `keyhold serve` runs (startVaultServer over a SQLCipher vault on disk), on a free port. */
export interface ProfileServer {
  port: number;
  running: RunningServer;
  enroll(name: string): Promise<ClientFiles>;
  stop(): Promise<void>;
}

export async function startProfileServer(label: string): Promise<ProfileServer> {
  const dir = mkdtempSync(path.join(os.tmpdir(), `keyhold-profile-${label}-`));
  const vault = await Vault.create(path.join(dir, 'vault'), {
    unlock: { kind: 'passphrase', passphrase: Buffer.from(`${label} profile test`) },
    sealOptions: { argon2: { memoryKiB: 64, iterations: 1, parallelism: 1 } },
  });
  const running = await startVaultServer(vault, { host: '127.0.0.1', port: 0 });
  return {
    port: running.server.port as number,
    running,
    async enroll(name) {
      const b = await running.control.enroll(name);
      return { cert: b.certPem, key: b.keyPem, ca: b.caCertPem };
    },
    async stop() {
      await running.stop();
      await vault.lock();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
