import { randomBytes } from 'node:crypto';
import { ItemType, type StructureItem, type TtlvItem } from '../kmip/ttlv/index.js';
import { atLeast, type OpsContext, type OperationHandler } from './context.js';
import { kmipError } from './errors.js';
import { find, findText, t } from './ttlv.js';
import { EnumerationValues } from '../kmip/registry/index.js';
import { Tag } from './vocabulary.js';

/**
 * The PKCS#11 operation (KMIP 2.1 section 6.1.37): a PKCS#11 function called through KMIP, its
 * parameters encoded as the KMIP PKCS#11 Profile says (CK_BYTE one byte, CK_ULONG eight bytes
 * big-endian, blank-padded character arrays). Keyhold serves the library-level functions of the
 * PKCS#11 Server profile's mandatory test (C_Initialize, C_GetInfo, C_Finalize): a "library
 * session" is opened by C_Initialize, which answers a Correlation Value of the server's choosing
 * that every later call of that client must send back. Other PKCS#11 functions are known but not
 * served: they answer CKR_FUNCTION_NOT_SUPPORTED.
 */

const Fn = EnumerationValues.PKCS_11Function;
const Rv = EnumerationValues.PKCS_11ReturnCode;
const knownFunctions = new Set<number>(Object.values(Fn));

/** The interface a request may name (PKCS#11 3.0 C_GetInterface); absent means this one. */
export const PKCS11_INTERFACE = 'PKCS 11';

/** CK_INFO as C_GetInfo answers it: Keyhold's own identity, blank-padded as PKCS#11 requires. */
export const KEYHOLD_CK_INFO = {
  cryptokiVersion: { major: 2, minor: 40 },
  manufacturerID: 'Keyhold',
  flags: 0n,
  libraryDescription: 'Keyhold KMIP PKCS#11 facade',
  libraryVersion: { major: 1, minor: 0 },
} as const;

/** Bytes of a CK_INFO in the profile's encoding: 2 + 32 + 8 + 32 + 2. */
export const CK_INFO_LENGTH = 76;

export interface CkInfo {
  cryptokiVersion: { major: number; minor: number };
  manufacturerID: string;
  flags: bigint;
  libraryDescription: string;
  libraryVersion: { major: number; minor: number };
}

/** A CK_UTF8CHAR array of `size`: the text, then blanks (never NUL-terminated). */
function blankPadded(text: string, size: number): Buffer {
  const out = Buffer.alloc(size, 0x20);
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length > size) throw kmipError('PKCS_11CodecError', `"${text}" does not fit ${size} bytes`, 'format');
  bytes.copy(out);
  return out;
}

/** Encodes CK_INFO (PKCS#11 2.40 section 3.1) the way the KMIP PKCS#11 Profile transmits it. */
export function encodeCkInfo(info: CkInfo): Uint8Array {
  const out = Buffer.alloc(CK_INFO_LENGTH);
  out[0] = info.cryptokiVersion.major;
  out[1] = info.cryptokiVersion.minor;
  blankPadded(info.manufacturerID, 32).copy(out, 2);
  out.writeBigUInt64BE(info.flags, 34);
  blankPadded(info.libraryDescription, 32).copy(out, 42);
  out[74] = info.libraryVersion.major;
  out[75] = info.libraryVersion.minor;
  return out;
}

/** Decodes the profile's CK_INFO bytes; undefined when they are not one (wrong length). */
export function decodeCkInfo(bytes: Uint8Array): CkInfo | undefined {
  if (bytes.length !== CK_INFO_LENGTH) return undefined;
  const b = Buffer.from(bytes);
  return {
    cryptokiVersion: { major: b.readUInt8(0), minor: b.readUInt8(1) },
    manufacturerID: b.subarray(2, 34).toString('utf8').trimEnd(),
    flags: b.readBigUInt64BE(34),
    libraryDescription: b.subarray(42, 74).toString('utf8').trimEnd(),
    libraryVersion: { major: b.readUInt8(74), minor: b.readUInt8(75) },
  };
}

interface LibrarySession {
  identity: string;
}

export interface Pkcs11OperationOptions {
  /** Library sessions kept at most; the oldest is dropped beyond (a client must C_Initialize again). */
  maxSessions?: number;
  /**
   * Library sessions one client keeps at most; beyond, that client's own oldest is dropped, so a
   * client that keeps calling C_Initialize cannot push other clients' sessions out.
   */
  maxSessionsPerClient?: number;
}

/**
 * The PKCS#11 operation handler with its own library sessions (one per C_Initialize, bound to the
 * identity that opened it). One instance serves one process's KMIP servers.
 */
export function makePkcs11Operation(options: Pkcs11OperationOptions = {}): OperationHandler {
  const maxSessions = options.maxSessions ?? 4096;
  const maxPerClient = options.maxSessionsPerClient ?? 16;
  const sessions = new Map<string, LibrarySession>();
  /** Each client's session keys, oldest first. */
  const byClient = new Map<string, string[]>();

  const drop = (key: string): void => {
    const s = sessions.get(key);
    if (s === undefined) return;
    sessions.delete(key);
    const keys = byClient.get(s.identity) ?? [];
    const rest = keys.filter((k) => k !== key);
    if (rest.length === 0) byClient.delete(s.identity);
    else byClient.set(s.identity, rest);
  };

  const answer = (
    iface: string | undefined,
    fn: number,
    rv: number,
    extra: { correlation?: Uint8Array; output?: Uint8Array } = {},
  ): StructureItem =>
    t.struct(Tag.ResponsePayload, [
      iface === undefined ? undefined : t.text(Tag.PKCS_11Interface, iface),
      t.enm(Tag.PKCS_11Function, fn),
      extra.correlation === undefined ? undefined : t.bytes(Tag.CorrelationValue, extra.correlation),
      extra.output === undefined ? undefined : t.bytes(Tag.PKCS_11OutputParameters, extra.output),
      t.enm(Tag.PKCS_11ReturnCode, rv),
    ]);

  /** The caller's session for a Correlation Value: unknown or another client's is an error. */
  const sessionOf = (correlation: Uint8Array, ctx: OpsContext): string => {
    const key = Buffer.from(correlation).toString('hex');
    const s = sessions.get(key);
    if (s === undefined || s.identity !== ctx.identity) {
      throw kmipError(
        'InvalidAsynchronousCorrelationValue',
        'the Correlation Value names no PKCS#11 library session of this client (C_Initialize first)',
        'invalid-argument',
      );
    }
    return key;
  };

  return async function pkcs11(payload: StructureItem, ctx: OpsContext): Promise<StructureItem> {
    if (!atLeast(ctx.version, 2, 0)) {
      throw kmipError('OperationNotSupported', 'PKCS#11 is a KMIP 2.0 operation', 'unsupported');
    }
    const iface = findText(payload, Tag.PKCS_11Interface);
    if (iface !== undefined && iface !== PKCS11_INTERFACE) {
      throw kmipError('PKCS_11InvalidInterface', `unknown PKCS#11 interface "${iface}"`, 'unsupported');
    }
    const fnItem = find(payload, Tag.PKCS_11Function);
    if (fnItem === undefined) throw kmipError('InvalidField', 'PKCS#11 Function is missing', 'invalid-argument');
    if (fnItem.type !== ItemType.Enumeration || !knownFunctions.has(fnItem.value)) {
      // An Integer is a vendor-defined function: Keyhold defines none.
      throw kmipError('PKCS_11InvalidFunction', 'not a PKCS#11 function Keyhold knows', 'unsupported');
    }
    const fn = fnItem.value;
    const correlation = bytesField(payload, Tag.CorrelationValue);
    bytesField(payload, Tag.PKCS_11InputParameters);

    if (fn === Fn.C_Initialize) {
      if (correlation !== undefined) {
        sessionOf(correlation, ctx);
        return answer(iface, fn, Rv.CRYPTOKI_ALREADY_INITIALIZED);
      }
      // pInitArgs (locking callbacks, CKF_OS_LOCKING_OK) only concern an in-process library: ignored.
      const value = randomBytes(16);
      for (let own = byClient.get(ctx.identity); own !== undefined && own.length >= maxPerClient;) {
        drop(own[0] as string);
        own = byClient.get(ctx.identity);
      }
      while (sessions.size >= maxSessions) {
        const oldest = sessions.keys().next().value;
        if (oldest === undefined) break;
        drop(oldest);
      }
      const key = value.toString('hex');
      sessions.set(key, { identity: ctx.identity });
      byClient.set(ctx.identity, [...(byClient.get(ctx.identity) ?? []), key]);
      return answer(iface, fn, Rv.OK, { correlation: value });
    }
    if (correlation === undefined) return answer(iface, fn, Rv.CRYPTOKI_NOT_INITIALIZED);
    const key = sessionOf(correlation, ctx);
    if (fn === Fn.C_GetInfo) {
      return answer(iface, fn, Rv.OK, { output: encodeCkInfo(KEYHOLD_CK_INFO) });
    }
    if (fn === Fn.C_Finalize) {
      drop(key);
      return answer(iface, fn, Rv.OK);
    }
    return answer(iface, fn, Rv.FUNCTION_NOT_SUPPORTED);
  };
}

function bytesField(payload: StructureItem, tag: number): Uint8Array | undefined {
  const item: TtlvItem | undefined = find(payload, tag);
  if (item === undefined) return undefined;
  if (item.type !== ItemType.ByteString) {
    throw kmipError('InvalidField', `field 0x${tag.toString(16)} is not a Byte String`, 'invalid-argument');
  }
  return item.value;
}
