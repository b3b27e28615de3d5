// Key and certificate file formats: PEM, DER, PKCS#1, PKCS#8 (PBES2), PKCS#12, PKCS#7, JWK, OpenSSH.
export * from './pem.js';
export * from './keys.js';
export { readPkcs12, writePkcs12, type Pkcs12Contents, type Pkcs12Options } from './pkcs12.js';
export { pkcs12Kdf, bmpPassword } from './pbe.js';
export * from './pkcs7.js';
export * from './jwk.js';
export * from './openssh.js';
export * from './detect.js';
