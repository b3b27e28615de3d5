import { createDecipheriv, createHmac } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPyKmipScript, type PyKmipStep } from '../support/pykmip-client.js';
import { profileSuite } from './support/profile-suite.js';
import { at, child, e, ok, op, request, s as st, uid } from './support/wire.js';

/**
 * PyKMIP's ProxyKmipClient (Debian python3-pykmip 0.10) through the operations Keyhold serves beyond
 * the basic lifecycle, as far as that client supports them: Get with a Key Wrapping Specification
 * (AES Key Wrap, RFC 3394), MAC, Sign / Signature Verify, ReKey, Check; against the vault-backed
 * server. (Derive Key is in test/interop/pykmip-derive; ProxyKmipClient has no Certify, Create
 * Split Key or Join Split Key.)
 */
const here = path.dirname(fileURLToPath(import.meta.url));
const pykmip = profileSuite('pykmip-newer', 'pykmip');
let dir: string;
let steps: PyKmipStep[];

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'keyhold-pykmip-newer-'));
  for (const [n, v] of Object.entries(pykmip.files)) writeFileSync(path.join(dir, `${n}.pem`), v);
  steps = await runPyKmipScript(
    path.join(here, 'support/pykmip_newer_ops.py'),
    pykmip.server.port,
    path.join(dir, 'cert.pem'),
    path.join(dir, 'key.pem'),
    path.join(dir, 'ca.pem'),
    90_000,
  );
}, 180_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const value = (name: string): unknown => steps.find((s) => s.step === name)?.value;

describe('PyKMIP ProxyKmipClient through the newer operations (vault-backed server)', () => {
  it('every step succeeds but PyKMIP decoding a wrapped Key Value (its KeyBlock reads only a Structure)', () => {
    const failed = steps.filter((x) => !x.ok);
    // KMIP 1.4 section 2.1.3: a wrapped Key Value is a Byte String; PyKMIP 0.10 cannot read one.
    expect(failed.map((x) => x.step)).toEqual(['get_wrapped_dek']);
    expect(failed[0]?.error).toContain('expected 1, received 8');
    expect(steps.length).toBeGreaterThanOrEqual(20);
  });

  it('the same Get with a Key Wrapping Specification (KMIP 1.2, as PyKMIP sends it) is RFC 3394 AES Key Wrap under the KEK', async () => {
    const kek = Buffer.from(String(value('get_kek')), 'hex');
    const dek = Buffer.from(String(value('get_dek')), 'hex');
    const c = await pykmip.open();
    try {
      const r = await c.send(
        request(
          [1, 2],
          [
            op('Get', [
              uid(String(value('create_dek'))),
              st(
                'KeyWrappingSpecification',
                e('WrappingMethod', 'Encrypt'),
                st(
                  'EncryptionKeyInformation',
                  uid(String(value('create_kek'))),
                  st('CryptographicParameters', e('BlockCipherMode', 'NISTKeyWrap')),
                ),
                e('EncodingOption', 'NoEncoding'),
              ),
            ]),
          ],
        ),
      );
      const block = child(child(ok(r), 'SymmetricKey'), 'KeyBlock');
      expect(child(block, 'KeyValue')?.type).toBe('ByteString');
      expect(at(block, 'KeyWrappingData', 'WrappingMethod')).toBe('Encrypt');
      const w = Buffer.from(String(at(block, 'KeyValue')), 'hex');
      expect(w).toHaveLength(dek.length + 8);
      const d = createDecipheriv('id-aes256-wrap', kek, Buffer.from('A6A6A6A6A6A6A6A6', 'hex'));
      expect(Buffer.concat([d.update(w), d.final()]).equals(dek)).toBe(true);
    } finally {
      c.close();
    }
  });

  it('MAC is HMAC-SHA256 of the data under the key; a forged signature does not verify; ReKey makes a new key', () => {
    const k = Buffer.from(String(value('get_hmac_key')), 'hex');
    expect(value('mac')).toBe(createHmac('sha256', k).update('keyhold mac data').digest('hex'));
    expect(value('verify_good')).toContain('VALID');
    expect(String(value('verify_good'))).not.toContain('INVALID');
    expect(value('verify_bad')).toContain('INVALID');
    expect(value('rekeyed_is_new')).toBe(true);
  });
});
