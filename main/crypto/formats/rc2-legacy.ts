// RC2-CBC decryption for legacy PKCS#12 files (pbeWithSHAAnd40BitRC2-CBC, as Windows and
// `openssl pkcs12 -legacy` write the certificate bag). Node 20's OpenSSL keeps RC2 in the legacy
// provider, which Node loads only with --openssl-legacy-provider; the issue allows node-forge for
// exactly this path, so only this decryption uses it (key derivation, MAC and 3DES stay on Node's
// OpenSSL). Loaded lazily: nothing else pays for it. Forge holds bytes as JS strings, which cannot
// be wiped; the RC2-40 keys it sees here are weak by design anyway.
import { createRequire } from 'node:module';
import { formatError } from '../errors.js';

interface ForgeBuffer {
  getBytes(): string;
}
interface Rc2Cipher {
  start(iv: string | null, output?: null): void;
  update(input: ForgeBuffer): void;
  finish(): boolean;
  output: ForgeBuffer;
}
interface Rc2Module {
  createDecryptionCipher(key: string, bits: number): Rc2Cipher;
}
interface ForgeUtil {
  createBuffer(input: string, encoding?: 'raw'): ForgeBuffer;
}

let loaded: { rc2: Rc2Module; util: ForgeUtil } | undefined;

function forge(): { rc2: Rc2Module; util: ForgeUtil } {
  if (!loaded) {
    const require = createRequire(import.meta.url);
    loaded = {
      rc2: require('node-forge/lib/rc2.js') as Rc2Module,
      util: require('node-forge/lib/util.js') as ForgeUtil,
    };
  }
  return loaded;
}

/** RC2-CBC with PKCS#7 padding; `effectiveBits` is the RC2 effective key length (40 or 128). */
export function rc2CbcDecrypt(key: Uint8Array, effectiveBits: number, iv: Uint8Array, data: Uint8Array): Buffer {
  if (data.length === 0 || data.length % 8 !== 0) throw formatError('RC2 ciphertext is truncated');
  const f = forge();
  const c = f.rc2.createDecryptionCipher(Buffer.from(key).toString('binary'), effectiveBits);
  c.start(Buffer.from(iv).toString('binary'));
  c.update(f.util.createBuffer(Buffer.from(data).toString('binary'), 'raw'));
  if (!c.finish()) throw formatError('wrong password or damaged data (RC2 decryption failed)');
  return Buffer.from(c.output.getBytes(), 'binary');
}
