import { afterEach, describe, expect, it, vi } from 'vitest';
import { estimateStrength } from '../../renderer/src/lib/strength.js';
import { copyWithClear } from '../../renderer/src/lib/clipboard.js';
import { watchIdle } from '../../renderer/src/lib/idle.js';
import { visibleRange } from '../../renderer/src/components/virtual-list.js';

afterEach(() => vi.useRealTimers());

describe('passphrase strength', () => {
  it('rates common, short and repetitive passphrases low and long mixed ones high', () => {
    expect(estimateStrength('').score).toBe(0);
    expect(estimateStrength('password123').score).toBe(0);
    expect(estimateStrength('aaaaaaaaaaaaaaaa').score).toBe(0);
    expect(estimateStrength('abcdefghijkl').score).toBeLessThanOrEqual(1);
    expect(estimateStrength('Tr0ub4dor&3').score).toBeGreaterThanOrEqual(2);
    expect(estimateStrength('violet anchor 7 tundra-lamp').score).toBe(4);
  });
});

describe('clipboard clearing', () => {
  it('clears the clipboard after the delay', async () => {
    vi.useFakeTimers();
    const writes: string[] = [];
    const clipboard = { writeText: async (t: string) => void writes.push(t) };
    await copyWithClear('uid-123', 30, clipboard);
    expect(writes).toEqual(['uid-123']);
    await vi.advanceTimersByTimeAsync(29_000);
    expect(writes).toEqual(['uid-123']);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(writes).toEqual(['uid-123', '']);
  });
});

describe('idle auto-lock', () => {
  it('fires after the idle time, and input postpones it', () => {
    vi.useFakeTimers();
    const target = new EventTarget();
    let locked = 0;
    const stop = watchIdle(60, () => locked++, target as unknown as Window);
    vi.advanceTimersByTime(59_000);
    target.dispatchEvent(new Event('keydown'));
    vi.advanceTimersByTime(59_000);
    expect(locked).toBe(0);
    vi.advanceTimersByTime(1_000);
    expect(locked).toBe(1);
    stop();
  });

  it('never fires when disabled', () => {
    vi.useFakeTimers();
    let locked = 0;
    watchIdle(0, () => locked++, new EventTarget() as unknown as Window);
    vi.advanceTimersByTime(10_000_000);
    expect(locked).toBe(0);
  });
});

describe('virtual list window', () => {
  it('renders only the rows in view plus overscan', () => {
    expect(visibleRange(0, 400, 40, 100_000, 5)).toEqual({ first: 0, last: 15 });
    expect(visibleRange(400_000, 400, 40, 100_000, 5)).toEqual({ first: 9995, last: 10015 });
    expect(visibleRange(3_999_800, 400, 40, 100_000, 5)).toEqual({ first: 99_990, last: 100_000 });
  });
});
