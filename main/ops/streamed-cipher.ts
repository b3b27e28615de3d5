import {
  createCipheriv,
  createDecipheriv,
  randomBytes,
  type Cipher,
  type CipherGCM,
  type Decipher,
  type DecipherGCM,
} from 'node:crypto';
import type { SymmetricParameters } from '../crypto/index.js';
import { kmipError } from './errors.js';

/**
 * Multi-part (streamed) Encrypt and Decrypt (KMIP 1.4 sections 4.29-4.30, 2.1 sections 6.1.18 and
 * 6.1.14): the first part carries Init Indicator, the server answers a Correlation Value, later
 * parts carry it, and the part with Final Indicator closes the stream (and, for AEAD modes, yields
 * or checks the tag). Cipher state lives in memory only, bounded in number and in idle time: a
 * stream nobody continues is dropped, and its key bytes with it.
 */
export interface StreamLimits {
  /** Open streams at most; the next Init is refused (Server Limit Exceeded style, General Failure). */
  maxStreams: number;
  /** A stream idle longer than this is dropped. */
  idleMs: number;
}

export const DEFAULT_STREAM_LIMITS: StreamLimits = { maxStreams: 1024, idleMs: 5 * 60_000 };

interface Stream {
  direction: 'encrypt' | 'decrypt';
  uniqueIdentifier: string;
  identity: string;
  cipher: Cipher | Decipher;
  aead: boolean;
  tagLength: number;
  lastUsed: number;
}

/** Node's cipher name for an AES or Triple DES mode (other algorithms are not streamed). */
function cipherName(sp: SymmetricParameters, keyBytes: number): string {
  const mode = (sp.mode ?? 'CBC').toLowerCase();
  if (sp.algorithm === 'AES') return `aes-${keyBytes * 8}-${mode}`;
  if (sp.algorithm === 'DES3') return mode === 'ecb' ? 'des-ede3' : `des-ede3-${mode}`;
  throw kmipError('FeatureNotSupported', `multi-part ${sp.algorithm} is not supported`, 'unsupported');
}

export class StreamedCiphers {
  private readonly streams = new Map<string, Stream>();

  constructor(private readonly limits: StreamLimits = DEFAULT_STREAM_LIMITS) {}

  get size(): number {
    return this.streams.size;
  }

  private sweep(now: number): void {
    for (const [id, s] of this.streams) if (now - s.lastUsed > this.limits.idleMs) this.streams.delete(id);
  }

  /** Opens a stream (Init Indicator) and processes its first part; returns the Correlation Value. */
  init(
    direction: 'encrypt' | 'decrypt',
    who: { uniqueIdentifier: string; identity: string },
    key: Uint8Array,
    sp: SymmetricParameters,
    now: number,
  ): Uint8Array {
    this.sweep(now);
    if (this.streams.size >= this.limits.maxStreams)
      throw kmipError('GeneralFailure', 'too many open multi-part operations', 'unsupported');
    if (!sp.iv && sp.mode !== 'ECB')
      throw kmipError('InvalidMessage', 'a multi-part operation needs an IV/Counter/Nonce', 'invalid-argument');
    const aead = sp.mode === 'GCM';
    const tagLength = sp.tagLength ?? 16;
    const name = cipherName(sp, key.length);
    let cipher: Cipher | Decipher;
    try {
      const iv = sp.mode === 'ECB' ? null : (sp.iv as Uint8Array);
      cipher = aead
        ? direction === 'encrypt'
          ? createCipheriv(name as 'aes-128-gcm', key, iv as Uint8Array, { authTagLength: tagLength })
          : createDecipheriv(name as 'aes-128-gcm', key, iv as Uint8Array, { authTagLength: tagLength })
        : direction === 'encrypt'
          ? createCipheriv(name, key, iv)
          : createDecipheriv(name, key, iv);
    } catch {
      throw kmipError('CryptographicFailure', `cannot start ${name}`, 'crypto');
    }
    cipher.setAutoPadding(sp.padding === 'PKCS5');
    if (aead && sp.aad) (cipher as CipherGCM | DecipherGCM).setAAD(sp.aad);
    const id = randomBytes(16);
    this.streams.set(id.toString('hex'), { direction, ...who, cipher, aead, tagLength, lastUsed: now });
    return id;
  }

  private open(correlation: Uint8Array, direction: 'encrypt' | 'decrypt', identity: string, now: number): Stream {
    this.sweep(now);
    const s = this.streams.get(Buffer.from(correlation).toString('hex'));
    // Another client's stream is as unknown as a stream that never was.
    if (!s || s.identity !== identity || s.direction !== direction)
      throw kmipError('InvalidCorrelationValue', 'no such multi-part operation', 'not-found');
    s.lastUsed = now;
    return s;
  }

  /**
   * Closes a stream of this identity, if open: for a part of a batch that was undone (a cipher's
   * state cannot be rewound, so its client must start the stream again rather than continue it).
   */
  discard(correlation: Uint8Array, identity: string): void {
    const id = Buffer.from(correlation).toString('hex');
    if (this.streams.get(id)?.identity === identity) this.streams.delete(id);
  }

  /** Processes a middle part; returns its output. */
  update(correlation: Uint8Array, direction: 'encrypt' | 'decrypt', identity: string, data: Uint8Array, now: number) {
    const s = this.open(correlation, direction, identity, now);
    return { uniqueIdentifier: s.uniqueIdentifier, data: s.cipher.update(data) };
  }

  /**
   * Processes the last part (Final Indicator) and closes the stream: the output, and for an AEAD
   * encryption its tag; an AEAD decryption checks `tag` (Cryptographic Failure when it does not verify).
   */
  final(
    correlation: Uint8Array,
    direction: 'encrypt' | 'decrypt',
    identity: string,
    data: Uint8Array,
    now: number,
    tag?: Uint8Array,
  ): { uniqueIdentifier: string; data: Buffer; tag?: Buffer } {
    const s = this.open(correlation, direction, identity, now);
    this.streams.delete(Buffer.from(correlation).toString('hex'));
    try {
      if (s.aead && direction === 'decrypt') {
        if (!tag) throw kmipError('InvalidMessage', 'the last part needs the Authenticated Encryption Tag');
        (s.cipher as DecipherGCM).setAuthTag(tag);
      }
      const out = Buffer.concat([s.cipher.update(data), s.cipher.final()]);
      const made = s.aead && direction === 'encrypt' ? (s.cipher as CipherGCM).getAuthTag() : undefined;
      return { uniqueIdentifier: s.uniqueIdentifier, data: out, tag: made };
    } catch (e) {
      if (e instanceof Error && 'reason' in e) throw e;
      throw kmipError('CryptographicFailure', 'the multi-part operation failed (tag or padding)', 'crypto');
    }
  }
}

/** The server's streams (one process, one registry). */
export const streamedCiphers = new StreamedCiphers();
