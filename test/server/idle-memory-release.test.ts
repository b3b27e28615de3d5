import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IdleMemoryRelease } from '../../main/server/idle-memory-release.js';

describe('IdleMemoryRelease', () => {
  let releases: boolean[];
  let memory: IdleMemoryRelease;

  beforeEach(() => {
    vi.useFakeTimers();
    releases = [];
    memory = new IdleMemoryRelease({
      release: (quiet) => {
        releases.push(quiet);
        return Promise.resolve();
      },
      quietMs: 1000,
      minIntervalMs: 10_000,
      maxDelayMs: 5000,
      now: () => Date.now(),
    });
  });

  afterEach(() => {
    memory.close();
    vi.useRealTimers();
  });

  it('releases nothing while nothing freed memory', async () => {
    await vi.advanceTimersByTimeAsync(60_000);
    expect(releases).toEqual([]);
  });

  it('releases once the server is quiet after a connection opened or closed', async () => {
    memory.connectionChanged();
    await vi.advanceTimersByTimeAsync(999);
    expect(releases).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(releases).toEqual([true]);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(releases).toEqual([true]);
  });

  it('waits while requests keep coming, and releases after the longest delay on a busy server', async () => {
    memory.answered();
    for (let t = 0; t < 4900; t += 100) {
      await vi.advanceTimersByTimeAsync(100);
      memory.answered();
    }
    expect(releases).toEqual([]);
    await vi.advanceTimersByTimeAsync(100);
    // Never quiet: released at 5 s, told it is not a quiet moment.
    expect(releases).toEqual([false]);
  });

  it('releases when quiet sooner than the longest delay', async () => {
    memory.answered();
    await vi.advanceTimersByTimeAsync(500);
    memory.answered();
    await vi.advanceTimersByTimeAsync(999);
    expect(releases).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(releases).toEqual([true]);
  });

  it('keeps ten seconds between releases', async () => {
    memory.connectionChanged();
    await vi.advanceTimersByTimeAsync(1000);
    memory.connectionChanged();
    // The first release was at 1 s: the next one no sooner than 11 s.
    await vi.advanceTimersByTimeAsync(9999);
    expect(releases).toEqual([true]);
    await vi.advanceTimersByTimeAsync(1);
    expect(releases).toEqual([true, true]);
  });

  it('releases what was freed during a release on the next round', async () => {
    let finish: () => void = () => undefined;
    const slow = new IdleMemoryRelease({
      release: (quiet) => {
        releases.push(quiet);
        return new Promise<void>((resolve) => (finish = resolve));
      },
      quietMs: 1000,
      minIntervalMs: 2000,
      now: () => Date.now(),
    });
    try {
      slow.connectionChanged();
      await vi.advanceTimersByTimeAsync(1000);
      slow.connectionChanged();
      await vi.advanceTimersByTimeAsync(5000);
      expect(releases).toEqual([true]);
      finish();
      await vi.advanceTimersByTimeAsync(1000);
      expect(releases).toEqual([true, true]);
    } finally {
      slow.close();
    }
  });

  it('releases nothing once closed', async () => {
    memory.connectionChanged();
    memory.close();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(releases).toEqual([]);
  });
});
