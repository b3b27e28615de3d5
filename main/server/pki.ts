import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { KeyholdError } from '../../shared/errors.js';
import { generateKeyPair } from '../crypto/index.js';
import { issueCertificate, selfSign } from '../crypto/x509/index.js';
import { SERVER_OWNER } from '../ops/objects.js';
import type { Vault } from '../vault/index.js';
import type { ManagedObject } from '../vault/model.js';
import { CREDENTIAL_FIELD, credentialAttribute, credentialOf } from './control-credentials.js';
import type { StoredCredential } from './credentials.js';

/**
 * The server's own PKI, kept in the vault as objects owned by "keyhold:server" (never visible
 * over KMIP): a server CA, the server's TLS certificate, and one Certificate object per enrolled
 * client. A client is its certificate (KMIP 1.4 section 10 / profiles: mutual TLS).
 */
const CA_NAME = 'keyhold-server-ca';
const SERVER_NAME = 'keyhold-server';
const CLIENT_PREFIX = 'keyhold-client:';

export interface ServerPki {
  caCertPem: string;
  certPem: string;
  keyPem: string;
  /** True when this call created the CA and server certificate. */
  created: boolean;
}

export interface EnrolledClient {
  name: string;
  uniqueIdentifier: string;
  serialNumber: string;
  fingerprint256: string;
  notAfter: string;
  revoked: boolean;
  admin: boolean;
  /** True when the client must also send a Credential (username and password); the hash is never listed. */
  credentialRequired: boolean;
  /** The Credential's username, when one is required. */
  credentialUsername?: string;
}

function pemOf(der: Uint8Array, label: string): string {
  const b64 = Buffer.from(der)
    .toString('base64')
    .replace(/(.{64})/g, '$1\n');
  return `-----BEGIN ${label}-----\n${b64.trimEnd()}\n-----END ${label}-----\n`;
}

function nameOf(o: ManagedObject): string | undefined {
  const n = o.attributes.Name?.[0];
  return typeof n === 'object' && n !== null && !Array.isArray(n) && !(n instanceof Uint8Array) && !(n instanceof Date)
    ? (n.NameValue as string | undefined)
    : undefined;
}

/** The server's objects, metadata only: nothing secret is decoded and nothing is audited. */
async function serverObjects(vault: Vault): Promise<ManagedObject[]> {
  const found = await vault.locate({ owner: SERVER_OWNER, storageStatusMask: 7 });
  const out: ManagedObject[] = [];
  for (const uid of found.uniqueIdentifiers) out.push(await vault.getObject(uid));
  return out;
}

/**
 * The server's object of this type and name with its value: a certificate is read as a public
 * object (not audited); a private key only for a use of it (the CA signing, the server starting
 * TLS), which is audited.
 */
async function serverObject(
  vault: Vault,
  objects: readonly ManagedObject[],
  type: 'Certificate' | 'PrivateKey',
  name: string,
): Promise<ManagedObject | undefined> {
  const o = objects.find((x) => x.objectType === type && nameOf(x) === name);
  if (o === undefined) return undefined;
  return type === 'Certificate'
    ? vault.getPublicObject(o.uniqueIdentifier)
    : vault.getObjectForUse(o.uniqueIdentifier, SERVER_OWNER, 'Read');
}

function keyPemOf(o: ManagedObject | undefined): string | undefined {
  const m = o?.keyBlock?.keyMaterial;
  return m instanceof Uint8Array ? pemOf(m, 'PRIVATE KEY') : undefined;
}

async function store(
  vault: Vault,
  name: string,
  object: Omit<ManagedObject, 'uniqueIdentifier' | 'owner' | 'attributes'>,
  extra: ManagedObject['attributes'] = {},
): Promise<string> {
  return vault.insert(
    {
      ...object,
      owner: SERVER_OWNER,
      attributes: {
        Name: [{ NameValue: name, NameType: 'UninterpretedTextString' }],
        ActivationDate: [new Date(Date.now() - 1000)],
        ...extra,
      },
    },
    SERVER_OWNER,
    'Register',
  );
}

function privateKeyObject(key: KeyObject): Omit<ManagedObject, 'uniqueIdentifier' | 'owner' | 'attributes'> {
  return {
    objectType: 'PrivateKey',
    keyBlock: {
      keyFormatType: 'PKCS_8',
      keyMaterial: key.export({ format: 'der', type: 'pkcs8' }),
      cryptographicAlgorithm: key.asymmetricKeyType === 'ec' ? 'EC' : 'RSA',
    },
  };
}

async function caIssuer(vault: Vault): Promise<{ certificate: Buffer; privateKey: KeyObject; caCertPem: string }> {
  const objects = await serverObjects(vault);
  const caCert = await serverObject(vault, objects, 'Certificate', CA_NAME);
  const caKey = keyPemOf(await serverObject(vault, objects, 'PrivateKey', CA_NAME));
  if (!caCert?.value || !caKey)
    throw new KeyholdError('not-found', 'the vault has no server CA yet: run `keyhold serve` once');
  return {
    certificate: Buffer.from(caCert.value),
    privateKey: createPrivateKey(caKey),
    caCertPem: pemOf(caCert.value, 'CERTIFICATE'),
  };
}

/** The server's CA and TLS certificate, created in the vault (with the local CA code) on first start. */
export async function ensureServerPki(vault: Vault, hostNames: string[]): Promise<ServerPki> {
  const objects = await serverObjects(vault);
  const serverCert = await serverObject(vault, objects, 'Certificate', SERVER_NAME);
  const caCert = await serverObject(vault, objects, 'Certificate', CA_NAME);
  const serverKey =
    serverCert?.value && caCert?.value
      ? keyPemOf(await serverObject(vault, objects, 'PrivateKey', SERVER_NAME))
      : undefined;
  if (serverCert?.value && serverKey && caCert?.value) {
    return {
      caCertPem: pemOf(caCert.value, 'CERTIFICATE'),
      certPem: pemOf(serverCert.value, 'CERTIFICATE'),
      keyPem: serverKey,
      created: false,
    };
  }
  return vault.transaction(async () => {
    const ca = await generateKeyPair({ algorithm: 'EC', curve: 'P-256' });
    const caDer = await selfSign(ca.privateKey, 'CN=Keyhold KMIP Server CA', { profile: 'ca' });
    await store(vault, CA_NAME, privateKeyObject(ca.privateKey));
    await store(vault, CA_NAME, { objectType: 'Certificate', value: caDer, valueType: 'X_509' });
    const server = await generateKeyPair({ algorithm: 'EC', curve: 'P-256' });
    const sans = hostNames.map((h) =>
      /^[\d.]+$/.test(h) || h.includes(':') ? { type: 'ip' as const, value: h } : { type: 'dns' as const, value: h },
    );
    const der = await issueCertificate(
      { certificate: caDer, privateKey: ca.privateKey },
      { publicKey: server.publicKey, name: `CN=${hostNames[0] ?? 'localhost'}` },
      { profile: 'tls-server', subjectAltNames: sans },
    );
    await store(vault, SERVER_NAME, privateKeyObject(server.privateKey));
    await store(vault, SERVER_NAME, { objectType: 'Certificate', value: der, valueType: 'X_509' });
    return {
      caCertPem: pemOf(caDer, 'CERTIFICATE'),
      certPem: pemOf(der, 'CERTIFICATE'),
      keyPem: server.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
      created: true,
    };
  });
}

/** Issues a client certificate (clientAuth EKU) signed by the server CA and records it in the vault. */
export async function enrollClient(
  vault: Vault,
  name: string,
  options: { admin?: boolean; credential?: StoredCredential } = {},
): Promise<{ certPem: string; keyPem: string; caCertPem: string }> {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(name)) {
    throw new KeyholdError('invalid-argument', 'a client name is 1-64 letters, digits, dot, dash or underscore');
  }
  await ensureServerPki(vault, ['127.0.0.1', 'localhost']);
  const issuer = await caIssuer(vault);
  const existing = (await listClients(vault)).find((c) => c.name === name && !c.revoked);
  if (existing) throw new KeyholdError('invalid-argument', `client ${name} is already enrolled; revoke it first`);
  const pair = await generateKeyPair({ algorithm: 'EC', curve: 'P-256' });
  const der = await issueCertificate(
    issuer,
    { publicKey: pair.publicKey, name: `CN=${name}` },
    { profile: 'tls-client' },
  );
  await store(
    vault,
    `${CLIENT_PREFIX}${name}`,
    { objectType: 'Certificate', value: der, valueType: 'X_509' },
    {
      ...(options.admin ? { 'x-keyhold-admin': [true] } : {}),
      ...(options.credential ? { [CREDENTIAL_FIELD]: [credentialAttribute(options.credential)] } : {}),
    },
  );
  return {
    certPem: pemOf(der, 'CERTIFICATE'),
    keyPem: pair.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    caCertPem: issuer.caCertPem,
  };
}

/** Enrolled clients, newest first. */
export async function listClients(vault: Vault): Promise<EnrolledClient[]> {
  const out: EnrolledClient[] = [];
  for (const meta of await serverObjects(vault)) {
    const n = nameOf(meta);
    if (meta.objectType !== 'Certificate' || !n?.startsWith(CLIENT_PREFIX)) continue;
    const o = await vault.getPublicObject(meta.uniqueIdentifier);
    if (!o.value) continue;
    const cert = new X509Certificate(Buffer.from(o.value));
    const state = o.attributes.State?.[0];
    const credential = credentialOf(o.attributes);
    out.push({
      name: n.slice(CLIENT_PREFIX.length),
      uniqueIdentifier: o.uniqueIdentifier,
      serialNumber: cert.serialNumber,
      fingerprint256: cert.fingerprint256,
      notAfter: cert.validTo,
      revoked: state !== 'Active' && state !== 'PreActive',
      admin: o.attributes['x-keyhold-admin']?.[0] === true,
      credentialRequired: credential !== undefined,
      ...(credential ? { credentialUsername: credential.username } : {}),
    });
  }
  return out;
}

/** The stored credentials of the active enrollments, by client name (the server's Authenticator loads them). */
export async function clientCredentials(vault: Vault): Promise<Map<string, StoredCredential>> {
  const out = new Map<string, StoredCredential>();
  for (const o of await serverObjects(vault)) {
    const n = nameOf(o);
    const state = o.attributes.State?.[0];
    if (
      o.objectType !== 'Certificate' ||
      !n?.startsWith(CLIENT_PREFIX) ||
      (state !== 'Active' && state !== 'PreActive')
    )
      continue;
    const credential = credentialOf(o.attributes);
    if (credential) out.set(n.slice(CLIENT_PREFIX.length), credential);
  }
  return out;
}

/** Revokes a client: its certificate is refused at the next connection. */
export async function revokeClient(vault: Vault, name: string): Promise<number> {
  let n = 0;
  for (const c of await listClients(vault)) {
    if (c.name !== name || c.revoked) continue;
    await vault.revoke(c.uniqueIdentifier, { reason: { RevocationReasonCode: 'CessationOfOperation' } }, SERVER_OWNER);
    n++;
  }
  if (n === 0) throw new KeyholdError('not-found', `no enrolled client ${name}`);
  return n;
}
