import type { Pkcs11Module } from './modules.js';
import { tokenSessionActive } from './session.js';
import { listTokens, type TokenInfo } from './tokens.js';

export type TokenEvent = { type: 'inserted' | 'removed'; token: TokenInfo };

export interface TokenWatcher {
  /** The tokens present at the last poll. */
  readonly present: readonly TokenInfo[];
  /** Polls now (also what the timer does); resolves with the changes found. */
  poll(): TokenEvent[];
  stop(): void;
}

const keyOf = (t: TokenInfo) => `${t.modulePath}\0${t.serialNumber}\0${t.label}`;

/**
 * Watches for tokens being inserted and removed by polling the slot list. C_WaitForSlotEvent
 * blocks a thread and many modules (SoftHSM among them) do not implement it; some modules also
 * enumerate tokens only at C_Initialize, so with `reinitialize` (the default) each poll starts
 * the modules afresh, except while a token operation is running.
 */
export function watchTokens(
  modules: readonly Pkcs11Module[],
  onEvent: (e: TokenEvent) => void,
  options: { intervalMs?: number; reinitialize?: boolean } = {},
): TokenWatcher {
  let present: TokenInfo[] = safeList(modules);
  const poll = (): TokenEvent[] => {
    if (options.reinitialize !== false && !tokenSessionActive()) for (const m of modules) m.reset();
    const now = safeList(modules);
    const before = new Map(present.map((t) => [keyOf(t), t]));
    const after = new Map(now.map((t) => [keyOf(t), t]));
    const events: TokenEvent[] = [
      ...[...before].filter(([k]) => !after.has(k)).map(([, token]) => ({ type: 'removed' as const, token })),
      ...[...after].filter(([k]) => !before.has(k)).map(([, token]) => ({ type: 'inserted' as const, token })),
    ];
    present = now;
    for (const e of events) onEvent(e);
    return events;
  };
  const timer = setInterval(poll, options.intervalMs ?? 1000);
  timer.unref();
  return {
    get present() {
      return present;
    },
    poll,
    stop: () => clearInterval(timer),
  };
}

function safeList(modules: readonly Pkcs11Module[]): TokenInfo[] {
  // One module failing (a reader unplugged) must not hide the tokens of the others.
  return modules.flatMap((m) => {
    try {
      return listTokens([m]);
    } catch {
      m.reset();
      return [];
    }
  });
}
