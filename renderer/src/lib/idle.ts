/** Calls onIdle after `seconds` without keyboard, pointer or wheel input; returns a stop function. */
export function watchIdle(
  seconds: number,
  onIdle: () => void,
  target: Pick<Window, 'addEventListener' | 'removeEventListener'> = window,
): () => void {
  if (seconds <= 0) return () => undefined;
  let timer = setTimeout(onIdle, seconds * 1000);
  const reset = () => {
    clearTimeout(timer);
    timer = setTimeout(onIdle, seconds * 1000);
  };
  const events = ['keydown', 'pointerdown', 'pointermove', 'wheel'] as const;
  for (const e of events) target.addEventListener(e, reset, { passive: true });
  return () => {
    clearTimeout(timer);
    for (const e of events) target.removeEventListener(e, reset);
  };
}
