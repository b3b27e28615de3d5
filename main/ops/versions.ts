import type { ProtocolVersion } from './context.js';

/** Protocol versions this server speaks, newest first (DiscoverVersions answers in this order). */
export const supportedVersions: readonly ProtocolVersion[] = [
  { major: 2, minor: 1 },
  { major: 2, minor: 0 },
  { major: 1, minor: 4 },
  { major: 1, minor: 3 },
  { major: 1, minor: 2 },
  { major: 1, minor: 1 },
  { major: 1, minor: 0 },
];
