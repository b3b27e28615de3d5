import type { Command } from 'commander';
import {
  createCsr,
  parseExtendedKeyUsage,
  parseKeyUsage,
  parseSubjectAltNames,
  pemEncode,
} from '../../crypto/index.js';
import { withVault, withVaultOptions, type VaultCliOptions } from '../vault-options.js';
import { passwordFromFile, privateKeyFor, wantsDer, writeOutput } from './support.js';

interface CsrOptions extends VaultCliOptions {
  key: string;
  subject: string;
  san?: string;
  keyUsage?: string;
  eku?: string;
  ca?: boolean;
  challengePasswordFile?: string;
  out: string;
}

/** `keyhold csr create`: a PKCS#10 request signed by a vault private key. */
export function registerCsr(program: Command): void {
  const csr = program.command('csr').description('Certificate signing requests (PKCS#10)');
  withVaultOptions(
    csr
      .command('create')
      .description('Create a CSR for a key in the vault (PEM, or DER when FILE ends in .der)')
      .requiredOption('--key <id>', 'private key (or its public key / certificate) Unique Identifier')
      .requiredOption('--subject <dn>', 'subject, e.g. "CN=host.example,O=Example,C=DE"')
      .option('--san <list>', 'subject alternative names: dns:NAME,ip:ADDR,email:ADDR,uri:URI')
      .option('--key-usage <list>', 'key usage, e.g. digitalSignature,keyEncipherment')
      .option('--eku <list>', 'extended key usage, e.g. serverAuth,clientAuth or OIDs')
      .option('--ca', 'request basic constraints CA:TRUE')
      .option('--challenge-password-file <file>', 'add a challenge password read from a file')
      .requiredOption('--out <file>', 'output file'),
  ).action(async (o: CsrOptions) => {
    const sans = parseSubjectAltNames(o.san);
    const der = await withVault(o, async (v) => {
      const { key } = await privateKeyFor(v, o.key, 'Sign');
      return createCsr({
        privateKey: key,
        subject: o.subject,
        subjectAltNames: sans,
        keyUsage: o.keyUsage ? parseKeyUsage(o.keyUsage) : undefined,
        extendedKeyUsage: o.eku ? parseExtendedKeyUsage(o.eku) : undefined,
        basicConstraints: o.ca ? { ca: true } : undefined,
        challengePassword: passwordFromFile(o.challengePasswordFile),
      });
    });
    writeOutput(o.out, wantsDer(o.out) ? der : pemEncode('CERTIFICATE REQUEST', der));
  });
}
