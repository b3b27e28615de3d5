// Types for the bcrypt-pbkdf package (OpenBSD bcrypt_pbkdf, the KDF of passphrase-protected
// OpenSSH private keys); the package ships none.
declare module 'bcrypt-pbkdf' {
  /** Fills `key` (length `keylen`) from the passphrase and salt with `rounds` rounds; returns 0, or -1 on bad input. */
  export function pbkdf(
    pass: Uint8Array,
    passlen: number,
    salt: Uint8Array,
    saltlen: number,
    key: Uint8Array,
    keylen: number,
    rounds: number,
  ): number;
}
