export interface IdleMemoryReleaseOptions {
  /**
   * Gives freed memory back; `quiet` is true when the server has answered nothing for `quietMs`
   * (false: released after `maxDelayMs` on a busy server).
   */
  release: (quiet: boolean) => Promise<unknown>;
  /** How long the server must have answered nothing before releasing (default 1 s). */
  quietMs?: number;
  /** The least time between two releases (default 5 s). */
  minIntervalMs?: number;
  /**
   * Released after this long even if the server is never quiet (default 60 s: a release under
   * load may stall the event loop while it holds the C heap's lock, measured 1-16 ms, once 38).
   */
  maxDelayMs?: number;
  now?: () => number;
}

/**
 * Decides when the server gives freed memory back to the system: after connections opened or
 * closed or requests were answered (what leaves freed memory behind), once the server has been
 * quiet for a moment, or after a minute on a server that is never quiet; and not more often than
 * every five seconds. The release runs on a thread-pool thread but holds each C heap's lock while
 * it trims it (1-54 ms measured here), so it waits for a quiet moment when there is one.
 */
export class IdleMemoryRelease {
  private readonly quietMs: number;
  private readonly minIntervalMs: number;
  private readonly maxDelayMs: number;
  private readonly now: () => number;
  /** When something first freed memory since the last release; undefined if nothing has. */
  private owedSince: number | undefined;
  private lastActivity = -Infinity;
  private lastRelease = -Infinity;
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly options: IdleMemoryReleaseOptions) {
    this.quietMs = options.quietMs ?? 1000;
    this.minIntervalMs = options.minIntervalMs ?? 5000;
    this.maxDelayMs = options.maxDelayMs ?? 60_000;
    this.now = options.now ?? (() => performance.now());
  }

  /** A request was answered: memory to release later, and not quiet now. */
  answered(): void {
    this.owe();
    this.lastActivity = this.now();
  }

  /**
   * A connection opened or closed: memory to release once quiet (a TLS handshake leaves freed
   * buffers behind, a closed connection its whole state).
   */
  connectionChanged(): void {
    this.owe();
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private owe(): void {
    this.owedSince ??= this.now();
    this.arm(this.quietMs);
  }

  private arm(ms: number): void {
    if (this.timer !== undefined || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.check();
    }, ms);
    this.timer.unref();
  }

  private check(): void {
    if (this.owedSince === undefined || this.running || this.closed) return;
    const t = this.now();
    const quietAt = this.lastActivity + this.quietMs;
    const wait =
      Math.max(Math.min(quietAt, this.owedSince + this.maxDelayMs), this.lastRelease + this.minIntervalMs) - t;
    if (wait > 0) return this.arm(wait);
    this.owedSince = undefined;
    this.running = true;
    this.lastRelease = t;
    void this.options
      .release(t >= quietAt)
      .catch(() => undefined)
      .finally(() => {
        this.running = false;
        // What was freed during the release is released next time round.
        if (this.owedSince !== undefined) this.arm(this.quietMs);
      });
  }
}
