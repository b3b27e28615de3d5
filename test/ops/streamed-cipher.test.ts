import { createCipheriv } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isKeyholdError } from '../../shared/errors.js';
import { StreamedCiphers } from '../../main/ops/streamed-cipher.js';

const key = Buffer.alloc(16, 3);
const iv = Buffer.alloc(12, 9);
const aad = Buffer.from('header');
const gcm = { algorithm: 'AES' as const, mode: 'GCM' as const, iv, aad, tagLength: 16 };
const who = { uniqueIdentifier: 'k1', identity: 'alice' };

function oneShot(data: Buffer): { data: Buffer; tag: Buffer } {
  const c = createCipheriv('aes-128-gcm', key, iv);
  c.setAAD(aad);
  const out = Buffer.concat([c.update(data), c.final()]);
  return { data: out, tag: c.getAuthTag() };
}

function reasonOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return isKeyholdError(e) ? e.reason : 'not a KeyholdError';
  }
  return undefined;
}

describe('StreamedCiphers (multi-part Encrypt/Decrypt)', () => {
  it('AES-GCM in three parts equals the one-shot cryptogram and tag, and decrypts back', () => {
    const s = new StreamedCiphers();
    const plain = Buffer.from('a message split over three parts of odd sizes!');
    const id = s.init('encrypt', who, key, gcm, 0);
    const a = s.update(id, 'encrypt', 'alice', plain.subarray(0, 7), 0).data;
    const b = s.update(id, 'encrypt', 'alice', plain.subarray(7, 30), 0).data;
    const last = s.final(id, 'encrypt', 'alice', plain.subarray(30), 0);
    const expected = oneShot(plain);
    expect(Buffer.concat([a, b, last.data])).toEqual(expected.data);
    expect(last.tag).toEqual(expected.tag);
    expect(s.size).toBe(0);

    const d = s.init('decrypt', who, key, gcm, 0);
    const p1 = s.update(d, 'decrypt', 'alice', expected.data.subarray(0, 20), 0).data;
    const p2 = s.final(d, 'decrypt', 'alice', expected.data.subarray(20), 0, expected.tag).data;
    expect(Buffer.concat([p1, p2])).toEqual(plain);
  });

  it('a wrong tag on the last part is a Cryptographic Failure', () => {
    const s = new StreamedCiphers();
    const { data } = oneShot(Buffer.from('x'.repeat(40)));
    const d = s.init('decrypt', who, key, gcm, 0);
    expect(reasonOf(() => s.final(d, 'decrypt', 'alice', data, 0, Buffer.alloc(16)))).toBe('Cryptographic Failure');
  });

  it("another client's, an expired or an unknown Correlation Value is refused", () => {
    const s = new StreamedCiphers({ maxStreams: 10, idleMs: 1000 });
    const id = s.init('encrypt', who, key, gcm, 0);
    expect(reasonOf(() => s.update(id, 'encrypt', 'mallory', Buffer.alloc(4), 0))).toBe('Invalid Correlation Value');
    expect(reasonOf(() => s.update(Buffer.alloc(16), 'encrypt', 'alice', Buffer.alloc(4), 0))).toBe(
      'Invalid Correlation Value',
    );
    expect(reasonOf(() => s.update(id, 'encrypt', 'alice', Buffer.alloc(4), 500))).toBeUndefined();
    expect(reasonOf(() => s.update(id, 'encrypt', 'alice', Buffer.alloc(4), 1600))).toBe('Invalid Correlation Value');
    expect(s.size).toBe(0);
  });

  it('refuses a stream beyond the limit', () => {
    const s = new StreamedCiphers({ maxStreams: 2, idleMs: 60_000 });
    s.init('encrypt', who, key, gcm, 0);
    s.init('encrypt', who, key, gcm, 0);
    expect(reasonOf(() => s.init('encrypt', who, key, gcm, 0))).toBe('General Failure');
  });
});
