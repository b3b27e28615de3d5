import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import { KeyholdError } from '../../shared/errors.js';
import type { Authenticator, Credential } from './protocol.js';

/**
 * Optional per-client Credential (Username and Password, KMIP 1.4 section 2.1.2) on top of the
 * certificate. vCenter and ONTAP send one (INTEROP-NOTES 4): a client with a password set here
 * must send the right one; a client without one may send any and it is not checked.
 */
export class CredentialTable implements Authenticator {
  private readonly entries = new Map<string, { username: string; salt: Buffer; hash: Buffer }>();

  set(identity: string, username: string, password: string): void {
    const salt = randomBytes(16);
    this.entries.set(identity, { username, salt, hash: scryptSync(password, salt, 32) });
  }

  check(identity: string, credential: Credential | undefined): void {
    const e = this.entries.get(identity);
    if (!e) return;
    const ok =
      credential !== undefined &&
      credential.username === e.username &&
      timingSafeEqual(scryptSync(credential.password, e.salt, 32), e.hash);
    if (!ok) {
      throw new KeyholdError('permission-denied', 'the Credential is missing or wrong', {
        reason: 'Authentication Not Successful',
      });
    }
  }
}
