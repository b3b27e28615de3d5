// X.509 on @peculiar/x509 over Node's WebCrypto: CSRs, certificates, a local CA, CRLs, inspection.
export { x509, toWebSigningKeys, toWebPublicKey, defaultSignatureHash } from './provider.js';
export * from './names.js';
export * from './profiles.js';
export * from './csr.js';
export * from './certificate.js';
export * from './crl.js';
export * from './inspect.js';
