import { createHash } from 'node:crypto';
import type { Command } from 'commander';
import { KeyholdError } from '../../../shared/errors.js';
import {
  certificateObject,
  createCrl,
  crlObject,
  generateKeyPair,
  keyPairObjects,
  linkedIds,
  pemEncode,
  readCsr,
  selfSign,
  signCsr,
  issueCertificate,
  x509,
  type RevokedEntry,
} from '../../crypto/index.js';
import type { AttributeValue, ManagedObject, Vault } from '../../vault/index.js';
import { cliIdentity, withVault, withVaultOptions, type VaultCliOptions } from '../vault-options.js';
import {
  certificateFor,
  keyPairSpec,
  privateKeyFor,
  readInput,
  wantsDer,
  withProgress,
  writeOutput,
} from './support.js';

/** The CA an ID names (its certificate, or one of its keys): certificate DER, object and private key. */
export async function loadCa(vault: Vault, id: string) {
  const cert = await certificateFor(vault, id);
  if (!cert) throw new KeyholdError('invalid-argument', `object ${id} is not a CA certificate or a key with one`);
  const c = new x509.X509Certificate(new Uint8Array(cert.der));
  if (!c.getExtension(x509.BasicConstraintsExtension)?.ca)
    throw new KeyholdError('invalid-argument', `certificate ${cert.object.uniqueIdentifier} is not a CA`);
  const { key } = await privateKeyFor(vault, cert.object.uniqueIdentifier, 'Certify');
  return { der: cert.der, object: cert.object, privateKey: key };
}

interface CaInitOptions extends VaultCliOptions {
  name: string;
  subject?: string;
  alg: string;
  length?: string;
  curve?: string;
  days?: string;
  parent?: string;
  crlUrl?: string;
}

interface CaSignOptions extends VaultCliOptions {
  ca: string;
  csr: string;
  profile: string;
  out: string;
  days?: string;
  crlUrl?: string;
  name?: string;
}

const days = (v: string | undefined): number | undefined => (v === undefined ? undefined : Number(v));

/** Links a key pair to its certificate (KMIP Certificate Link on both keys). */
export async function linkCertificate(vault: Vault, keyIds: string[], certId: string): Promise<void> {
  for (const id of keyIds) {
    await vault.addAttribute(
      id,
      'Link',
      { LinkType: 'CertificateLink', LinkedObjectIdentifier: certId },
      cliIdentity(),
    );
  }
}

/** The vault Public Key whose SubjectPublicKeyInfo is `spki`, found by its Digest attribute. */
async function findPublicKey(vault: Vault, spki: Buffer): Promise<string | undefined> {
  const want = createHash('sha256').update(spki).digest();
  const { uniqueIdentifiers } = await vault
    .locate({ attributes: { ObjectType: ['PublicKey'] } })
    .catch(() => vault.locate({}));
  for (const uid of uniqueIdentifiers) {
    const o = await vault.getObject(uid);
    if (o.objectType !== 'PublicKey') continue;
    const d = o.attributes['Digest']?.[0] as { DigestValue?: unknown } | undefined;
    if (d?.DigestValue instanceof Uint8Array && want.equals(Buffer.from(d.DigestValue))) return uid;
  }
  return undefined;
}

const CRL_REASON: Record<string, RevokedEntry['reason']> = {
  Unspecified: 'unspecified',
  KeyCompromise: 'keyCompromise',
  CACompromise: 'cACompromise',
  AffiliationChanged: 'affiliationChanged',
  Superseded: 'superseded',
  CessationOfOperation: 'cessationOfOperation',
  PrivilegeWithdrawn: 'privilegeWithdrawn',
};

function dateAttr(o: ManagedObject, name: string): Date | undefined {
  const v = o.attributes[name]?.[0];
  return v instanceof Date ? v : undefined;
}

/** `keyhold ca init|sign|crl`: a local CA kept in the vault. */
export function registerCa(program: Command): void {
  const ca = program.command('ca').description('A local certificate authority in the vault');

  withVaultOptions(
    ca
      .command('init')
      .description(
        'Create a CA key pair and certificate; prints the CA certificate ID, then its private and public key IDs',
      )
      .requiredOption('--name <name>', 'CA name (KMIP Name, and CN when no --subject)')
      .option('--subject <dn>', 'CA subject DN (default CN=NAME)')
      .option('--alg <alg>', 'key algorithm: EC, RSA, Ed25519', 'EC')
      .option('--length <bits>', 'RSA length', '3072')
      .option('--curve <curve>', 'EC curve', 'P-384')
      .option('--days <n>', 'validity in days (default 3650)')
      .option('--parent <id>', 'issue an intermediate CA from this CA instead of a self-signed root')
      .option('--crl-url <url>', 'CRL distribution point for an intermediate'),
  ).action(async (o: CaInitOptions) => {
    const spec = keyPairSpec(o.alg, Number(o.length), o.curve);
    if (!spec || spec.algorithm === 'X25519' || spec.algorithm === 'X448') {
      throw new KeyholdError('invalid-argument', `--alg ${o.alg} cannot sign certificates`);
    }
    const subject = o.subject ?? `CN=${o.name}`;
    const pair = await withProgress(`generating the ${o.name} CA key`, () => generateKeyPair(spec));
    const ids = await withVault(o, async (v) => {
      let der: Buffer;
      let parentId: string | undefined;
      if (o.parent) {
        const parent = await loadCa(v, o.parent);
        parentId = parent.object.uniqueIdentifier;
        der = await issueCertificate(
          { certificate: parent.der, privateKey: parent.privateKey },
          { publicKey: pair.publicKey, name: subject },
          { profile: 'ca', validityDays: days(o.days), crlDistributionPoints: o.crlUrl ? [o.crlUrl] : undefined },
        );
      } else {
        der = await selfSign(pair.privateKey, subject, { profile: 'ca', validityDays: days(o.days) });
      }
      const usage = 0x1000 | 0x2000 | 0x1; // Certificate Sign, CRL Sign, Sign
      const [priv, pub] = keyPairObjects(pair.privateKey, {
        name: o.name,
        activationDate: new Date(),
        usageMask: usage,
        publicUsageMask: 0x2,
      });
      const cert = certificateObject(der, {
        name: o.name,
        publicKeyId: pub.uniqueIdentifier,
        issuerCertificateId: parentId,
      });
      priv.attributes['Link']!.push({ LinkType: 'CertificateLink', LinkedObjectIdentifier: cert.uniqueIdentifier });
      pub.attributes['Link']!.push({ LinkType: 'CertificateLink', LinkedObjectIdentifier: cert.uniqueIdentifier });
      return v.insertMany([cert, priv, pub], cliIdentity(), 'Register');
    });
    process.stdout.write(`${ids.join('\n')}\n`);
  });

  withVaultOptions(
    ca
      .command('sign')
      .description('Issue a certificate for a CSR; writes it to FILE and prints its Unique Identifier')
      .requiredOption('--ca <id>', 'the CA certificate (or CA key) Unique Identifier')
      .requiredOption('--csr <file>', 'the CSR, PEM or DER')
      .requiredOption('--profile <profile>', 'tls-server, tls-client, ca, code-signing, smime')
      .requiredOption('--out <file>', 'certificate output (PEM, or DER when FILE ends in .der)')
      .option('--days <n>', "validity in days (default: the profile's)")
      .option('--crl-url <url>', 'CRL distribution point URL to put in the certificate')
      .option('--name <name>', 'KMIP Name of the stored certificate (default: its subject)'),
  ).action(async (o: CaSignOptions) => {
    const csr = await readCsr(readInput(o.csr, 'CSR'));
    const { der, id } = await withVault(o, async (v) => {
      const c = await loadCa(v, o.ca);
      const issued = await signCsr({ certificate: c.der, privateKey: c.privateKey }, csr, {
        profile: o.profile,
        validityDays: days(o.days),
        crlDistributionPoints: o.crlUrl ? [o.crlUrl] : undefined,
      });
      const publicKeyId = await findPublicKey(v, Buffer.from(csr.publicKey.rawData));
      const obj = certificateObject(issued, {
        name: o.name,
        issuerCertificateId: c.object.uniqueIdentifier,
        publicKeyId,
      });
      const uid = await v.insert(obj, cliIdentity(), 'Certify');
      if (publicKeyId) {
        // The subject's keys are in this vault: link them to their new certificate.
        const pub = await v.getObject(publicKeyId);
        await linkCertificate(v, [publicKeyId, ...linkedIds(pub, 'PrivateKeyLink')], uid);
      }
      return { der: issued, id: uid };
    });
    writeOutput(o.out, wantsDer(o.out) ? der : pemEncode('CERTIFICATE', der));
    process.stdout.write(`${id}\n`);
  });

  withVaultOptions(
    ca
      .command('crl')
      .description(
        'Write a CRL of the revoked certificates this CA issued; keeps it in the vault and prints its Unique Identifier',
      )
      .requiredOption('--ca <id>', 'the CA certificate (or CA key) Unique Identifier')
      .requiredOption('--out <file>', 'CRL output (PEM, or DER when FILE ends in .der)')
      .option('--days <n>', 'days until the next update', '7'),
  ).action(async (o: { ca: string; out: string; days: string } & VaultCliOptions) => {
    const stored = await withVault(o, async (v) => {
      const c = await loadCa(v, o.ca);
      const certs = await v.locate({ attributes: { CertificateType: ['X_509'] } });
      const entries: RevokedEntry[] = [];
      for (const uid of certs.uniqueIdentifiers) {
        const obj = await v.getObject(uid);
        if (!linkedIds(obj, 'CertificateLink').includes(c.object.uniqueIdentifier) || uid === c.object.uniqueIdentifier)
          continue;
        const reason = obj.attributes['RevocationReason']?.[0] as { RevocationReasonCode?: AttributeValue } | undefined;
        if (!reason) continue;
        const ident = obj.attributes['X509CertificateIdentifier']?.[0] as
          { CertificateSerialNumber?: AttributeValue } | undefined;
        const serial = ident?.CertificateSerialNumber;
        if (!(serial instanceof Uint8Array)) continue;
        entries.push({
          serialNumber: Buffer.from(serial).toString('hex'),
          revocationDate:
            dateAttr(obj, 'CompromiseOccurrenceDate') ??
            dateAttr(obj, 'CompromiseDate') ??
            dateAttr(obj, 'DeactivationDate') ??
            new Date(),
          reason: CRL_REASON[String(reason.RevocationReasonCode)],
        });
      }
      await v.recordUse(c.object.uniqueIdentifier, cliIdentity(), 'CRL', 'Success', `${entries.length} revoked`);
      const crl = await createCrl({ certificate: c.der, privateKey: c.privateKey }, entries, {
        nextUpdateDays: Number(o.days),
      });
      // Kept in the vault too (an Opaque Object linked to the CA certificate; see crlObject).
      const caName = (c.object.attributes['Name']?.[0] as { NameValue?: unknown } | undefined)?.NameValue;
      const uid = await v.insert(
        crlObject(crl, {
          caCertificateId: c.object.uniqueIdentifier,
          caName: typeof caName === 'string' ? caName : undefined,
        }),
        cliIdentity(),
        'Register',
      );
      return { der: crl, uid };
    });
    writeOutput(o.out, wantsDer(o.out) ? stored.der : pemEncode('X509 CRL', stored.der));
    process.stdout.write(`${stored.uid}\n`);
  });
}
