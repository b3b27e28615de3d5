import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** PEM files of a throwaway PKI made with the openssl CLI (an independent peer of our own CA code). */
export interface TestPki {
  dir: string;
  caCert: string;
  caKey: string;
  serverCert: string;
  serverKey: string;
  /** Issues a client certificate; `clientAuth` false leaves out the clientAuth EKU. */
  client(name: string, options?: { clientAuth?: boolean }): { cert: string; key: string };
  /** Removes the directory. */
  dispose(): void;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Makes a CA, a server certificate for 127.0.0.1/localhost, and issues client certificates on demand. */
export function makeTestPki(): TestPki {
  const dir = mkdtempSync(path.join(tmpdir(), 'keyhold-pki-'));
  openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'ca.key',
      '-out',
      'ca.crt',
      '-days',
      '2',
      '-subj',
      '/CN=Keyhold Test CA',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ],
    dir,
  );
  issue(dir, 'ca', 'server', 'serverAuth', 'subjectAltName=IP:127.0.0.1,DNS:localhost');
  return {
    dir,
    caCert: path.join(dir, 'ca.crt'),
    caKey: path.join(dir, 'ca.key'),
    serverCert: path.join(dir, 'server.crt'),
    serverKey: path.join(dir, 'server.key'),
    client(name, options = {}) {
      issue(dir, 'ca', name, options.clientAuth === false ? 'serverAuth' : 'clientAuth', undefined);
      return { cert: path.join(dir, `${name}.crt`), key: path.join(dir, `${name}.key`) };
    },
    dispose() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function issue(dir: string, ca: string, name: string, eku: string, san: string | undefined): void {
  const ext = [
    'basicConstraints=CA:FALSE',
    'keyUsage=digitalSignature,keyEncipherment',
    `extendedKeyUsage=${eku}`,
    ...(san ? [san] : []),
  ].join('\n');
  writeFileSync(path.join(dir, `${name}.ext`), `${ext}\n`);
  openssl(
    ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`],
    dir,
  );
  openssl(
    [
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      `${ca}.crt`,
      '-CAkey',
      `${ca}.key`,
      '-CAcreateserial',
      '-out',
      `${name}.crt`,
      '-days',
      '2',
      '-extfile',
      `${name}.ext`,
    ],
    dir,
  );
}

/** Reads a PEM file as a string. */
export function pem(file: string): string {
  return readFileSync(file, 'utf8');
}
