import { estimateStrength } from '../lib/strength.js';

export function StrengthMeter({
  passphrase,
  id,
  what = 'passphrase',
}: {
  passphrase: string;
  id: string;
  /** What is measured, in words: 'passphrase' (the default), 'password'. */
  what?: string;
}) {
  const s = estimateStrength(passphrase);
  return (
    <div className="strength" id={id} aria-live="polite">
      <div
        className={`strength-bar score-${s.score}`}
        role="meter"
        aria-label={`${what.charAt(0).toUpperCase()}${what.slice(1)} strength`}
        aria-valuemin={0}
        aria-valuemax={4}
        aria-valuenow={s.score}
        aria-valuetext={s.label}
      >
        {[0, 1, 2, 3].map((i) => (
          <span key={i} className={passphrase && i < Math.max(1, s.score) ? 'on' : ''} />
        ))}
      </div>
      <span className="strength-label">{passphrase ? `${s.label} · about ${s.bits} bits` : `Enter a ${what}`}</span>
    </div>
  );
}
