// PKCS#12 (RFC 7292) read and write, on asn1js for the ASN.1 and Node's OpenSSL for the crypto.
import { createHmac, createPrivateKey, timingSafeEqual, type KeyObject } from 'node:crypto';
import { isKeyholdError } from '../../../shared/errors.js';
import { formatError, unsupported } from '../errors.js';
import type { HashName } from '../hash.js';
import { HASH_LENGTH } from '../hash.js';
import { randomBytes } from '../random.js';
import {
  bmpString,
  contextTag,
  encode,
  explicit,
  implicitOctets,
  int,
  integer,
  item,
  items,
  nul,
  objectId,
  octets,
  octetString,
  oid,
  parseDer,
  raw,
  seq,
  set,
  type Node,
} from './der.js';
import { bmpPassword, OID, pbeDecrypt, pbeEncrypt, pkcs12Kdf, type PbeScheme } from './pbe.js';

const DATA = '1.2.840.113549.1.7.1';
const ENCRYPTED_DATA = '1.2.840.113549.1.7.6';
const KEY_BAG = '1.2.840.113549.1.12.10.1.1';
const SHROUDED_KEY_BAG = '1.2.840.113549.1.12.10.1.2';
const CERT_BAG = '1.2.840.113549.1.12.10.1.3';
const X509_CERT = '1.2.840.113549.1.9.22.1';
const FRIENDLY_NAME = '1.2.840.113549.1.9.20';
const LOCAL_KEY_ID = '1.2.840.113549.1.9.21';

const MAC_HASH: Record<string, HashName> = {
  [OID.sha1]: 'sha1',
  [OID.sha256]: 'sha256',
  [OID.sha384]: 'sha384',
  [OID.sha512]: 'sha512',
};
const MAC_OID: Partial<Record<HashName, string>> = { sha1: OID.sha1, sha256: OID.sha256, sha512: OID.sha512 };

export interface Pkcs12Contents {
  privateKeys: { key: KeyObject; friendlyName?: string; localKeyId?: Buffer }[];
  /** Certificates (DER), the end-entity first when it could be matched to a key. */
  certificates: { der: Buffer; friendlyName?: string; localKeyId?: Buffer }[];
}

/** Reads a PKCS#12 file: checks the MAC, decrypts every bag. Wrong password: a format error. */
export function readPkcs12(data: Uint8Array, password: string): Pkcs12Contents {
  try {
    const pfx = parseDer(data, 'PKCS#12 file');
    const version = integer(item(pfx, 0, 'PFX version'), 'PFX version');
    if (version !== 3) throw formatError(`PKCS#12 version ${version} is not 3`);
    const authSafe = item(pfx, 1, 'PFX authSafe');
    if (oid(item(authSafe, 0, 'authSafe type'), 'authSafe type') !== DATA) {
      throw unsupported('PKCS#12 with public-key integrity (signed authSafe)');
    }
    const authSafeBytes = octets(
      item(item(authSafe, 1, 'authSafe content'), 0, 'authSafe content'),
      'authSafe content',
    );
    const pfxItems = items(pfx, 'PFX');
    if (pfxItems[2]) checkMac(pfxItems[2], password, authSafeBytes);
    const out: Pkcs12Contents = { privateKeys: [], certificates: [] };
    for (const ci of items(parseDer(authSafeBytes, 'AuthenticatedSafe'), 'AuthenticatedSafe')) {
      const type = oid(item(ci, 0, 'ContentInfo type'), 'ContentInfo type');
      let safeContents: Buffer;
      if (type === DATA) {
        safeContents = octets(item(item(ci, 1, 'ContentInfo data'), 0, 'ContentInfo data'), 'ContentInfo data');
      } else if (type === ENCRYPTED_DATA) {
        const ed = item(item(ci, 1, 'EncryptedData'), 0, 'EncryptedData');
        const eci = item(ed, 1, 'EncryptedContentInfo');
        const parts = items(eci, 'EncryptedContentInfo');
        const encrypted = parts.find((p) => contextTag(p) === 0);
        if (!encrypted) throw formatError('EncryptedData without content');
        safeContents = pbeDecrypt(
          item(eci, 1, 'content encryption algorithm'),
          password,
          octets(encrypted, 'encrypted content'),
        );
      } else {
        throw unsupported(`PKCS#12 ContentInfo type ${type} (enveloped data)`);
      }
      readBags(parseDer(safeContents, 'SafeContents'), password, out);
      safeContents.fill(0);
    }
    return out;
  } catch (e) {
    if (isKeyholdError(e)) throw e;
    throw formatError('not a valid PKCS#12 file', e);
  }
}

function checkMac(macData: Node, password: string, authSafe: Buffer): void {
  const digestInfo = item(macData, 0, 'MacData');
  const algId = oid(item(item(digestInfo, 0, 'MAC algorithm'), 0, 'MAC algorithm'), 'MAC algorithm');
  const hash = MAC_HASH[algId];
  if (!hash) throw unsupported(`PKCS#12 MAC algorithm ${algId}`);
  const expected = octets(item(digestInfo, 1, 'MAC digest'), 'MAC digest');
  const salt = octets(item(macData, 1, 'MAC salt'), 'MAC salt');
  const rest = items(macData, 'MacData');
  const iterations = rest[2] ? integer(rest[2], 'MAC iterations') : 1;
  const pw = bmpPassword(password);
  const key = pkcs12Kdf(hash, pw, salt, 3, iterations, HASH_LENGTH[hash]);
  const mac = createHmac(hash, key).update(authSafe).digest();
  key.fill(0);
  pw.fill(0);
  if (mac.length !== expected.length || !timingSafeEqual(mac, expected)) {
    throw formatError('PKCS#12 integrity check failed: wrong password or a damaged file');
  }
}

function bagAttributes(bag: Node): { friendlyName?: string; localKeyId?: Buffer } {
  const out: { friendlyName?: string; localKeyId?: Buffer } = {};
  const attrs = items(bag, 'SafeBag')[2];
  if (!attrs) return out;
  for (const a of items(attrs, 'bag attributes')) {
    const type = oid(item(a, 0, 'attribute type'), 'attribute type');
    const value = item(item(a, 1, 'attribute values'), 0, 'attribute value');
    if (type === FRIENDLY_NAME) {
      const v = (value as unknown as { valueBlock: { value: string } }).valueBlock.value;
      if (typeof v === 'string') out.friendlyName = v;
    }
    if (type === LOCAL_KEY_ID) out.localKeyId = octets(value, 'localKeyId');
  }
  return out;
}

function readBags(safeContents: Node, password: string, out: Pkcs12Contents): void {
  for (const bag of items(safeContents, 'SafeContents')) {
    const type = oid(item(bag, 0, 'bag type'), 'bag type');
    const value = item(item(bag, 1, 'bag value'), 0, 'bag value');
    const attrs = bagAttributes(bag);
    if (type === KEY_BAG || type === SHROUDED_KEY_BAG) {
      const pkcs8 =
        type === KEY_BAG
          ? raw(value)
          : pbeDecrypt(
              item(value, 0, 'EncryptedPrivateKeyInfo'),
              password,
              octets(item(value, 1, 'encrypted key'), 'encrypted key'),
            );
      try {
        out.privateKeys.push({ key: createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }), ...attrs });
      } catch (e) {
        throw formatError('PKCS#12 key bag does not hold a usable private key (wrong password?)', e);
      } finally {
        pkcs8.fill(0);
      }
    } else if (type === CERT_BAG) {
      const certType = oid(item(value, 0, 'certificate type'), 'certificate type');
      if (certType !== X509_CERT) continue; // SDSI certificates: not supported, skipped
      out.certificates.push({
        der: octets(item(item(value, 1, 'certificate'), 0, 'certificate'), 'certificate'),
        ...attrs,
      });
    }
    // CRL bags, secret bags and nested safe contents are ignored.
  }
}

export interface Pkcs12Options {
  /** 'modern' (PBES2 AES-256-CBC, PBKDF2-SHA256, HMAC-SHA256 MAC) or 'legacy' (3DES, SHA-1 MAC) for old Windows. */
  profile?: 'modern' | 'legacy';
  iterations?: number;
  friendlyName?: string;
}

/** Writes a PKCS#12 file holding a private key and its certificate chain (end-entity first). */
export function writePkcs12(
  privateKey: KeyObject | undefined,
  certificates: Uint8Array[],
  password: string,
  o: Pkcs12Options = {},
): Buffer {
  if (password.length === 0) throw formatError('a PKCS#12 export needs a password');
  const scheme: PbeScheme = o.profile === 'legacy' ? 'legacy-3des' : 'pbes2-aes256';
  const iterations = o.iterations ?? 2048;
  const localKeyId = randomBytes(20);
  const attrs = (first: boolean): Node => {
    const list: Node[] = [];
    if (first && o.friendlyName) list.push(seq(objectId(FRIENDLY_NAME), set(bmpString(o.friendlyName))));
    if (first) list.push(seq(objectId(LOCAL_KEY_ID), set(octetString(localKeyId))));
    return set(...list);
  };
  const certBags = certificates.map((c, i) =>
    seq(
      objectId(CERT_BAG),
      explicit(0, seq(objectId(X509_CERT), explicit(0, octetString(c)))),
      ...(i === 0 && privateKey ? [attrs(true)] : []),
    ),
  );
  const contents: Node[] = [];
  if (certBags.length > 0) {
    const enc = pbeEncrypt(scheme, password, encode(seq(...certBags)), iterations);
    contents.push(
      seq(
        objectId(ENCRYPTED_DATA),
        explicit(0, seq(int(0), seq(objectId(DATA), enc.algorithm, implicitOctets(0, enc.data)))),
      ),
    );
  }
  if (privateKey) {
    const pkcs8 = privateKey.export({ format: 'der', type: 'pkcs8' });
    const enc = pbeEncrypt(scheme, password, pkcs8, iterations);
    pkcs8.fill(0);
    const keyBag = seq(objectId(SHROUDED_KEY_BAG), explicit(0, seq(enc.algorithm, octetString(enc.data))), attrs(true));
    contents.push(seq(objectId(DATA), explicit(0, octetString(encode(seq(keyBag))))));
  }
  const authSafe = encode(seq(...contents));
  const hash: HashName = o.profile === 'legacy' ? 'sha1' : 'sha256';
  const salt = randomBytes(HASH_LENGTH[hash] >= 32 ? 16 : 8);
  const pw = bmpPassword(password);
  const macKey = pkcs12Kdf(hash, pw, salt, 3, iterations, HASH_LENGTH[hash]);
  pw.fill(0);
  const mac = createHmac(hash, macKey).update(authSafe).digest();
  macKey.fill(0);
  const pfx = seq(
    int(3),
    seq(objectId(DATA), explicit(0, octetString(authSafe))),
    seq(seq(seq(objectId(MAC_OID[hash] ?? OID.sha256), nul()), octetString(mac)), octetString(salt), int(iterations)),
  );
  return encode(pfx);
}
