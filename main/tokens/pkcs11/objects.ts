import { createPrivateKey, randomBytes } from 'node:crypto';
import * as graphene from 'graphene-pk11';
import { Certificate } from 'pkijs';
import { KeyholdError } from '../../../shared/errors.js';
import { CURVES, curveOfParams, normalizeCurve } from './attributes.js';
import { tokenError } from './errors.js';
import type { TokenSession } from './session.js';

export type TokenObjectClass = 'SecretKey' | 'PrivateKey' | 'PublicKey' | 'Certificate' | 'Data' | 'Other';

/** What Keyhold shows of an object on a token; never key values. */
export interface TokenObjectInfo {
  objectClass: TokenObjectClass;
  label: string;
  /** CKA_ID, hex. */
  id: string;
  /** CKK_ name without the prefix: AES, RSA, EC, GENERIC_SECRET... */
  keyType?: string;
  /** Key size in bits (AES/generic: value length; RSA: modulus; EC: curve). */
  bits?: number;
  curve?: string;
  sensitive?: boolean;
  extractable?: boolean;
  alwaysAuthenticate?: boolean;
  private: boolean;
  /** CKA_APPLICATION of a data object. */
  application?: string;
  /** CKA_ENCRYPT, CKA_SIGN... that are true, by lower-case name. */
  usage: string[];
}

/** Picks objects: any combination of class, label and id (hex). */
export interface ObjectFilter {
  objectClass?: TokenObjectClass;
  label?: string;
  id?: string;
}

const CLASS_TO_CKO: Record<Exclude<TokenObjectClass, 'Other'>, graphene.ObjectClass> = {
  SecretKey: graphene.ObjectClass.SECRET_KEY,
  PrivateKey: graphene.ObjectClass.PRIVATE_KEY,
  PublicKey: graphene.ObjectClass.PUBLIC_KEY,
  Certificate: graphene.ObjectClass.CERTIFICATE,
  Data: graphene.ObjectClass.DATA,
};

function classOf(cko: number): TokenObjectClass {
  const hit = Object.entries(CLASS_TO_CKO).find(([, v]) => v === cko);
  return hit === undefined ? 'Other' : (hit[0] as TokenObjectClass);
}

/** Reads one attribute, or undefined when the object does not have it or hides it. */
function read<T>(obj: graphene.SessionObject, name: string): T | undefined {
  try {
    return obj.getAttribute(name) as T;
  } catch {
    return undefined;
  }
}

function readRaw(obj: graphene.SessionObject, type: number): Buffer | undefined {
  try {
    return obj.getAttribute(type);
  } catch {
    return undefined;
  }
}

const USAGES = ['encrypt', 'decrypt', 'sign', 'verify', 'wrap', 'unwrap', 'derive'];

/** Describes one object. */
export function describeObject(obj: graphene.SessionObject): TokenObjectInfo {
  const objectClass = classOf(obj.class);
  const info: TokenObjectInfo = {
    objectClass,
    label: read<string>(obj, 'label') ?? '',
    id: (read<Buffer>(obj, 'id') ?? Buffer.alloc(0)).toString('hex'),
    private: read<boolean>(obj, 'private') ?? false,
    usage: [],
  };
  if (objectClass === 'Data') {
    const app = read<string>(obj, 'application');
    if (app !== undefined) info.application = app;
  }
  if (objectClass === 'SecretKey' || objectClass === 'PrivateKey' || objectClass === 'PublicKey') {
    const kt = read<number>(obj, 'keyType');
    if (kt !== undefined) info.keyType = (graphene.KeyType[kt] as string | undefined) ?? `0x${kt.toString(16)}`;
    if (objectClass === 'SecretKey') {
      // SoftHSM leaves CKA_VALUE_LEN 0 on unwrapped keys: then the size is unknown, not 0.
      const len = read<number>(obj, 'valueLen');
      if (len !== undefined && len > 0) info.bits = len * 8;
    } else if (info.keyType === 'RSA') {
      const modulus = read<Buffer>(obj, 'modulus');
      if (modulus !== undefined) info.bits = bitLength(modulus);
    } else if (info.keyType === 'EC' || info.keyType === 'ECDSA') {
      info.keyType = 'EC';
      // By number: graphene names CKA_EC_PARAMS "paramsECDSA" when reading it back.
      const params = readRaw(obj, 0x180);
      const curve = params === undefined ? undefined : curveOfParams(params);
      if (curve !== undefined) {
        info.curve = curve;
        info.bits = CURVES[curve]!.bits;
      }
    }
    if (objectClass !== 'PublicKey') {
      const sensitive = read<boolean>(obj, 'sensitive');
      const extractable = read<boolean>(obj, 'extractable');
      if (sensitive !== undefined) info.sensitive = sensitive;
      if (extractable !== undefined) info.extractable = extractable;
    }
    if (objectClass === 'PrivateKey') info.alwaysAuthenticate = read<boolean>(obj, 'alwaysAuth') ?? false;
    info.usage = USAGES.filter((u) => read<boolean>(obj, u) === true);
  }
  return info;
}

function bitLength(n: Buffer): number {
  let i = 0;
  while (i < n.length && n[i] === 0) i++;
  if (i === n.length) return 0;
  return (n.length - i - 1) * 8 + (32 - Math.clz32(n[i]!));
}

function template(filter: ObjectFilter): graphene.ITemplate {
  const t: graphene.ITemplate = {};
  if (filter.objectClass !== undefined && filter.objectClass !== 'Other') t.class = CLASS_TO_CKO[filter.objectClass];
  if (filter.label !== undefined) t.label = filter.label;
  if (filter.id !== undefined) t.id = Buffer.from(filter.id, 'hex');
  return t;
}

/** The objects on the token that match, as graphene objects (valid while the session is open). */
export function findObjects(s: TokenSession, filter: ObjectFilter = {}): graphene.SessionObject[] {
  const found = s.session.find(template(filter));
  const out: graphene.SessionObject[] = [];
  for (let i = 0; i < found.length; i++) out.push(found.items(i));
  return out;
}

/** Lists the objects on the token (what the login can see). */
export function listObjects(s: TokenSession, filter: ObjectFilter = {}): TokenObjectInfo[] {
  return findObjects(s, filter).map(describeObject);
}

/** The one object that matches; refuses none or several. */
export function findOne(s: TokenSession, filter: ObjectFilter): graphene.SessionObject {
  const hits = findObjects(s, filter);
  const what = [
    filter.objectClass ?? 'object',
    filter.label === undefined ? '' : `labelled "${filter.label}"`,
    filter.id === undefined ? '' : `with id ${filter.id}`,
  ]
    .filter((x) => x !== '')
    .join(' ');
  if (hits.length === 0)
    throw new KeyholdError('not-found', `no ${what} on token "${s.token.label}"`, { reason: 'Item Not Found' });
  if (hits.length > 1)
    throw new KeyholdError(
      'token',
      `${hits.length} objects match (${what}) on token "${s.token.label}"; name it by id`,
      {
        reason: 'Invalid Field',
      },
    );
  return hits[0]!;
}

export type TokenKeyAlgorithm = 'AES' | 'RSA' | 'EC';

export interface GenerateSpec {
  algorithm: TokenKeyAlgorithm;
  label: string;
  /** CKA_ID, hex; random when absent. RSA/EC key pairs share it (and with their certificate). */
  id?: string;
  /** Bits: AES 128/192/256 (default 256), RSA 2048.. (default 3072). */
  length?: number;
  /** EC curve, default P-256. */
  curve?: string;
  /** CKA_EXTRACTABLE: false by default (the key never leaves the token, not even wrapped). */
  extractable?: boolean;
  /** CKA_ALWAYS_AUTHENTICATE for a private key: each use asks for the PIN again. */
  alwaysAuthenticate?: boolean;
  /** Secret keys only: permit wrap/unwrap (a key-encryption key). */
  keyEncryption?: boolean;
}

function newId(id: string | undefined): Buffer {
  if (id === undefined) return randomBytes(8);
  if (!/^([0-9a-fA-F]{2})+$/.test(id)) throw new KeyholdError('invalid-argument', 'an object id is hex bytes');
  return Buffer.from(id, 'hex');
}

/** Generates a key (AES) or key pair (RSA, EC) on the token; sensitive and non-extractable unless asked. */
export function generateKey(s: TokenSession, spec: GenerateSpec): TokenObjectInfo[] {
  const id = newId(spec.id);
  const extractable = spec.extractable ?? false;
  try {
    if (spec.algorithm === 'AES') {
      const bits = spec.length ?? 256;
      if (![128, 192, 256].includes(bits))
        throw new KeyholdError('invalid-argument', 'AES keys are 128, 192 or 256 bits');
      const key = s.session.generateKey(graphene.KeyGenMechanism.AES, {
        ...secretTemplate(spec.label, id, extractable, spec.keyEncryption ?? false),
        valueLen: bits / 8,
      });
      return [describeObject(key)];
    }
    const common = { token: true, label: spec.label, id };
    if (spec.algorithm === 'RSA') {
      const bits = spec.length ?? 3072;
      if (bits < 2048 || bits % 8 !== 0) throw new KeyholdError('invalid-argument', 'RSA keys are at least 2048 bits');
      const pair = s.session.generateKeyPair(
        graphene.KeyGenMechanism.RSA,
        {
          ...common,
          private: false,
          modulusBits: bits,
          publicExponent: Buffer.from([1, 0, 1]),
          verify: true,
          encrypt: true,
          wrap: false,
        },
        { ...privateTemplate(common, extractable, spec.alwaysAuthenticate), decrypt: true, unwrap: false },
      );
      return [describeObject(pair.privateKey), describeObject(pair.publicKey)];
    }
    const curve = normalizeCurve(spec.curve ?? 'P-256');
    if (curve === undefined)
      throw new KeyholdError('invalid-argument', `unsupported curve ${spec.curve}; use P-256, P-384 or P-521`);
    const pair = s.session.generateKeyPair(
      graphene.KeyGenMechanism.EC,
      { ...common, private: false, paramsEC: CURVES[curve]!.params, verify: true },
      { ...privateTemplate(common, extractable, spec.alwaysAuthenticate), derive: true },
    );
    return [describeObject(pair.privateKey), describeObject(pair.publicKey)];
  } catch (e) {
    throw tokenError(e, `generate a ${spec.algorithm} key on token "${s.token.label}"`);
  }
}

function secretTemplate(label: string, id: Buffer, extractable: boolean, keyEncryption: boolean): graphene.ITemplate {
  return {
    class: graphene.ObjectClass.SECRET_KEY,
    keyType: graphene.KeyType.AES,
    token: true,
    private: true,
    label,
    id,
    sensitive: true,
    extractable,
    encrypt: !keyEncryption,
    decrypt: !keyEncryption,
    wrap: keyEncryption,
    unwrap: keyEncryption,
  };
}

function privateTemplate(
  common: { token: boolean; label: string; id: Buffer },
  extractable: boolean,
  alwaysAuthenticate: boolean | undefined,
): graphene.ITemplate {
  const t: graphene.ITemplate = { ...common, private: true, sensitive: true, extractable, sign: true };
  if (alwaysAuthenticate === true) t.alwaysAuth = true;
  return t;
}

/** Key material to put on a token: a raw secret key, or a PKCS#8 (DER) RSA or EC private key. */
export type ImportMaterial =
  { kind: 'secret'; keyType: 'AES' | 'GENERIC_SECRET'; value: Uint8Array } | { kind: 'pkcs8'; der: Uint8Array };

export interface ImportSpec {
  label: string;
  id?: string;
  extractable?: boolean;
  alwaysAuthenticate?: boolean;
  keyEncryption?: boolean;
  /** Session object (gone when the session closes) instead of a token object. */
  ephemeral?: boolean;
}

const b64u = (s: string | undefined): Buffer => {
  if (s === undefined) throw new KeyholdError('format', 'the private key lacks a component');
  return Buffer.from(s, 'base64url');
};

/**
 * Puts key material on the token as a sensitive object (plus the public key of a private key).
 * The caller wipes its copy of the material.
 */
export function importKey(s: TokenSession, material: ImportMaterial, spec: ImportSpec): TokenObjectInfo[] {
  const id = newId(spec.id);
  const extractable = spec.extractable ?? false;
  const token = spec.ephemeral !== true;
  try {
    if (material.kind === 'secret') {
      const value = Buffer.from(material.value);
      try {
        const t = secretTemplate(spec.label, id, extractable, spec.keyEncryption ?? false);
        t.token = token;
        if (material.keyType === 'GENERIC_SECRET') {
          t.keyType = graphene.KeyType.GENERIC_SECRET;
          t.encrypt = undefined;
          t.decrypt = undefined;
          delete t.encrypt;
          delete t.decrypt;
        }
        t.value = value;
        return [describeObject(s.session.create(t))];
      } finally {
        value.fill(0);
      }
    }
    const jwk = createPrivateKey({ key: Buffer.from(material.der), format: 'der', type: 'pkcs8' }).export({
      format: 'jwk',
    });
    const common = { token, label: spec.label, id };
    const parts: Buffer[] = [];
    const keep = (b: Buffer): Buffer => (parts.push(b), b);
    try {
      if (jwk.kty === 'RSA') {
        const modulus = b64u(jwk.n);
        const publicExponent = b64u(jwk.e);
        const priv = s.session.create({
          ...privateTemplate(common, extractable, spec.alwaysAuthenticate),
          class: graphene.ObjectClass.PRIVATE_KEY,
          keyType: graphene.KeyType.RSA,
          decrypt: true,
          modulus,
          publicExponent,
          privateExponent: keep(b64u(jwk.d)),
          prime1: keep(b64u(jwk.p)),
          prime2: keep(b64u(jwk.q)),
          exponent1: keep(b64u(jwk.dp)),
          exponent2: keep(b64u(jwk.dq)),
          coefficient: keep(b64u(jwk.qi)),
        });
        const pub = s.session.create({
          ...common,
          class: graphene.ObjectClass.PUBLIC_KEY,
          keyType: graphene.KeyType.RSA,
          private: false,
          verify: true,
          encrypt: true,
          modulus,
          publicExponent,
        });
        return [describeObject(priv), describeObject(pub)];
      }
      if (jwk.kty === 'EC') {
        const curve = normalizeCurve(jwk.crv ?? '');
        if (curve === undefined) throw new KeyholdError('unsupported', `unsupported curve ${jwk.crv}`);
        const params = CURVES[curve]!.params;
        const priv = s.session.create({
          ...privateTemplate(common, extractable, spec.alwaysAuthenticate),
          class: graphene.ObjectClass.PRIVATE_KEY,
          keyType: graphene.KeyType.EC,
          derive: true,
          paramsEC: params,
          value: keep(b64u(jwk.d)),
        });
        const x = b64u(jwk.x);
        const y = b64u(jwk.y);
        const point = Buffer.concat([Buffer.from([0x04]), x, y]);
        // CKA_EC_POINT is the DER OCTET STRING of the uncompressed point.
        const ecPoint = Buffer.concat([Buffer.from([0x04]), derLength(point.length), point]);
        const pub = s.session.create({
          ...common,
          class: graphene.ObjectClass.PUBLIC_KEY,
          keyType: graphene.KeyType.EC,
          private: false,
          verify: true,
          paramsEC: params,
          pointEC: ecPoint,
        });
        return [describeObject(priv), describeObject(pub)];
      }
      throw new KeyholdError('unsupported', `cannot put a ${String(jwk.kty)} key on a token`);
    } finally {
      for (const p of parts) p.fill(0);
    }
  } catch (e) {
    throw tokenError(e, `import a key onto token "${s.token.label}"`);
  }
}

function derLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  if (n < 0x100) return Buffer.from([0x81, n]);
  return Buffer.from([0x82, n >> 8, n & 0xff]);
}

/** Writes an X.509 certificate (DER) to the token, with the subject, issuer and serial tokens index by. */
export function writeCertificate(s: TokenSession, der: Uint8Array, label: string, id?: string): TokenObjectInfo {
  let cert: Certificate;
  try {
    cert = Certificate.fromBER(der);
  } catch (e) {
    throw new KeyholdError('format', 'not a DER X.509 certificate', { cause: e });
  }
  try {
    const obj = s.session.create({
      class: graphene.ObjectClass.CERTIFICATE,
      certType: graphene.CertificateType.X_509,
      token: true,
      private: false,
      label,
      id: newId(id),
      subject: Buffer.from(cert.subject.toSchema().toBER()),
      issuer: Buffer.from(cert.issuer.toSchema().toBER()),
      serial: Buffer.from(cert.serialNumber.toBER()),
      value: Buffer.from(der),
    });
    return describeObject(obj);
  } catch (e) {
    throw tokenError(e, `write a certificate to token "${s.token.label}"`);
  }
}

/** Reads a certificate's DER value. */
export function readCertificate(s: TokenSession, filter: ObjectFilter): Uint8Array {
  const obj = findOne(s, { ...filter, objectClass: 'Certificate' });
  return new Uint8Array(obj.getAttribute('value') as Buffer);
}

/** Writes a data object (CKO_DATA) with an application name. */
export function writeData(
  s: TokenSession,
  application: string,
  label: string,
  value: Uint8Array,
  isPrivate = true,
): TokenObjectInfo {
  try {
    const obj = s.session.create({
      class: graphene.ObjectClass.DATA,
      token: true,
      private: isPrivate,
      application,
      label,
      value: Buffer.from(value),
    });
    return describeObject(obj);
  } catch (e) {
    throw tokenError(e, `write a data object to token "${s.token.label}"`);
  }
}

/** Reads a data object's value. */
export function readData(obj: graphene.SessionObject): Uint8Array {
  return new Uint8Array(obj.getAttribute('value') as Buffer);
}

/** Deletes the objects that match; returns how many. Refuses an empty filter. */
export function deleteObjects(s: TokenSession, filter: ObjectFilter): number {
  if (filter.label === undefined && filter.id === undefined)
    throw new KeyholdError('invalid-argument', 'name the objects to delete by label or id');
  const hits = findObjects(s, filter);
  try {
    for (const o of hits) o.destroy();
  } catch (e) {
    throw tokenError(e, `delete objects on token "${s.token.label}"`);
  }
  return hits.length;
}
