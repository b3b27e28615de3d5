/**
 * A passphrase strength estimate for the meter: rough entropy from length and character classes,
 * discounted for repeats, sequences and very common choices. Advisory only; never stored.
 */
export interface Strength {
  /** 0 (very weak) to 4 (strong). */
  score: 0 | 1 | 2 | 3 | 4;
  label: string;
  bits: number;
}

const common = [
  'password',
  'passw0rd',
  'qwerty',
  'letmein',
  'welcome',
  'admin',
  'keyhold',
  'secret',
  'iloveyou',
  'monkey',
  'dragon',
];
const labels = ['Very weak', 'Weak', 'Fair', 'Good', 'Strong'] as const;

export function estimateStrength(passphrase: string): Strength {
  if (passphrase.length === 0) return { score: 0, label: labels[0], bits: 0 };
  let pool = 0;
  if (/[a-z]/.test(passphrase)) pool += 26;
  if (/[A-Z]/.test(passphrase)) pool += 26;
  if (/[0-9]/.test(passphrase)) pool += 10;
  if (/[^a-zA-Z0-9]/.test(passphrase)) pool += 33;
  // Count only characters that add something: no repeats of the previous one, no +1 sequences.
  let effective = 0;
  for (let i = 0; i < passphrase.length; i++) {
    const prev = i > 0 ? passphrase.charCodeAt(i - 1) : -10;
    const cur = passphrase.charCodeAt(i);
    effective += cur === prev || cur === prev + 1 || cur === prev - 1 ? 0.25 : 1;
  }
  let bits = effective * Math.log2(Math.max(pool, 2));
  const lower = passphrase.toLowerCase();
  if (common.some((w) => lower.includes(w))) bits = Math.min(bits, 20);
  if (new Set(passphrase).size <= 2) bits = Math.min(bits, 10);
  const score = bits < 28 ? 0 : bits < 40 ? 1 : bits < 60 ? 2 : bits < 80 ? 3 : 4;
  return { score, label: labels[score], bits: Math.round(bits) };
}
