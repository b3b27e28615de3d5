import { existsSync } from 'node:fs';
import * as graphene from 'graphene-pk11';
import { KeyholdError } from '../../../shared/errors.js';

/** Where distributions put the PKCS#11 modules people use most; the first existing ones are used by default. */
export const COMMON_MODULE_PATHS: readonly string[] = [
  '/usr/lib/softhsm/libsofthsm2.so',
  '/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so',
  '/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so',
  '/usr/local/lib/softhsm/libsofthsm2.so',
  '/usr/lib64/pkcs11/libsofthsm2.so',
  '/opt/homebrew/lib/softhsm/libsofthsm2.so',
  '/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so',
  '/usr/lib/aarch64-linux-gnu/opensc-pkcs11.so',
  '/usr/lib64/opensc-pkcs11.so',
  '/usr/lib/opensc-pkcs11.so',
  '/usr/local/lib/opensc-pkcs11.so',
  '/opt/homebrew/lib/opensc-pkcs11.so',
  '/usr/lib/x86_64-linux-gnu/libykcs11.so',
  '/usr/lib64/libykcs11.so',
  '/usr/local/lib/libykcs11.so',
];

/**
 * The modules found on this system, one per product: SoftHSM2 is often installed both under
 * /usr/lib/softhsm and the multiarch directory (one is a link to the other), so only the first
 * path of each file name is kept.
 */
export function findSystemModules(candidates: readonly string[] = COMMON_MODULE_PATHS): string[] {
  const seen = new Set<string>();
  const found: string[] = [];
  for (const p of candidates) {
    const base = p.slice(p.lastIndexOf('/') + 1);
    if (seen.has(base) || !existsSync(p)) continue;
    seen.add(base);
    found.push(p);
  }
  return found;
}

/**
 * One PKCS#11 module (a shared library), loaded once and initialized on demand. After a failure
 * that means a token went away, `reset()` finalizes it; the next `get()` initializes it again,
 * which makes the module re-enumerate its slots, so a re-inserted token works without a restart.
 */
export class Pkcs11Module {
  readonly path: string;
  private module: graphene.Module | undefined;
  private initialized = false;

  constructor(path: string) {
    this.path = path;
  }

  /** The initialized graphene module. */
  get(): graphene.Module {
    if (this.module === undefined) {
      if (!existsSync(this.path)) throw new KeyholdError('token', `PKCS#11 module not found: ${this.path}`);
      try {
        this.module = graphene.Module.load(this.path);
      } catch (e) {
        throw new KeyholdError('token', `cannot load the PKCS#11 module ${this.path}`, { cause: e });
      }
    }
    if (!this.initialized) {
      try {
        this.module.initialize();
      } catch (e) {
        throw new KeyholdError('token', `cannot initialize the PKCS#11 module ${this.path}`, { cause: e });
      }
      this.initialized = true;
    }
    return this.module;
  }

  /** Description of the library (C_GetInfo). */
  describe(): { path: string; manufacturer: string; description: string; cryptokiVersion: string } {
    const m = this.get();
    return {
      path: this.path,
      manufacturer: m.manufacturerID.trim(),
      description: m.libraryDescription.trim(),
      cryptokiVersion: `${m.cryptokiVersion.major}.${m.cryptokiVersion.minor}`,
    };
  }

  /** Finalizes the module so the next use starts afresh (sessions and handles are dropped). */
  reset(): void {
    if (this.module !== undefined && this.initialized) {
      try {
        this.module.finalize();
      } catch {
        // A module that lost its device may refuse C_Finalize; it is re-initialized anyway.
      }
    }
    this.initialized = false;
  }
}

const registry = new Map<string, Pkcs11Module>();

/** The shared instance for a module path (PKCS#11 allows one C_Initialize per process). */
export function openModule(path: string): Pkcs11Module {
  let m = registry.get(path);
  if (m === undefined) {
    m = new Pkcs11Module(path);
    registry.set(path, m);
  }
  return m;
}

/** The modules to use: those given, else the ones found on the system. */
export function resolveModules(paths: readonly string[] | undefined): Pkcs11Module[] {
  const list = paths !== undefined && paths.length > 0 ? paths : findSystemModules();
  if (list.length === 0)
    throw new KeyholdError('token', 'no PKCS#11 module found on this system; name one with --module PATH');
  return list.map(openModule);
}

/** Finalizes every module opened in this process (end of a CLI run, tests). */
export function finalizeAllModules(): void {
  for (const m of registry.values()) m.reset();
}
