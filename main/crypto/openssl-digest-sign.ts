// ECDSA over a pre-digested value (KMIP Sign / Signature Verify with Digested Data). Node 20's
// crypto has no sign-a-digest call for EC keys, so this runs OpenSSL itself (`openssl pkeyutl`,
// which is EVP_PKEY_sign on the digest): the same library Node links, never a JS implementation.
// The private key goes to the child on stdin (DER, wiped afterwards), never to a file; only the
// digest and signature, which are not secret, pass through a private temporary directory.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KeyObject } from 'node:crypto';
import { cryptoError, unsupported } from './errors.js';

function inScratch<T>(run: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'keyhold-pkeyutl-'));
  try {
    return run(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function pkeyutl(args: string[], input: Buffer): Buffer {
  try {
    // Node's stdin to a child is a socket, which openssl cannot fopen as /dev/stdin; `cat |`
    // turns it into a pipe it can.
    return execFileSync('sh', ['-c', 'cat | openssl pkeyutl "$@"', 'sh', ...args], {
      input,
      stdio: ['pipe', 'pipe', 'pipe'],
      maxBuffer: 1 << 16,
    });
  } catch (e) {
    if ((e as { status?: number }).status === 127)
      throw unsupported('ECDSA on a pre-digested value needs the openssl command, which is not installed');
    throw e;
  }
}

/** ECDSA signature (DER, X9.62) over `digest` with an EC private key. */
export function ecdsaSignDigest(key: KeyObject, digest: Uint8Array): Buffer {
  const der = key.export({ format: 'der', type: 'pkcs8' });
  try {
    return inScratch((dir) => {
      const input = join(dir, 'digest');
      writeFileSync(input, digest);
      return pkeyutl(['-sign', '-keyform', 'DER', '-inkey', '/dev/stdin', '-in', input], der);
    });
  } catch (e) {
    throw cryptoError('ECDSA signing of the digest failed', e);
  } finally {
    der.fill(0);
  }
}

/** Verifies a DER ECDSA signature over `digest`; false when it does not verify. */
export function ecdsaVerifyDigest(key: KeyObject, digest: Uint8Array, signature: Uint8Array): boolean {
  const der = key.export({ format: 'der', type: 'spki' });
  return inScratch((dir) => {
    const input = join(dir, 'digest');
    const sig = join(dir, 'sig');
    writeFileSync(input, digest);
    writeFileSync(sig, signature);
    try {
      const out = pkeyutl(
        ['-verify', '-pubin', '-keyform', 'DER', '-inkey', '/dev/stdin', '-in', input, '-sigfile', sig],
        der,
      ).toString();
      return /Signature Verified Successfully/.test(out);
    } catch (e) {
      if ((e as { code?: string }).code === 'unsupported') throw e;
      return false;
    }
  });
}

/** DER SEQUENCE { INTEGER r, INTEGER s } -> IEEE P1363 r||s of `size` bytes each. */
export function derToP1363(der: Buffer, size: number): Buffer {
  let at = 2;
  if (der[1]! & 0x80) at = 2 + (der[1]! & 0x7f);
  const out = Buffer.alloc(2 * size);
  for (let k = 0; k < 2; k++) {
    if (der[at] !== 0x02) throw cryptoError('ECDSA signature is not DER');
    const len = der[at + 1]!;
    let v = der.subarray(at + 2, at + 2 + len);
    while (v.length > size && v[0] === 0) v = v.subarray(1);
    v.copy(out, k * size + (size - v.length));
    at += 2 + len;
  }
  return out;
}

/** IEEE P1363 r||s -> DER SEQUENCE { INTEGER r, INTEGER s }. */
export function p1363ToDer(sig: Uint8Array): Buffer {
  const half = sig.length / 2;
  const int = (b: Uint8Array): Buffer => {
    let i = 0;
    while (i < b.length - 1 && b[i] === 0) i++;
    const v = Buffer.from(b.subarray(i));
    const body = (v[0]! & 0x80) !== 0 ? Buffer.concat([Buffer.alloc(1), v]) : v;
    return Buffer.concat([Buffer.from([0x02, body.length]), body]);
  };
  const body = Buffer.concat([int(sig.subarray(0, half)), int(sig.subarray(half))]);
  const head = body.length < 0x80 ? Buffer.from([0x30, body.length]) : Buffer.from([0x30, 0x81, body.length]);
  return Buffer.concat([head, body]);
}
