// Runs real peers (openssl, ssh-keygen) in a scratch folder for interop tests.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface Scratch {
  dir: string;
  file(name: string): string;
  write(name: string, data: string | Uint8Array): string;
  read(name: string): Buffer;
  openssl(...args: string[]): string;
  /** stdout and stderr together (openssl prints -info and some diagnostics on stderr). */
  opensslAll(...args: string[]): string;
  run(cmd: string, ...args: string[]): string;
  remove(): void;
}

export function scratch(): Scratch {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'keyhold-crypto-'));
  const file = (n: string): string => path.join(dir, n);
  const run = (cmd: string, ...args: string[]): string =>
    execFileSync(cmd, args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return {
    dir,
    file,
    write: (n, data) => {
      writeFileSync(file(n), data);
      return file(n);
    },
    read: (n) => readFileSync(file(n)),
    openssl: (...args) => run('openssl', ...args),
    opensslAll: (...args) => {
      const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`openssl ${args[0]} failed: ${r.stderr}`);
      return r.stdout + r.stderr;
    },
    run,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export const pem = (label: string, der: Uint8Array): string =>
  `-----BEGIN ${label}-----\n${Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n').replace(/\n?$/, '\n')}-----END ${label}-----\n`;
