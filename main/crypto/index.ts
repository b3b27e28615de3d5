// The public face of main/crypto: primitives on Node's OpenSSL, the KMIP name table, X.509,
// formats and the builders that turn keys and certificates into vault objects.
export * from './errors.js';
export * from './hash.js';
export * from './kdf.js';
export * from './random.js';
export * from './generate.js';
export * from './key-material.js';
export * from './symmetric.js';
export * from './rsa-encryption.js';
export * from './signature.js';
export * from './key-wrap.js';
export * from './kmip-names.js';
export * from './x509/index.js';
export * from './formats/index.js';
export * from './managed-objects.js';
