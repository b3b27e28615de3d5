import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { KeyholdError } from '../../../shared/errors.js';
import { KmipConnection } from '../../client/connection.js';
import { KmipHttpsTransport, type HttpsEncoding } from '../../client/https-transport.js';
import { formatResults, runTestCase, type FileResult } from '../../conformance/index.js';

interface ConformanceOptions {
  server: string;
  cert: string;
  key: string;
  ca: string;
  servername?: string;
  https?: boolean;
  encoding: string;
}

function hostPort(s: string): { host: string; port: number } {
  const i = s.lastIndexOf(':');
  const port = Number(s.slice(i + 1));
  if (i <= 0 || !Number.isInteger(port))
    throw new KeyholdError('invalid-argument', `--server must be HOST:PORT, not ${s}`);
  return { host: s.slice(0, i).replace(/^\[|\]$/g, ''), port };
}

function read(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    throw new KeyholdError('io', `cannot read the ${what} ${file}`);
  }
}

/** `keyhold conformance`: runs OASIS KMIP XML test cases against any KMIP server. */
export function registerConformance(program: Command): void {
  program
    .command('conformance')
    .description('Run OASIS KMIP XML test cases against a KMIP server; exit 0 only when all pass')
    .requiredOption('--server <host:port>', 'the KMIP server')
    .requiredOption('--cert <file>', 'client certificate (PEM)')
    .requiredOption('--key <file>', 'client private key (PEM)')
    .requiredOption('--ca <file>', 'CA certificate(s) the server certificate chains to (PEM)')
    .option('--servername <name>', 'name to check in the server certificate (default: the host)')
    .option('--https', 'send over the HTTPS binding (POST /kmip) instead of TTLV over TLS')
    .option('--encoding <ttlv|xml|json>', 'message body encoding over HTTPS', 'ttlv')
    .argument('<files...>', 'test-case XML files')
    .action(async (files: string[], o: ConformanceOptions) => {
      const { host, port } = hostPort(o.server);
      const encoding = o.encoding as HttpsEncoding;
      if (!['ttlv', 'xml', 'json'].includes(encoding))
        throw new KeyholdError('invalid-argument', `--encoding must be ttlv, xml or json, not ${o.encoding}`);
      if (encoding !== 'ttlv' && !o.https) throw new KeyholdError('invalid-argument', '--encoding needs --https');
      const tlsFiles = { cert: read(o.cert, 'certificate'), key: read(o.key, 'key'), ca: read(o.ca, 'CA file') };
      const results: FileResult[] = [];
      for (const file of files) {
        const r = await runTestCase(file, async () => {
          if (o.https) {
            const t = KmipHttpsTransport.open({ host, port, ...tlsFiles, servername: o.servername, encoding });
            return { send: (b) => t.request(b), close: () => t.close() };
          }
          const conn = await KmipConnection.open({
            host,
            port,
            ...tlsFiles,
            servername: o.servername,
            timeoutMs: 30_000,
          });
          return { send: (b) => conn.request(b), close: () => conn.close() };
        });
        results.push(r);
        process.stdout.write(formatResults([r]).split('\n')[0] + '\n');
      }
      const passed = results.filter((r) => r.passed).length;
      process.stdout.write(`${passed} passed, ${results.length - passed} failed\n`);
      // The exit status is the contract for scripts: 0 only when every file passed.
      if (passed !== results.length) {
        throw new KeyholdError('kmip', `${results.length - passed} of ${results.length} test cases failed`);
      }
    });
}
