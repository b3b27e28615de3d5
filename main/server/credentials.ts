import { createHmac, randomBytes, scrypt, scryptSync, timingSafeEqual } from 'node:crypto';
import { KeyholdError } from '../../shared/errors.js';
import type { Authenticator, Credential } from './protocol.js';

/** scrypt parameters of a stored client password (the scheme name records them). */
export const CREDENTIAL_SCHEME = 'scrypt-16384-8-1';
const SCRYPT_OPTIONS = { N: 16384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const HASH_LENGTH = 32;

/** A client's Credential as stored: the username, the salt and the scrypt hash; never the password. */
export interface StoredCredential {
  username: string;
  scheme: string;
  salt: Buffer;
  hash: Buffer;
}

/** scrypt on the libuv thread pool: never blocks the event loop. */
function scryptAsync(password: Buffer, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, HASH_LENGTH, SCRYPT_OPTIONS, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/** Hashes a client password (the caller wipes `password`). */
export async function hashClientPassword(username: string, password: Buffer): Promise<StoredCredential> {
  if (username === '' || username.length > 256)
    throw new KeyholdError('invalid-argument', 'a Credential username is 1-256 characters');
  if (password.length === 0) throw new KeyholdError('invalid-argument', 'the client password is empty');
  const salt = randomBytes(16);
  return { username, scheme: CREDENTIAL_SCHEME, salt, hash: await scryptAsync(password, salt) };
}

function refusal(): KeyholdError {
  return new KeyholdError('permission-denied', 'the Credential is missing or wrong', {
    reason: 'Authentication Not Successful',
  });
}

/**
 * The optional per-client Credential (Username and Password, KMIP 1.4 section 2.1.2) on top of
 * the certificate, as the running server checks it. vCenter and ONTAP send one (INTEROP-NOTES 4):
 * a client with a credential set must send the right one; a client without one may send any and
 * it is not checked.
 *
 * scrypt runs asynchronously, and only when a request brings a (username, password) not yet
 * verified for that identity's current credential: a keyed digest of the last verified pair is
 * kept per identity (the connections of one certificate share it), so a client that sends the
 * same Credential on every request pays once. Changing or clearing a credential drops it, so
 * the next request is checked against the new one.
 */
export class ClientCredentials implements Authenticator {
  private readonly entries = new Map<string, StoredCredential & { generation: number }>();
  private readonly verified = new Map<string, { generation: number; digest: Buffer }>();
  private readonly pending = new Map<string, Promise<boolean>>();
  /** Key of the digests kept in memory (a new one per process). */
  private readonly digestKey = randomBytes(32);
  private generation = 0;
  /** How many scrypt verifications ran (for tests and the server panel). */
  scryptRuns = 0;

  /** Sets (or with `undefined` clears) the credential of an identity; takes effect for the next request. */
  set(identity: string, credential: StoredCredential | undefined): void {
    this.generation++;
    this.verified.delete(identity);
    if (credential === undefined) this.entries.delete(identity);
    else this.entries.set(identity, { ...credential, generation: this.generation });
  }

  /** True when the identity must send a Credential. */
  requires(identity: string): boolean {
    return this.entries.has(identity);
  }

  async check(identity: string, credential: Credential | undefined): Promise<void> {
    const entry = this.entries.get(identity);
    if (!entry) return;
    if (credential === undefined || credential.username !== entry.username) throw refusal();
    const password = Buffer.from(credential.password, 'utf8');
    try {
      const digest = createHmac('sha256', this.digestKey)
        .update(`${entry.generation}\0${credential.username}\0`)
        .update(password)
        .digest();
      const seen = this.verified.get(identity);
      if (seen && seen.generation === entry.generation && timingSafeEqual(seen.digest, digest)) return;
      const key = `${identity}\0${digest.toString('hex')}`;
      let run = this.pending.get(key);
      if (!run) {
        run = this.verify(entry, password);
        this.pending.set(key, run);
        void run.finally(() => this.pending.delete(key)).catch(() => undefined);
      }
      const ok = await run;
      // A change made while scrypt ran wins: only the credential that was checked is cached.
      if (ok && this.entries.get(identity)?.generation === entry.generation) {
        this.verified.set(identity, { generation: entry.generation, digest });
      }
      if (!ok) throw refusal();
    } finally {
      password.fill(0);
    }
  }

  private async verify(entry: StoredCredential, password: Buffer): Promise<boolean> {
    if (entry.scheme !== CREDENTIAL_SCHEME) return false;
    this.scryptRuns++;
    const copy = Buffer.from(password);
    try {
      const hash = await scryptAsync(copy, entry.salt);
      const ok = hash.length === entry.hash.length && timingSafeEqual(hash, entry.hash);
      hash.fill(0);
      return ok;
    } finally {
      copy.fill(0);
    }
  }
}

/**
 * An in-memory table of credentials by identity (tests and embedders). The running server uses
 * ClientCredentials loaded from the vault's enrollment records (control-engine.ts).
 */
export class CredentialTable implements Authenticator {
  private readonly inner = new ClientCredentials();

  set(identity: string, username: string, password: string): void {
    const salt = randomBytes(16);
    const secret = Buffer.from(password, 'utf8');
    const hash = scryptSync(secret, salt, HASH_LENGTH, SCRYPT_OPTIONS);
    secret.fill(0);
    this.inner.set(identity, { username, scheme: CREDENTIAL_SCHEME, salt, hash });
  }

  check(identity: string, credential: Credential | undefined): Promise<void> {
    return this.inner.check(identity, credential);
  }
}
