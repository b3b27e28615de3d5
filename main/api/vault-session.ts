/**
 * The vault a front door works on: its path, and once unlocked the open Vault. The passphrase
 * goes straight to the vault's key slot and is not kept; locking wipes the data key (the vault
 * does that). Every change is made by the vault, which audits it in the same transaction.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { KeyholdError } from '../../shared/errors.js';
import { firstListPage } from '../../shared/api/index.js';
import type { ObjectSummary, VaultStatus } from '../../shared/api/index.js';
import { HEADER_FILE, Vault } from '../vault/index.js';
import type { SealOptions } from '../vault/index.js';
import type { Handlers } from './router.js';
import { buildKeyObjects, rekeyedObject } from './key-objects.js';
import { attributeViews, auditView, lifecycleEvents, linkViews, summarize, wipe } from './views.js';

export interface VaultSessionOptions {
  autoLockSeconds: number;
  /** Who acts, for the audit chain: "desktop:<user>" or "console:<user>". */
  identity: string;
  /** Key slot options (Argon2 parameters); tests pass cheap ones. */
  sealOptions?: SealOptions;
}

/** The first page the window asks for after unlock. */
const prefetchLimit = firstListPage;

/** Calls that only look (the window's polling): they do not count as activity for the idle lock. */
const passiveCalls = new Set(['system.capabilities', 'vault.status', 'server.status', 'settings.get']);

export class VaultSession {
  #path: string;
  #vault: Vault | undefined;
  #autoLockSeconds: number;
  #lastActivity = Date.now();
  #idleTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #lockListeners: (() => unknown)[] = [];
  /** The list's first page, read at unlock for the call that follows it. */
  #prefetched: { vault: Vault; promise: Promise<ObjectSummary[]> } | undefined;
  readonly #identity: string;
  readonly #sealOptions: SealOptions | undefined;

  constructor(vaultPath: string, options: VaultSessionOptions) {
    this.#path = path.resolve(vaultPath);
    this.#autoLockSeconds = options.autoLockSeconds;
    this.#identity = options.identity;
    this.#sealOptions = options.sealOptions;
  }

  get path(): string {
    return this.#path;
  }

  status(): VaultStatus {
    const unlocked = this.#vault !== undefined && !this.#vault.locked;
    return {
      path: this.#path,
      state: unlocked ? 'unlocked' : existsSync(path.join(this.#path, HEADER_FILE)) ? 'locked' : 'absent',
      autoLockSeconds: this.#autoLockSeconds,
    };
  }

  /** The unlocked vault, or 'vault-locked'. */
  vault(): Vault {
    if (!this.#vault || this.#vault.locked) {
      throw new KeyholdError('vault-locked', 'The vault is locked.', { reason: 'Permission Denied' });
    }
    return this.#vault;
  }

  get identity(): string {
    return this.#identity;
  }

  async create(passphrase: string, vaultPath?: string): Promise<VaultStatus> {
    await this.lock();
    const target = path.resolve(vaultPath ?? this.#path);
    if (existsSync(path.join(target, HEADER_FILE))) {
      throw new KeyholdError('illegal-state', `A vault already exists at ${target}; open it instead.`);
    }
    const options = { unlock: { kind: 'passphrase' as const, passphrase }, identity: this.#identity };
    this.#vault = await Vault.create(
      target,
      this.#sealOptions ? { ...options, sealOptions: this.#sealOptions } : options,
    );
    this.#path = target;
    this.touch();
    return this.status();
  }

  async open(vaultPath: string): Promise<VaultStatus> {
    const target = path.resolve(vaultPath);
    if (!existsSync(path.join(target, HEADER_FILE))) {
      throw new KeyholdError('not-a-vault', `There is no Keyhold vault at ${target}.`);
    }
    await this.lock();
    this.#path = target;
    return this.status();
  }

  async unlock(passphrase: string): Promise<VaultStatus> {
    if (this.#vault && !this.#vault.locked) return this.status();
    this.#vault = await Vault.open(this.#path, { unlock: { kind: 'passphrase', passphrase } });
    this.touch();
    // The window asks for the list's first page next: read it while the answer travels.
    const vault = this.#vault;
    const promise = vault.listObjects({ offset: 0, limit: prefetchLimit }).then((list) => list.map(summarize));
    promise.catch(() => undefined);
    this.#prefetched = { vault, promise };
    return this.status();
  }

  async lock(): Promise<VaultStatus> {
    const v = this.#vault;
    this.#vault = undefined;
    this.#prefetched = undefined;
    this.#disarm();
    if (v) for (const listener of this.#lockListeners) await listener();
    await v?.lock();
    return this.status();
  }

  /** Runs `listener` whenever the vault is locked (by a call, the idle timer or close). */
  onLock(listener: () => unknown): void {
    this.#lockListeners.push(listener);
  }

  /**
   * Notes activity for the engine-side idle lock: the vault locks after `autoLockSeconds` without
   * an active call, whether or not a window is still there to notice. Passive calls (status polls)
   * do not count.
   */
  touch(callName?: string): void {
    if (callName !== undefined && passiveCalls.has(callName)) return;
    // Any other call may change the vault: the list read at unlock would be stale.
    if (callName !== 'objects.list' && callName !== 'vault.unlock') this.#prefetched = undefined;
    this.#lastActivity = Date.now();
    this.#arm();
  }

  /** Seconds of inactivity before the engine locks the vault; 0 = never. */
  setAutoLockSeconds(seconds: number): void {
    this.#autoLockSeconds = seconds;
    this.#arm();
  }

  #disarm(): void {
    if (this.#idleTimer !== undefined) clearTimeout(this.#idleTimer);
    this.#idleTimer = undefined;
  }

  #arm(): void {
    this.#disarm();
    if (this.#autoLockSeconds <= 0 || !this.#vault || this.#vault.locked) return;
    const due = this.#lastActivity + this.#autoLockSeconds * 1000;
    this.#idleTimer = setTimeout(
      () => {
        this.#idleTimer = undefined;
        if (Date.now() >= due) void this.lock().catch(() => undefined);
        else this.#arm();
      },
      Math.max(0, due - Date.now()),
    );
    this.#idleTimer.unref?.();
  }

  /** Summaries (no key material) in one vault read, newest first; a page with offset and limit. */
  async listObjects(page: { offset?: number; limit?: number } = {}): Promise<ObjectSummary[]> {
    const prefetched = this.#prefetched;
    this.#prefetched = undefined;
    if (
      prefetched !== undefined &&
      prefetched.vault === this.#vault &&
      (page.offset ?? 0) === 0 &&
      page.limit === prefetchLimit
    ) {
      this.vault();
      return prefetched.promise;
    }
    const options: { offset?: number; limit?: number } = {};
    if (page.offset !== undefined) options.offset = page.offset;
    if (page.limit !== undefined) options.limit = page.limit;
    return (await this.vault().listObjects(options)).map(summarize);
  }

  handlers(): Handlers {
    return {
      'vault.status': () => this.status(),
      'vault.create': ({ passphrase, path: p }) => this.create(passphrase, p),
      'vault.open': ({ path: p }) => this.open(p),
      'vault.unlock': ({ passphrase }) => this.unlock(passphrase),
      'vault.lock': () => this.lock(),
      'vault.setAutoLock': ({ seconds }) => {
        this.setAutoLockSeconds(seconds);
        return this.status();
      },
      'objects.list': (page) => this.listObjects(page),
      'objects.get': async ({ uniqueIdentifier }) => {
        const vault = this.vault();
        const o = await vault.getObject(uniqueIdentifier);
        wipe(o);
        const audit = (await vault.listAudit(1, 100_000)).filter((e) => e.object === uniqueIdentifier).map(auditView);
        return {
          summary: summarize(o),
          attributes: attributeViews(o),
          links: linkViews(o),
          lifecycle: lifecycleEvents(o),
          audit,
        };
      },
      'objects.activate': async ({ uniqueIdentifier }) => {
        const vault = this.vault();
        await vault.activate(uniqueIdentifier, this.#identity);
        return this.summary(uniqueIdentifier);
      },
      'objects.revoke': async ({ uniqueIdentifier, reason }) => {
        const vault = this.vault();
        await vault.revoke(uniqueIdentifier, { reason: { RevocationReasonCode: reason } }, this.#identity);
        return this.summary(uniqueIdentifier);
      },
      'objects.destroy': async ({ uniqueIdentifier }) => {
        const vault = this.vault();
        await vault.destroy(uniqueIdentifier, this.#identity);
        return this.summary(uniqueIdentifier);
      },
      'objects.rekey': async ({ uniqueIdentifier }) => {
        const vault = this.vault();
        const old = await vault.getObject(uniqueIdentifier);
        const replacement = rekeyedObject(old, this.#identity);
        return vault.transaction(async () => {
          const [uid] = await vault.insertMany([replacement], this.#identity, 'ReKey');
          await vault.addAttribute(
            uniqueIdentifier,
            'Link',
            { LinkType: 'ReplacementObjectLink', LinkedObjectIdentifier: uid! },
            this.#identity,
          );
          wipe({ ...replacement, uniqueIdentifier: '' });
          return { uniqueIdentifiers: [uid!] };
        });
      },
      'keys.generate': async (request) => {
        const vault = this.vault();
        const objects = await buildKeyObjects(request, this.#identity);
        try {
          const ids = await vault.insertMany(
            objects,
            this.#identity,
            request.kind === 'KeyPair' ? 'CreateKeyPair' : 'Create',
          );
          return { uniqueIdentifiers: ids };
        } finally {
          for (const o of objects) wipe({ ...o, uniqueIdentifier: '' });
        }
      },
      'audit.list': async ({ uniqueIdentifier, limit }) => {
        const entries = await this.vault().listAudit(1, 1_000_000);
        const chosen = uniqueIdentifier ? entries.filter((e) => e.object === uniqueIdentifier) : entries;
        return chosen.slice(-(limit ?? 10_000)).map(auditView);
      },
      'audit.verify': async () => {
        const v = await this.vault().verifyAudit();
        const r = {
          valid: v.ok,
          entries: v.entries,
          message: v.ok
            ? 'Every entry’s hash chains to the one before it, back to the vault’s genesis.'
            : `Entry #${v.firstBad?.seq}: ${v.firstBad?.problem ?? 'does not verify'}.`,
        };
        return v.firstBad ? { ...r, firstInvalidSequence: v.firstBad.seq } : r;
      },
    };
  }

  private async summary(uid: string): Promise<ObjectSummary> {
    const o = await this.vault().getObject(uid);
    wipe(o);
    return summarize(o);
  }

  async close(): Promise<void> {
    await this.lock();
  }
}
