import { atLeast, type ProtocolVersion } from './context.js';
import { Operation } from './vocabulary.js';

/**
 * The protocol version that first defined each Operation enumeration value. Values were assigned
 * in order, one block per version, so the last value of each block bounds it. Keyhold's registry
 * (built from the 1.4 and 2.1 tables in ../shared/kmip/spec) only tells 1.x from 2.x. The 1.0-1.3
 * specifications are not in ../shared, and the stored copies of them found (docs.oasis-open.org
 * kmip-spec-1.0, v1.1, v1.2, v1.3) showed only their front pages, so the 1.x boundaries rest on:
 * - PyKMIP's kmip/core/enums.py, whose Operation values carry one comment per version: "KMIP 1.0"
 *   0x01-0x1C (Create...Put), "KMIP 1.1" 0x1D-0x1E (Re-key Key Pair, Discover Versions), "KMIP 1.2"
 *   0x1F-0x29 (Encrypt...Join Split Key), "KMIP 1.4" 0x2A-0x2B (Import, Export), "KMIP 2.0"
 *   0x2C-0x35 (Log...Re-Provision), and none for 1.3. PyKMIP's server (kmip/services/server/engine.py,
 *   `_kmip_version_supported`) refuses Discover Versions below 1.1 and Encrypt...MAC below 1.2 with
 *   Operation Not Supported, and its Query lists them only from those versions.
 * - The KMIP 1.1 Usage Guide (docs.oasis-open.org/kmip/ug/v1.1) abstract: 1.1 added "a Discover
 *   Versions operation".
 * - The tag blocks (main/kmip/messages/versions.ts): the 1.2 operations' own fields, Data, Signature
 *   Data and MAC Data (0x4200C2-0x4200C6), are in the 1.2 block.
 * - The 1.4 specification: Export and Import are its last operations (sections 4.40, 4.41, after
 *   Join Split Key); 1.3's additions were attributes and Query functions, no operation.
 * - The 2.1 specification's revision history: Set Defaults, Set Constraints, Query Asynchronous
 *   Requests, Process and Ping (0x36-0x3B) were 2.1 proposals; 0x2C-0x35 are the registry's other
 *   2.x values, i.e. 2.0.
 */
const blocks: readonly [last: number, version: ProtocolVersion][] = [
  [Operation.Put, { major: 1, minor: 0 }],
  [Operation.DiscoverVersions, { major: 1, minor: 1 }],
  [Operation.JoinSplitKey, { major: 1, minor: 2 }],
  [Operation.Export, { major: 1, minor: 4 }],
  [Operation.ReProvision, { major: 2, minor: 0 }],
  [Operation.Ping, { major: 2, minor: 1 }],
];

/** The version that defined an Operation value; undefined for extensions (0x8xxxxxxx) and unassigned values. */
export function operationSince(operation: number): ProtocolVersion | undefined {
  if (operation < 1) return undefined;
  for (const [last, version] of blocks) if (operation <= last) return version;
  return undefined;
}

/**
 * True when a client speaking `version` knows the operation, so a server may list it in Query
 * (Operations) or run it in a message of that version. Extension and unassigned values are left to
 * the caller (a server has no handler for them, so they are Operation Not Supported anyway).
 */
export function operationDefinedIn(operation: number, version: ProtocolVersion): boolean {
  const since = operationSince(operation);
  return since === undefined || atLeast(version, since.major, since.minor);
}

/**
 * True when a server runs the operation in a message of `version`: one that version defines, and
 * Discover Versions in any version. KMIP 1.4 section 11.1 answers an operation the server does not
 * support with Operation Not Supported; an operation newer than the message's version is one the
 * server does not support in that version (PyKMIP's server answers the same). Discover Versions is
 * kept in every version because a client that does not yet know the server's versions asks in the
 * oldest framing (Keyhold's own client sends it as 1.0); PyKMIP refuses it below 1.1.
 */
export function operationRunsIn(operation: number, version: ProtocolVersion): boolean {
  return operation === Operation.DiscoverVersions || operationDefinedIn(operation, version);
}
