// OpenSSH keys: public "ssh-ed25519 AAAA... comment" lines (RFC 4253 6.6, RFC 5656, RFC 8709)
// and "openssh-key-v1" private keys (OpenSSH PROTOCOL.key), plain or passphrase-protected
// (bcrypt KDF + aes256-ctr, as ssh-keygen -N writes).
import {
  createCipheriv,
  createDecipheriv,
  createPrivateKey,
  createPublicKey,
  type JsonWebKey,
  type KeyObject,
} from 'node:crypto';
import { pbkdf as bcryptPbkdf } from 'bcrypt-pbkdf';
import { formatError, invalidArgument, unsupported, wipe } from '../errors.js';
import { randomBytes } from '../random.js';
import { pemDecode } from './pem.js';

const CURVES: Record<string, { ssh: string; jwk: string; size: number }> = {
  prime256v1: { ssh: 'nistp256', jwk: 'P-256', size: 32 },
  secp384r1: { ssh: 'nistp384', jwk: 'P-384', size: 48 },
  secp521r1: { ssh: 'nistp521', jwk: 'P-521', size: 66 },
};

class Writer {
  private parts: Buffer[] = [];
  uint32(n: number): this {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n);
    this.parts.push(b);
    return this;
  }
  string(s: Uint8Array | string): this {
    const b = typeof s === 'string' ? Buffer.from(s) : Buffer.from(s);
    return this.uint32(b.length).raw(b);
  }
  /** RFC 4251 mpint from unsigned big-endian bytes. */
  mpint(unsigned: Uint8Array): this {
    let i = 0;
    while (i < unsigned.length && unsigned[i] === 0) i++;
    let b = Buffer.from(unsigned.subarray(i));
    if (b.length > 0 && (b[0]! & 0x80) !== 0) b = Buffer.concat([Buffer.alloc(1), b]);
    return this.string(b);
  }
  raw(b: Uint8Array): this {
    this.parts.push(Buffer.from(b));
    return this;
  }
  get bytes(): Buffer {
    return Buffer.concat(this.parts);
  }
}

class Reader {
  private at = 0;
  constructor(private readonly b: Buffer) {}
  uint32(): number {
    if (this.at + 4 > this.b.length) throw formatError('OpenSSH key is truncated');
    const v = this.b.readUInt32BE(this.at);
    this.at += 4;
    return v;
  }
  string(): Buffer {
    const n = this.uint32();
    if (this.at + n > this.b.length) throw formatError('OpenSSH key is truncated');
    const v = this.b.subarray(this.at, this.at + n);
    this.at += n;
    return v;
  }
  text(): string {
    return this.string().toString('utf8');
  }
  mpint(): Buffer {
    const v = this.string();
    let i = 0;
    while (i < v.length - 1 && v[i] === 0) i++;
    return v.subarray(i);
  }
  raw(n: number): Buffer {
    if (this.at + n > this.b.length) throw formatError('OpenSSH key is truncated');
    const v = this.b.subarray(this.at, this.at + n);
    this.at += n;
    return v;
  }
  get rest(): number {
    return this.b.length - this.at;
  }
}

const b64u = (s: string | undefined): Buffer => Buffer.from(s ?? '', 'base64url');

function jwkOf(key: KeyObject): JsonWebKey {
  return key.export({ format: 'jwk' });
}

/** The SSH wire-format public key blob and its type name. */
function publicBlob(key: KeyObject): { type: string; blob: Buffer } {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  const j = jwkOf(pub);
  switch (pub.asymmetricKeyType) {
    case 'ed25519':
      return { type: 'ssh-ed25519', blob: new Writer().string('ssh-ed25519').string(b64u(j.x)).bytes };
    case 'rsa':
      return { type: 'ssh-rsa', blob: new Writer().string('ssh-rsa').mpint(b64u(j.e)).mpint(b64u(j.n)).bytes };
    case 'ec': {
      const c = CURVES[pub.asymmetricKeyDetails?.namedCurve ?? ''];
      if (!c) throw unsupported(`OpenSSH keys on curve ${pub.asymmetricKeyDetails?.namedCurve ?? '?'}`);
      const type = `ecdsa-sha2-${c.ssh}`;
      const q = Buffer.concat([Buffer.from([4]), b64u(j.x), b64u(j.y)]);
      return { type, blob: new Writer().string(type).string(c.ssh).string(q).bytes };
    }
    default:
      throw unsupported(`OpenSSH keys of type ${String(pub.asymmetricKeyType)}`);
  }
}

/** "ssh-ed25519 AAAA... comment" */
export function writeOpenSshPublicKey(key: KeyObject, comment = ''): string {
  const { type, blob } = publicBlob(key);
  return `${type} ${blob.toString('base64')}${comment ? ` ${comment}` : ''}\n`;
}

function readPublicBlob(r: Reader): KeyObject {
  const type = r.text();
  if (type === 'ssh-ed25519')
    return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: r.string().toString('base64url') }, format: 'jwk' });
  if (type === 'ssh-rsa') {
    const e = r.mpint();
    const n = r.mpint();
    return createPublicKey({
      key: { kty: 'RSA', n: n.toString('base64url'), e: e.toString('base64url') },
      format: 'jwk',
    });
  }
  const c = Object.values(CURVES).find((x) => type === `ecdsa-sha2-${x.ssh}`);
  if (c) {
    r.text();
    const q = r.string();
    return createPublicKey({ key: ecJwk(c, q), format: 'jwk' });
  }
  throw unsupported(`OpenSSH key type ${type}`);
}

function ecJwk(c: { jwk: string; size: number }, q: Buffer): JsonWebKey {
  if (q[0] !== 4 || q.length !== 1 + 2 * c.size) throw formatError('OpenSSH ECDSA point is not uncompressed');
  return {
    kty: 'EC',
    crv: c.jwk,
    x: q.subarray(1, 1 + c.size).toString('base64url'),
    y: q.subarray(1 + c.size).toString('base64url'),
  };
}

/** Reads one "type base64 [comment]" line (authorized_keys style; options before the type are skipped). */
export function readOpenSshPublicKey(text: string): { key: KeyObject; comment: string } {
  const line = text.split(/\r?\n/).find((l) => l.trim() && !l.startsWith('#'));
  if (!line) throw formatError('no OpenSSH public key line');
  const fields = line.trim().split(/\s+/);
  const at = fields.findIndex((f) => /^(ssh-|ecdsa-sha2-)/.test(f));
  if (at < 0 || !fields[at + 1]) throw formatError('not an OpenSSH public key line');
  const blob = Buffer.from(fields[at + 1]!, 'base64');
  const r = new Reader(blob);
  const key = readPublicBlob(r);
  if (r.rest !== 0) throw formatError('OpenSSH public key has trailing bytes');
  if (publicBlob(key).type !== fields[at]) throw formatError('OpenSSH key type does not match its blob');
  return { key, comment: fields.slice(at + 2).join(' ') };
}

// OpenSSH's private-section ciphers Keyhold reads (ssh-keygen writes aes256-ctr by default);
// it writes aes256-ctr. Key and IV both come from bcrypt_pbkdf.
const SSH_CIPHERS: Record<string, { node: string; keyLength: number }> = {
  'aes128-ctr': { node: 'aes-128-ctr', keyLength: 16 },
  'aes192-ctr': { node: 'aes-192-ctr', keyLength: 24 },
  'aes256-ctr': { node: 'aes-256-ctr', keyLength: 32 },
  'aes128-cbc': { node: 'aes-128-cbc', keyLength: 16 },
  'aes192-cbc': { node: 'aes-192-cbc', keyLength: 24 },
  'aes256-cbc': { node: 'aes-256-cbc', keyLength: 32 },
};
/** ssh-keygen's default bcrypt rounds (-a 16). */
const SSH_ROUNDS = 16;

/** bcrypt_pbkdf(passphrase, salt, rounds) -> cipher key || IV (16 bytes). */
function sshKeyIv(passphrase: string, salt: Uint8Array, rounds: number, keyLength: number): Buffer {
  const pass = Buffer.from(passphrase, 'utf8');
  const out = Buffer.alloc(keyLength + 16);
  const rc = bcryptPbkdf(pass, pass.length, salt, salt.length, out, out.length, rounds);
  pass.fill(0);
  if (rc !== 0) throw formatError('OpenSSH key: bcrypt KDF parameters are not valid');
  return out;
}

/**
 * A "-----BEGIN OPENSSH PRIVATE KEY-----" file: unencrypted without a passphrase (ssh-keygen -N ""),
 * else bcrypt KDF (16 rounds, 16-byte salt) and aes256-ctr, as ssh-keygen -N PASS writes.
 */
export function writeOpenSshPrivateKey(key: KeyObject, comment = '', passphrase?: string): string {
  if (passphrase !== undefined && passphrase.length === 0) throw invalidArgument('OpenSSH passphrase is empty');
  if (key.type !== 'private') throw formatError('not a private key');
  const { type, blob } = publicBlob(key);
  const j = jwkOf(key);
  const check = randomBytes(4).readUInt32BE();
  const w = new Writer().uint32(check).uint32(check).string(type);
  switch (key.asymmetricKeyType) {
    case 'ed25519': {
      const pk = b64u(j.x);
      w.string(pk).string(Buffer.concat([b64u(j.d), pk]));
      break;
    }
    case 'rsa':
      w.mpint(b64u(j.n)).mpint(b64u(j.e)).mpint(b64u(j.d)).mpint(b64u(j.qi)).mpint(b64u(j.p)).mpint(b64u(j.q));
      break;
    case 'ec': {
      const c = CURVES[key.asymmetricKeyDetails?.namedCurve ?? '']!;
      w.string(c.ssh)
        .string(Buffer.concat([Buffer.from([4]), b64u(j.x), b64u(j.y)]))
        .mpint(b64u(j.d));
      break;
    }
  }
  w.string(comment);
  let priv = w.bytes;
  const blockSize = passphrase === undefined ? 8 : 16;
  const pad = (blockSize - (priv.length % blockSize)) % blockSize;
  const plain = Buffer.concat([priv, Buffer.from(Array.from({ length: pad }, (_, i) => i + 1))]);
  priv.fill(0);
  priv = plain;
  let cipherName = 'none';
  let kdfName = 'none';
  let kdfOptions: Buffer = Buffer.alloc(0);
  if (passphrase !== undefined) {
    const salt = randomBytes(16);
    const keyIv = sshKeyIv(passphrase, salt, SSH_ROUNDS, 32);
    const c = createCipheriv('aes-256-ctr', keyIv.subarray(0, 32), keyIv.subarray(32));
    const enc = Buffer.concat([c.update(priv), c.final()]);
    wipe(keyIv, priv);
    priv = enc;
    cipherName = 'aes256-ctr';
    kdfName = 'bcrypt';
    kdfOptions = new Writer().string(salt).uint32(SSH_ROUNDS).bytes;
  }
  const body = new Writer()
    .raw(Buffer.from('openssh-key-v1\0'))
    .string(cipherName)
    .string(kdfName)
    .string(kdfOptions)
    .uint32(1)
    .string(blob)
    .string(priv).bytes;
  priv.fill(0);
  const b64 = body.toString('base64').match(/.{1,70}/g) ?? [];
  return `-----BEGIN OPENSSH PRIVATE KEY-----\n${b64.join('\n')}\n-----END OPENSSH PRIVATE KEY-----\n`;
}

/** Decrypts the private section of a passphrase-protected key (bcrypt KDF). */
function decryptSection(cipher: string, kdf: string, kdfOptions: Buffer, section: Buffer, passphrase?: string): Buffer {
  const c = SSH_CIPHERS[cipher];
  if (!c) throw unsupported(`OpenSSH private key cipher ${cipher} (Keyhold reads aes128/192/256-ctr and -cbc)`);
  if (kdf !== 'bcrypt') throw unsupported(`OpenSSH private key KDF ${kdf} (only bcrypt)`);
  if (passphrase === undefined || passphrase.length === 0)
    throw formatError('the OpenSSH private key is passphrase-protected: give its passphrase (--password-file)');
  const o = new Reader(kdfOptions);
  const salt = o.string();
  const rounds = o.uint32();
  if (rounds < 1 || rounds > 1 << 20) throw formatError('OpenSSH key: bcrypt rounds out of range');
  if (section.length % 16 !== 0) throw formatError('OpenSSH key: encrypted section is truncated');
  const keyIv = sshKeyIv(passphrase, salt, rounds, c.keyLength);
  try {
    const d = createDecipheriv(c.node, keyIv.subarray(0, c.keyLength), keyIv.subarray(c.keyLength));
    d.setAutoPadding(false);
    return Buffer.concat([d.update(section), d.final()]);
  } finally {
    keyIv.fill(0);
  }
}

/**
 * Reads an "openssh-key-v1" private key; a passphrase-protected one (bcrypt KDF, AES-CTR/CBC)
 * needs `passphrase`, and a wrong one is reported as such (the check integers differ).
 */
export function readOpenSshPrivateKey(text: string, passphrase?: string): { key: KeyObject; comment: string } {
  const block = pemDecode(text).find((b) => b.label === 'OPENSSH PRIVATE KEY');
  if (!block) throw formatError('no OPENSSH PRIVATE KEY block');
  const r = new Reader(block.der);
  if (!r.raw(15).equals(Buffer.from('openssh-key-v1\0'))) throw formatError('not an openssh-key-v1 key');
  const cipher = r.text();
  const kdf = r.text();
  const kdfOptions = r.string();
  if (r.uint32() !== 1) throw unsupported('OpenSSH files with more than one key');
  r.string(); // public key, repeated inside
  const encrypted = cipher !== 'none' || kdf !== 'none';
  const section = encrypted ? decryptSection(cipher, kdf, kdfOptions, r.string(), passphrase) : r.string();
  try {
    return readPrivateSection(section, encrypted);
  } finally {
    if (encrypted) section.fill(0);
  }
}

function readPrivateSection(section: Buffer, encrypted: boolean): { key: KeyObject; comment: string } {
  const p = new Reader(section);
  if (p.uint32() !== p.uint32())
    throw formatError(
      encrypted
        ? 'wrong passphrase for the OpenSSH private key (check bytes differ)'
        : 'OpenSSH private key check bytes differ (damaged file)',
    );
  const type = p.text();
  let jwk: JsonWebKey;
  if (type === 'ssh-ed25519') {
    const pk = p.string();
    const sk = p.string();
    jwk = { kty: 'OKP', crv: 'Ed25519', x: pk.toString('base64url'), d: sk.subarray(0, 32).toString('base64url') };
  } else if (type === 'ssh-rsa') {
    const [n, e, d, qi, pp, q] = [p.mpint(), p.mpint(), p.mpint(), p.mpint(), p.mpint(), p.mpint()];
    const dBig = BigInt(`0x${d.toString('hex')}`);
    const mod = (x: Buffer): string => {
      let h = (dBig % (BigInt(`0x${x.toString('hex')}`) - 1n)).toString(16);
      if (h.length % 2) h = `0${h}`;
      return Buffer.from(h, 'hex').toString('base64url');
    };
    const enc = (x: Buffer): string => x.toString('base64url');
    jwk = { kty: 'RSA', n: enc(n), e: enc(e), d: enc(d), p: enc(pp), q: enc(q), dp: mod(pp), dq: mod(q), qi: enc(qi) };
  } else {
    const c = Object.values(CURVES).find((x) => type === `ecdsa-sha2-${x.ssh}`);
    if (!c) throw unsupported(`OpenSSH key type ${type}`);
    p.text();
    const q = p.string();
    const d = p.mpint();
    const dPadded = Buffer.concat([Buffer.alloc(Math.max(0, c.size - d.length)), d]);
    jwk = { ...ecJwk(c, q), d: dPadded.toString('base64url') };
  }
  const comment = p.text();
  try {
    return { key: createPrivateKey({ key: jwk, format: 'jwk' }), comment };
  } catch (e) {
    throw formatError('OpenSSH private key values are inconsistent', e);
  }
}
