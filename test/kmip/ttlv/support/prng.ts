/**
 * mulberry32: a small seeded PRNG, fast and good enough to spread mutations. The same seed gives
 * the same sequence on every run, so the fuzz and mutation tests replay exactly.
 */
export function prng(s: number): () => number {
  let a = s >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
