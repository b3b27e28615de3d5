import { createPublicKey, type KeyObject } from 'node:crypto';
import type { Command } from 'commander';
import { KeyholdError } from '../../../shared/errors.js';
import {
  certificateObject,
  csrObject,
  keyPairObjects,
  publicKeyObject,
  readAny,
  symmetricKeyObject,
  x509,
  type NewObject,
} from '../../crypto/index.js';
import { cliIdentity, withVault, withVaultOptions, type VaultCliOptions } from '../vault-options.js';
import { passwordFromFile, readInput } from './support.js';

const spkiHex = (k: KeyObject): string =>
  (k.type === 'public' ? k : createPublicKey(k)).export({ format: 'der', type: 'spki' }).toString('hex');

/** Builds vault objects from what a file held, with links between keys and certificates. */
export function importObjects(items: ReturnType<typeof readAny>, name: string | undefined): NewObject[] {
  const out: NewObject[] = [];
  // Imported keys are usable at once, as generated ones are (certificates follow their notBefore).
  const activationDate = new Date();
  const byKey = new Map<string, { privateId?: NewObject; publicObj: NewObject }>();
  items.privateKeys.forEach((p, i) => {
    const label = name ?? p.label;
    const [priv, pub] = keyPairObjects(p.key, { name: label && i > 0 ? `${label}-${i + 1}` : label, activationDate });
    out.push(priv, pub);
    byKey.set(spkiHex(p.key), { privateId: priv, publicObj: pub });
  });
  items.publicKeys.forEach((p) => {
    if (byKey.has(spkiHex(p.key))) return;
    const pub = publicKeyObject(p.key, { name: name ?? p.label, activationDate });
    out.push(pub);
    byKey.set(spkiHex(p.key), { publicObj: pub });
  });
  // Certificates: link to their key pair (same SubjectPublicKeyInfo) and to their issuer in the file.
  const certs = items.certificates.map((der) => ({ der, cert: new x509.X509Certificate(new Uint8Array(der)) }));
  const objects = certs.map(({ der, cert }) => {
    const keys = byKey.get(Buffer.from(cert.publicKey.rawData).toString('hex'));
    const obj = certificateObject(der, {
      publicKeyId: keys?.publicObj.uniqueIdentifier,
      name: keys && name ? name : undefined,
    });
    if (keys) {
      for (const k of [keys.publicObj, keys.privateId]) {
        if (k)
          (k.attributes['Link'] ??= []).push({
            LinkType: 'CertificateLink',
            LinkedObjectIdentifier: obj.uniqueIdentifier,
          });
      }
    }
    return obj;
  });
  certs.forEach(({ cert }, i) => {
    if (cert.subject === cert.issuer) return;
    const j = certs.findIndex((c, k) => k !== i && c.cert.subject === cert.issuer);
    if (j >= 0)
      (objects[i]!.attributes['Link'] ??= []).push({
        LinkType: 'CertificateLink',
        LinkedObjectIdentifier: objects[j]!.uniqueIdentifier,
      });
  });
  out.push(...objects);
  for (const der of items.csrs) out.push(csrObject(der, { name }));
  for (const s of items.secrets) {
    const alg = [16, 24, 32].includes(s.length) ? 'AES' : 'HMAC_SHA256';
    out.push(symmetricKeyObject(s, alg, { name, activationDate }));
    s.fill(0);
  }
  return out;
}

/** `keyhold import FILE`: keys, certificates and CSRs into the vault; prints the new IDs. */
export function registerImport(program: Command): void {
  withVaultOptions(
    program
      .command('import')
      .argument('<file>', 'PEM, DER, PKCS#8 (encrypted), PKCS#12, PKCS#7, JWK or OpenSSH file')
      .description('Import keys and certificates; prints the Unique Identifiers created, one a line')
      .option('--password-file <file>', 'password for PKCS#12 or an encrypted private key')
      .option('--name <name>', 'KMIP Name for the imported key(s)'),
  ).action(async (file: string, o: VaultCliOptions & { passwordFile?: string; name?: string }) => {
    const items = readAny(readInput(file, 'input'), passwordFromFile(o.passwordFile));
    if (items.crls.length > 0) process.stderr.write(`keyhold: ${items.crls.length} CRL(s) in ${file} are not stored\n`);
    const objects = importObjects(items, o.name);
    if (objects.length === 0) throw new KeyholdError('format', `${file} holds no key, certificate or CSR`);
    const ids = await withVault(o, (v) => v.insertMany(objects, cliIdentity(), 'Import'));
    process.stdout.write(`${ids.join('\n')}\n`);
  });
}
