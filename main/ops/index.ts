import { activate, archive, destroy, recover, revoke } from './lifecycle.js';
import { addAttribute, adjustAttribute, deleteAttribute, modifyAttribute, setAttribute } from './attribute-ops.js';
import { cancel, poll } from './async-ops.js';
import { certify, reCertify } from './certify.js';
import type { OperationHandler } from './context.js';
import { create, createKeyPair, register } from './create.js';
import {
  decrypt,
  encrypt,
  hashOp,
  mac,
  macVerify,
  rngRetrieve,
  rngSeed,
  signOp,
  signatureVerify,
} from './crypto-ops.js';
import { deriveKey } from './derive-key.js';
import { discoverVersions } from './discover-versions.js';
import { get, getAttributeList, getAttributes } from './get.js';
import { exportOp, importOp } from './import-export.js';
import { locate } from './locate.js';
import { check, getUsageAllocation, interop, log, obtainLease } from './misc-ops.js';
import { makePkcs11Operation } from './pkcs11-operation.js';
import { makeQuery } from './query.js';
import { reKey, reKeyKeyPair } from './rekey.js';
import { createSplitKey, joinSplitKey } from './split-key.js';
import { Operation } from './vocabulary.js';

export * from './context.js';
export { MemoryObjectStore } from './memory-store.js';
export { resultOf, kmipError } from './errors.js';
export { supportedVersions } from './versions.js';

/** Every operation Keyhold's server answers, by Operation enumeration value. */
export const operations: Partial<Record<number, OperationHandler>> = {
  [Operation.DiscoverVersions]: discoverVersions,
  [Operation.Create]: create,
  [Operation.CreateKeyPair]: createKeyPair,
  [Operation.Register]: register,
  [Operation.ReKey]: reKey,
  [Operation.ReKeyKeyPair]: reKeyKeyPair,
  [Operation.DeriveKey]: deriveKey,
  [Operation.Locate]: locate,
  [Operation.Check]: check,
  [Operation.Get]: get,
  [Operation.GetAttributes]: getAttributes,
  [Operation.GetAttributeList]: getAttributeList,
  [Operation.AddAttribute]: addAttribute,
  [Operation.ModifyAttribute]: modifyAttribute,
  [Operation.DeleteAttribute]: deleteAttribute,
  [Operation.SetAttribute]: setAttribute,
  [Operation.AdjustAttribute]: adjustAttribute,
  [Operation.ObtainLease]: obtainLease,
  [Operation.GetUsageAllocation]: getUsageAllocation,
  [Operation.Activate]: activate,
  [Operation.Revoke]: revoke,
  [Operation.Destroy]: destroy,
  [Operation.Archive]: archive,
  [Operation.Recover]: recover,
  [Operation.Encrypt]: encrypt,
  [Operation.Decrypt]: decrypt,
  [Operation.Sign]: signOp,
  [Operation.SignatureVerify]: signatureVerify,
  [Operation.MAC]: mac,
  [Operation.MACVerify]: macVerify,
  [Operation.RNGRetrieve]: rngRetrieve,
  [Operation.RNGSeed]: rngSeed,
  [Operation.Hash]: hashOp,
  [Operation.CreateSplitKey]: createSplitKey,
  [Operation.JoinSplitKey]: joinSplitKey,
  [Operation.Interop]: interop,
  [Operation.Log]: log,
  [Operation.Poll]: poll,
  [Operation.Cancel]: cancel,
  [Operation.Certify]: certify,
  [Operation.ReCertify]: reCertify,
  [Operation.Import]: importOp,
  [Operation.Export]: exportOp,
  [Operation.PKCS_11]: makePkcs11Operation(),
};
operations[Operation.Query] = makeQuery(() =>
  Object.keys(operations)
    .map(Number)
    .sort((a, b) => a - b),
);
