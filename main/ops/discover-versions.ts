import type { StructureItem } from '../kmip/ttlv/index.js';
import { supportedVersions } from './versions.js';
import type { OpsContext } from './context.js';
import { findAll, findInt, t } from './ttlv.js';
import { Tag } from './vocabulary.js';

/**
 * Discover Versions (KMIP 1.4 section 4.26): the versions both sides speak, in the client's order
 * of preference; with no list, all of ours, newest first.
 */
export async function discoverVersions(payload: StructureItem, _ctx: OpsContext): Promise<StructureItem> {
  const asked = findAll(payload, Tag.ProtocolVersion).map((pv) => {
    const s = pv.type === 1 ? pv : undefined;
    return { major: findInt(s, Tag.ProtocolVersionMajor) ?? -1, minor: findInt(s, Tag.ProtocolVersionMinor) ?? -1 };
  });
  const answer =
    asked.length === 0
      ? supportedVersions
      : asked.filter((a) => supportedVersions.some((s) => s.major === a.major && s.minor === a.minor));
  return t.struct(
    Tag.ResponsePayload,
    answer.map((v) =>
      t.struct(Tag.ProtocolVersion, [
        t.int(Tag.ProtocolVersionMajor, v.major),
        t.int(Tag.ProtocolVersionMinor, v.minor),
      ]),
    ),
  );
}
