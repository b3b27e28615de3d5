import type { Command } from 'commander';
import { KeyholdError } from '../../../shared/errors.js';
import {
  certificateObject,
  inspect,
  linkedIds,
  parseSubjectAltNames,
  pemEncode,
  renderInspection,
  selfSign,
} from '../../crypto/index.js';
import { cliIdentity, withVault, withVaultOptions, type VaultCliOptions } from '../vault-options.js';
import { privateKeyFor, readInput, wantsDer, writeOutput } from './support.js';

interface SelfSignOptions extends VaultCliOptions {
  key: string;
  subject: string;
  san?: string;
  profile: string;
  days?: string;
  out: string;
  name?: string;
}

const REASONS = [
  'Unspecified',
  'KeyCompromise',
  'CACompromise',
  'AffiliationChanged',
  'Superseded',
  'CessationOfOperation',
  'PrivilegeWithdrawn',
];

/** `keyhold cert self-sign|show|revoke`. */
export function registerCert(program: Command): void {
  const cert = program.command('cert').description('Certificates: self-signed, inspect, revoke');

  withVaultOptions(
    cert
      .command('self-sign')
      .description('Self-sign a certificate for a vault key; writes FILE and prints the certificate ID')
      .requiredOption('--key <id>', 'private key (or its public key) Unique Identifier')
      .requiredOption('--subject <dn>', 'subject, e.g. "CN=host.example,O=Example"')
      .option('--san <list>', 'dns:NAME,ip:ADDR,email:ADDR,uri:URI')
      .option('--profile <profile>', 'tls-server, tls-client, ca, code-signing, smime', 'tls-server')
      .option('--days <n>', "validity in days (default: the profile's)")
      .option('--name <name>', 'KMIP Name of the stored certificate (default: its subject)')
      .requiredOption('--out <file>', 'output (PEM, or DER when FILE ends in .der)'),
  ).action(async (o: SelfSignOptions) => {
    const sans = parseSubjectAltNames(o.san);
    const { der, id } = await withVault(o, async (v) => {
      const { key, object } = await privateKeyFor(v, o.key, 'Certify');
      const issued = await selfSign(key, o.subject, {
        profile: o.profile,
        subjectAltNames: sans,
        validityDays: o.days === undefined ? undefined : Number(o.days),
      });
      const publicKeyId = linkedIds(object, 'PublicKeyLink')[0];
      const obj = certificateObject(issued, { name: o.name, publicKeyId });
      const uid = await v.insert(obj, cliIdentity(), 'Certify');
      const keyIds = [object.uniqueIdentifier, ...(publicKeyId ? [publicKeyId] : [])];
      for (const k of keyIds) {
        await v.addAttribute(k, 'Link', { LinkType: 'CertificateLink', LinkedObjectIdentifier: uid }, cliIdentity());
      }
      return { der: issued, id: uid };
    });
    writeOutput(o.out, wantsDer(o.out) ? der : pemEncode('CERTIFICATE', der));
    process.stdout.write(`${id}\n`);
  });

  cert
    .command('show')
    .argument('<file>', 'certificate, chain, CSR or CRL (PEM or DER)')
    .description('Show the fields, extensions and fingerprints of a certificate, chain, CSR or CRL')
    .option('--json', 'print JSON')
    .action(async (file: string, o: { json?: boolean }) => {
      const items = await inspect(readInput(file, 'certificate'));
      process.stdout.write(o.json ? `${JSON.stringify(items, null, 2)}\n` : `${renderInspection(items)}\n`);
    });

  withVaultOptions(
    cert
      .command('revoke')
      .argument('<id>', 'certificate Unique Identifier')
      .description("Revoke a certificate (it then appears in its CA's CRL)")
      .option('--reason <reason>', REASONS.join(', '), 'Unspecified'),
  ).action(async (id: string, o: VaultCliOptions & { reason: string }) => {
    if (!REASONS.includes(o.reason))
      throw new KeyholdError('invalid-argument', `--reason must be one of ${REASONS.join(', ')}`);
    await withVault(o, async (v) => {
      const obj = await v.getObject(id);
      if (obj.objectType !== 'Certificate')
        throw new KeyholdError('invalid-argument', `object ${id} is a ${obj.objectType}, not a certificate`);
      await v.revoke(
        id,
        {
          reason: { RevocationReasonCode: o.reason },
          compromiseOccurrenceDate: o.reason.endsWith('Compromise') ? new Date() : undefined,
        },
        cliIdentity(),
      );
    });
  });
}
