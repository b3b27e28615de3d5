import { createHmac, pbkdf2Sync } from 'node:crypto';
import { open } from 'node:fs/promises';

/** SQLCipher 4 defaults: 4096-byte pages, each ending in a 16-byte IV and a 64-byte HMAC-SHA512. */
const PAGE_SIZE = 4096;
const IV_BYTES = 16;
const HMAC_BYTES = 64;
const RESERVE = IV_BYTES + HMAC_BYTES;
/** The first 16 bytes of the file are the KDF salt, outside page 1's encrypted content. */
const SALT_BYTES = 16;
const HMAC_SALT_MASK = 0x3a;
const FAST_KDF_ITERATIONS = 2;
const PAGES_PER_READ = 256;

/**
 * Checks the authentication code of every page of a SQLCipher 4 database file, the free ones
 * too (SQLite's own checks read only pages in use): what SQLCipher's cipher_integrity_check
 * does, tested against it. `rawKey` is the raw database key (no passphrase KDF). The HMAC key is
 * PBKDF2-HMAC-SHA512 of the key over the file's salt XOR 0x3a, 2 iterations; each page's HMAC
 * covers its ciphertext and IV, then its page number (4 bytes, little-endian).
 * Returns one line per page that fails; nothing when all pass. The caller keeps the file still.
 */
export async function checkPageAuthentication(file: string, rawKey: Buffer): Promise<string[]> {
  const problems: string[] = [];
  const handle = await open(file, 'r');
  const buffer = Buffer.alloc(PAGE_SIZE * PAGES_PER_READ);
  let hmacKey: Buffer | undefined;
  try {
    const { size } = await handle.stat();
    if (size % PAGE_SIZE !== 0) problems.push(`the file is ${size} bytes, not a whole number of pages`);
    const pages = Math.floor(size / PAGE_SIZE);
    const pageNumber = Buffer.alloc(4);
    for (let first = 1; first <= pages; first += PAGES_PER_READ) {
      const count = Math.min(PAGES_PER_READ, pages - first + 1);
      const { bytesRead } = await handle.read(buffer, 0, count * PAGE_SIZE, (first - 1) * PAGE_SIZE);
      if (bytesRead < count * PAGE_SIZE) {
        problems.push(`the file ended while reading page ${first}`);
        break;
      }
      if (hmacKey === undefined) {
        const salt = Buffer.from(buffer.subarray(0, SALT_BYTES).map((b) => b ^ HMAC_SALT_MASK));
        hmacKey = pbkdf2Sync(rawKey, salt, FAST_KDF_ITERATIONS, 32, 'sha512');
      }
      for (let i = 0; i < count; i++) {
        const page = buffer.subarray(i * PAGE_SIZE, (i + 1) * PAGE_SIZE);
        const number = first + i;
        pageNumber.writeUInt32LE(number);
        const mac = createHmac('sha512', hmacKey)
          .update(page.subarray(number === 1 ? SALT_BYTES : 0, PAGE_SIZE - RESERVE + IV_BYTES))
          .update(pageNumber)
          .digest();
        if (!mac.equals(page.subarray(PAGE_SIZE - HMAC_BYTES))) problems.push(`page ${number}: HMAC check failed`);
      }
    }
    return problems;
  } finally {
    hmacKey?.fill(0);
    await handle.close();
  }
}
