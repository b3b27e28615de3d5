import { X509Certificate } from 'node:crypto';
import type { Command } from 'commander';
import { KeyholdError } from '../../../shared/errors.js';
import {
  CRL_CONTENT,
  exportJwk,
  exportPrivateKey,
  exportPublicKey,
  keyObjectOf,
  linkedIds,
  pemEncode,
  secretBytesOf,
  valueOf,
  writeOpenSshPrivateKey,
  writeOpenSshPublicKey,
  writePkcs12,
  writePkcs7,
} from '../../crypto/index.js';
import type { ManagedObject, Vault } from '../../vault/index.js';
import { cliIdentity, withVault, withVaultOptions, type VaultCliOptions } from '../vault-options.js';
import { certificateFor, chainFrom, passwordFromFile, privateKeyFor, writeOutput } from './support.js';

const FORMATS = ['pem', 'der', 'pkcs8', 'pkcs12', 'pkcs7', 'jwk', 'openssh'] as const;
type Format = (typeof FORMATS)[number];

interface ExportOptions extends VaultCliOptions {
  format: string;
  out: string;
  passwordFile?: string;
  legacy?: boolean;
}

function refuse(o: ManagedObject, format: string): never {
  throw new KeyholdError('unsupported', `a ${o.objectType} cannot be exported as ${format}`);
}

/** KMIP 2.x Extractable false forbids export of the key material. */
function checkExtractable(o: ManagedObject): void {
  if (o.attributes['Extractable']?.[0] === false) {
    throw new KeyholdError('permission-denied', `object ${o.uniqueIdentifier} is not extractable`, {
      reason: 'Permission Denied',
    });
  }
}

async function render(
  v: Vault,
  id: string,
  format: Format,
  password: string | undefined,
  legacy: boolean,
): Promise<{ data: string | Buffer; secret: boolean }> {
  const meta = await v.getObject(id);
  switch (meta.objectType) {
    case 'PrivateKey': {
      checkExtractable(meta);
      const { key } = await privateKeyFor(v, id, 'Export');
      const certId = (await certificateFor(v, id))?.object.uniqueIdentifier;
      switch (format) {
        case 'pem':
        case 'pkcs8':
          return { data: exportPrivateKey(key, { encoding: 'pem', password }), secret: true };
        case 'der':
          return { data: exportPrivateKey(key, { encoding: 'der', password }), secret: true };
        case 'pkcs12': {
          if (!password) throw new KeyholdError('invalid-argument', 'PKCS#12 export needs --password-file');
          const chain = certId ? await chainFrom(v, certId) : [];
          return {
            data: writePkcs12(key, chain, password, {
              profile: legacy ? 'legacy' : 'modern',
              friendlyName: nameOf(meta),
            }),
            secret: true,
          };
        }
        case 'jwk': {
          const chain = certId ? await chainFrom(v, certId) : [];
          return { data: `${JSON.stringify(exportJwk(key, { certificates: chain }), null, 2)}\n`, secret: true };
        }
        case 'openssh':
          // With --password-file: bcrypt KDF + aes256-ctr, as ssh-keygen -N writes.
          return { data: writeOpenSshPrivateKey(key, nameOf(meta) ?? '', password), secret: true };
        default:
          return refuse(meta, format);
      }
    }
    case 'PublicKey': {
      const key = keyObjectOf(await v.getObjectForUse(id, cliIdentity(), 'Export'));
      if (format === 'pem') return { data: exportPublicKey(key, 'pem'), secret: false };
      if (format === 'der') return { data: exportPublicKey(key, 'der'), secret: false };
      if (format === 'jwk') return { data: `${JSON.stringify(exportJwk(key), null, 2)}\n`, secret: false };
      if (format === 'openssh') return { data: writeOpenSshPublicKey(key, nameOf(meta) ?? ''), secret: false };
      return refuse(meta, format);
    }
    case 'Certificate': {
      const der = valueOf(await v.getObjectForUse(id, cliIdentity(), 'Export'), 'Certificate');
      if (format === 'pem') return { data: pemEncode('CERTIFICATE', der), secret: false };
      if (format === 'der') return { data: der, secret: false };
      if (format === 'pkcs7') return { data: writePkcs7(await chainFrom(v, id), 'pem'), secret: false };
      if (format === 'jwk') {
        const pub = new X509Certificate(der).publicKey;
        return {
          data: `${JSON.stringify(exportJwk(pub, { certificates: await chainFrom(v, id) }), null, 2)}\n`,
          secret: false,
        };
      }
      if (format === 'pkcs12') {
        if (!password) throw new KeyholdError('invalid-argument', 'PKCS#12 export needs --password-file');
        const pubId = linkedIds(meta, 'PublicKeyLink')[0];
        const key = pubId ? await privateKeyFor(v, pubId, 'Export').catch(() => undefined) : undefined;
        if (key) checkExtractable(key.object);
        return {
          data: writePkcs12(key?.key, await chainFrom(v, id), password, {
            profile: legacy ? 'legacy' : 'modern',
            friendlyName: nameOf(meta),
          }),
          secret: true,
        };
      }
      return refuse(meta, format);
    }
    case 'CertificateRequest': {
      const der = valueOf(await v.getObjectForUse(id, cliIdentity(), 'Export'), 'CertificateRequest');
      if (format === 'pem') return { data: pemEncode('CERTIFICATE REQUEST', der), secret: false };
      if (format === 'der') return { data: der, secret: false };
      return refuse(meta, format);
    }
    case 'OpaqueObject': {
      const obj = await v.getObjectForUse(id, cliIdentity(), 'Export');
      const der = Buffer.from(valueOf(obj, 'OpaqueObject'));
      const isCrl = obj.attributes['x-keyhold-content']?.[0] === CRL_CONTENT;
      if (format === 'der') return { data: der, secret: false };
      if (format === 'pem' && isCrl) return { data: pemEncode('X509 CRL', der), secret: false };
      return refuse(meta, format);
    }
    case 'SymmetricKey':
    case 'SecretData': {
      checkExtractable(meta);
      const bytes = secretBytesOf(await v.getObjectForUse(id, cliIdentity(), 'Export'));
      if (format === 'der') return { data: bytes, secret: true };
      if (format === 'jwk') {
        const jwk = exportJwk(bytes);
        bytes.fill(0);
        return { data: `${JSON.stringify(jwk, null, 2)}\n`, secret: true };
      }
      bytes.fill(0);
      return refuse(meta, format);
    }
    default:
      return refuse(meta, format);
  }
}

function nameOf(o: ManagedObject): string | undefined {
  const n = o.attributes['Name']?.[0] as { NameValue?: unknown } | undefined;
  return typeof n?.NameValue === 'string' ? n.NameValue : undefined;
}

/** `keyhold export ID --format F --out FILE`. */
export function registerExport(program: Command): void {
  withVaultOptions(
    program
      .command('export')
      .argument('<id>', 'Unique Identifier')
      .description('Export an object to a file')
      .requiredOption('--format <format>', FORMATS.join('|'))
      .requiredOption('--out <file>', 'output file')
      .option('--password-file <file>', 'encrypts private keys (PKCS#8 PBES2) and PKCS#12')
      .option('--legacy', 'PKCS#12 with 3DES and a SHA-1 MAC, for old Windows and Java'),
  ).action(async (id: string, o: ExportOptions) => {
    if (!FORMATS.includes(o.format as Format))
      throw new KeyholdError('invalid-argument', `--format must be one of ${FORMATS.join(', ')}`);
    const password = passwordFromFile(o.passwordFile);
    const { data, secret } = await withVault(o, (v) => render(v, id, o.format as Format, password, o.legacy === true));
    writeOutput(o.out, data, secret);
    if (Buffer.isBuffer(data) && secret) data.fill(0);
  });
}
