import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findSystemModules } from '../../main/tokens/pkcs11/modules.js';

/** The SoftHSM2 module of this system, or undefined. */
export const SOFTHSM_MODULE = findSystemModules().find((p) => p.endsWith('libsofthsm2.so'));

/**
 * A private SoftHSM2 installation: its own SOFTHSM2_CONF and token directory in a temp folder.
 * Sets process.env.SOFTHSM2_CONF, which the module reads at C_Initialize.
 */
export class SoftHsm {
  readonly dir: string;
  readonly tokenDir: string;
  readonly conf: string;
  readonly module: string;
  private readonly previousConf: string | undefined;

  constructor() {
    if (SOFTHSM_MODULE === undefined) throw new Error('SoftHSM2 is not installed');
    this.module = SOFTHSM_MODULE;
    this.dir = mkdtempSync(join(tmpdir(), 'keyhold-softhsm-'));
    this.tokenDir = join(this.dir, 'tokens');
    mkdirSync(this.tokenDir);
    this.conf = join(this.dir, 'softhsm2.conf');
    writeFileSync(
      this.conf,
      `directories.tokendir = ${this.tokenDir}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = true\n`,
    );
    this.previousConf = process.env.SOFTHSM2_CONF;
    process.env.SOFTHSM2_CONF = this.conf;
  }

  get env(): NodeJS.ProcessEnv {
    return { ...process.env, SOFTHSM2_CONF: this.conf };
  }

  /** softhsm2-util --init-token --free; returns the new token's directory name. */
  initToken(label: string, pin: string, soPin: string): string {
    const before = new Set(readdirSync(this.tokenDir));
    execFileSync('softhsm2-util', ['--init-token', '--free', '--label', label, '--pin', pin, '--so-pin', soPin], {
      env: this.env,
      stdio: 'pipe',
    });
    const created = readdirSync(this.tokenDir).find((d) => !before.has(d));
    if (created === undefined) throw new Error('softhsm2-util made no token directory');
    return created;
  }

  /** "Pulls out" a token: moves its directory aside. */
  removeToken(dirName: string): string {
    const aside = join(this.dir, `removed-${dirName}`);
    rmSync(aside, { recursive: true, force: true });
    cpSync(join(this.tokenDir, dirName), aside, { recursive: true });
    rmSync(join(this.tokenDir, dirName), { recursive: true, force: true });
    return aside;
  }

  /** "Re-inserts" a token removed by removeToken. */
  reinsertToken(dirName: string): void {
    cpSync(join(this.dir, `removed-${dirName}`), join(this.tokenDir, dirName), { recursive: true });
  }

  /**
   * Marks a token's user PIN locked (CKF_USER_PIN_LOCKED), as a real token does after too many
   * wrong PINs: SoftHSM2 counts failures (USER_PIN_COUNT_LOW) but never locks. The flags are the
   * CKA_OS_TOKENFLAGS attribute (0x8000534B, a big-endian ulong) of the token's token.object.
   */
  lockUserPin(dirName: string): void {
    const file = join(this.tokenDir, dirName, 'token.object');
    const bytes = readFileSync(file);
    const at = bytes.indexOf(Buffer.from('000000008000534b', 'hex'));
    if (at < 0) throw new Error('no token flags in token.object');
    const off = at + 16;
    bytes.writeBigUInt64BE(bytes.readBigUInt64BE(off) | 0x40000n, off);
    writeFileSync(file, bytes);
  }

  /** Runs pkcs11-tool (OpenSC) against this SoftHSM; returns stdout. */
  pkcs11Tool(args: string[]): string {
    return execFileSync('pkcs11-tool', ['--module', this.module, ...args], {
      env: this.env,
      encoding: 'utf8',
      stdio: 'pipe',
    });
  }

  dispose(): void {
    if (this.previousConf === undefined) delete process.env.SOFTHSM2_CONF;
    else process.env.SOFTHSM2_CONF = this.previousConf;
    rmSync(this.dir, { recursive: true, force: true });
  }
}
