import { KeyholdError } from '../../../shared/errors.js';
import type { ManagedObject } from '../../vault/model.js';
import type { Pkcs11Module } from './modules.js';
import type { ObjectFilter, TokenObjectClass } from './objects.js';
import { decrypt, encrypt, sign, verify, type CipherMechanism, type SignatureMechanism } from './operations.js';
import { PKCS11_URI_ATTRIBUTE } from './reference.js';
import { withTokenSession, type SessionOptions } from './session.js';

/** Where a token-backed vault object's key lives: the token label and the object on it. */
export interface TokenKeyLocation {
  token: string;
  filter: ObjectFilter;
}

const CLASS_OF: Record<string, TokenObjectClass> = {
  'secret-key': 'SecretKey',
  private: 'PrivateKey',
  public: 'PublicKey',
  cert: 'Certificate',
  data: 'Data',
};

/** Parses the RFC 7512 URI written by `pkcs11Uri` (token, object, id, type). */
export function parsePkcs11Uri(uri: string): TokenKeyLocation {
  if (!uri.startsWith('pkcs11:')) throw new KeyholdError('format', 'not a PKCS#11 URI');
  const attrs = new Map<string, string>();
  for (const part of uri.slice('pkcs11:'.length).split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) attrs.set(part.slice(0, eq), part.slice(eq + 1));
  }
  const token = attrs.get('token');
  if (token === undefined) throw new KeyholdError('format', 'the PKCS#11 URI names no token');
  const filter: ObjectFilter = {};
  const label = attrs.get('object');
  if (label !== undefined) filter.label = decodeURIComponent(label);
  const id = attrs.get('id');
  if (id !== undefined) filter.id = id.replace(/%/g, '').toLowerCase();
  const type = attrs.get('type');
  if (type !== undefined && CLASS_OF[type] !== undefined) filter.objectClass = CLASS_OF[type];
  return { token: decodeURIComponent(token), filter };
}

/** The token location of a vault object whose key material stays on a token, else undefined. */
export function tokenKeyLocation(obj: Pick<ManagedObject, 'attributes'>): TokenKeyLocation | undefined {
  const uri = obj.attributes[PKCS11_URI_ATTRIBUTE]?.[0];
  return typeof uri === 'string' ? parsePkcs11Uri(uri) : undefined;
}

/**
 * Crypto on token-backed vault objects, for the KMIP operations (Sign, SignatureVerify,
 * Encrypt, Decrypt): each call opens a session on the object's token, runs there, and closes it.
 * An absent token fails with "no token labelled ... is present" / "removed" (KeyholdError).
 */
export class TokenCrypto {
  constructor(
    private readonly modules: readonly Pkcs11Module[],
    private readonly options: SessionOptions,
  ) {}

  /** True when the object's key is on a token (the KMIP layer then calls the methods below). */
  handles(obj: Pick<ManagedObject, 'attributes'>): boolean {
    return tokenKeyLocation(obj) !== undefined;
  }

  sign(obj: Pick<ManagedObject, 'attributes'>, mechanism: SignatureMechanism, data: Uint8Array): Promise<Uint8Array> {
    return this.run(obj, (s, f) => sign(s, f, mechanism, data));
  }

  verify(
    obj: Pick<ManagedObject, 'attributes'>,
    mechanism: SignatureMechanism,
    data: Uint8Array,
    signature: Uint8Array,
  ): Promise<boolean> {
    return this.run(obj, (s, f) => verify(s, f, mechanism, data, signature));
  }

  encrypt(
    obj: Pick<ManagedObject, 'attributes'>,
    mechanism: CipherMechanism,
    data: Uint8Array,
    iv?: Uint8Array,
  ): Promise<Uint8Array> {
    return this.run(obj, (s, f) => encrypt(s, f, mechanism, data, iv));
  }

  decrypt(
    obj: Pick<ManagedObject, 'attributes'>,
    mechanism: CipherMechanism,
    data: Uint8Array,
    iv?: Uint8Array,
  ): Promise<Uint8Array> {
    return this.run(obj, (s, f) => decrypt(s, f, mechanism, data, iv));
  }

  private run<T>(
    obj: Pick<ManagedObject, 'attributes'>,
    fn: (s: Parameters<Parameters<typeof withTokenSession<T>>[3]>[0], f: ObjectFilter) => T,
  ): Promise<T> {
    const loc = tokenKeyLocation(obj);
    if (loc === undefined) throw new KeyholdError('invalid-argument', 'the object is not a key on a token');
    return withTokenSession(this.modules, { label: loc.token }, this.options, (s) => fn(s, loc.filter));
  }
}
