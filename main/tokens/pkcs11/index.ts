/** PKCS#11 tokens: modules, tokens, sessions, objects, operations, backup. */
export {
  COMMON_MODULE_PATHS,
  findSystemModules,
  openModule,
  resolveModules,
  finalizeAllModules,
  Pkcs11Module,
} from './modules.js';
export {
  listTokens,
  findToken,
  describeToken,
  type TokenInfo,
  type TokenSelector,
  type MechanismInfo,
} from './tokens.js';
export { withTokenSession, type TokenSession, type SessionOptions, type LoginAs } from './session.js';
export { initToken, initUserPin, changePin } from './admin.js';
export {
  listObjects,
  findObjects,
  findOne,
  describeObject,
  generateKey,
  importKey,
  writeCertificate,
  readCertificate,
  writeData,
  readData,
  deleteObjects,
  type TokenObjectInfo,
  type TokenObjectClass,
  type ObjectFilter,
  type GenerateSpec,
  type ImportMaterial,
  type ImportSpec,
  type TokenKeyAlgorithm,
} from './objects.js';
export {
  sign,
  verify,
  encrypt,
  decrypt,
  type SignatureMechanism,
  type CipherMechanism,
  type KeyRef,
} from './operations.js';
export { isRemovalError, tokenError } from './errors.js';
