import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { kbkdfHmac } from '../../main/crypto/kbkdf.js';

/** openssl kdf KBKDF with the fixed input as one salt and no separator (what kbkdfHmac computes). */
function openssl(mode: 'COUNTER' | 'FEEDBACK', digest: string, key: Buffer, fixed: Buffer, len: number, seed?: Buffer) {
  const args = ['kdf', '-keylen', String(len), '-kdfopt', `mode:${mode}`, '-kdfopt', 'mac:HMAC'];
  args.push('-kdfopt', `digest:${digest}`, '-kdfopt', `hexkey:${key.toString('hex')}`);
  args.push('-kdfopt', `hexsalt:${fixed.toString('hex')}`, '-kdfopt', 'use-separator:0');
  if (seed) args.push('-kdfopt', `hexseed:${seed.toString('hex')}`);
  const out = execFileSync('openssl', [...args, 'KBKDF'], { encoding: 'utf8' }).trim();
  return Buffer.from(out.replace(/:/g, ''), 'hex');
}

describe('KBKDF with HMAC (NIST SP 800-108r1)', () => {
  const key = Buffer.from('c9a6d1e2f3b4a5968778695a4b3c2d1e0f', 'hex');
  const fixed = Buffer.from('4b65792d6c6162656c00636f6e74657874', 'hex');

  for (const [hashName, digest] of [
    ['sha1', 'SHA1'],
    ['sha256', 'SHA2-256'],
    ['sha512', 'SHA2-512'],
  ] as const) {
    for (const len of [1, 16, 33, 100]) {
      it(`counter mode, ${hashName}, ${len} bytes = openssl`, () => {
        expect(kbkdfHmac('Counter', hashName, key, fixed, len)).toEqual(openssl('COUNTER', digest, key, fixed, len));
      });
    }
  }

  it('feedback mode with an IV as long as the hash, and without one, = openssl', () => {
    const iv = Buffer.alloc(32, 0xa5);
    expect(kbkdfHmac('Feedback', 'sha256', key, fixed, 70, iv)).toEqual(
      openssl('FEEDBACK', 'SHA2-256', key, fixed, 70, iv),
    );
    expect(kbkdfHmac('Feedback', 'sha256', key, fixed, 70)).toEqual(openssl('FEEDBACK', 'SHA2-256', key, fixed, 70));
  });

  it('the output length [L]_32 is in every block, so 16 bytes are not a prefix of 32', () => {
    const a = kbkdfHmac('Counter', 'sha256', key, fixed, 16);
    const b = kbkdfHmac('Counter', 'sha256', key, fixed, 32);
    expect(b.subarray(0, 16)).not.toEqual(a);
  });

  it('refuses an empty key, a zero length and an unknown hash', () => {
    expect(() => kbkdfHmac('Counter', 'sha256', Buffer.alloc(0), fixed, 16)).toThrow(/empty/);
    expect(() => kbkdfHmac('Counter', 'sha256', key, fixed, 0)).toThrow(/out of range/);
    expect(() => kbkdfHmac('Counter', 'md4' as 'sha256', key, fixed, 16)).toThrow(/not supported/);
  });
});
