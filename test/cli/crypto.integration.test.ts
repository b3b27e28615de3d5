// The key/csr/ca/cert/import/export CLI end to end, against a real vault on disk, with
// openssl and ssh-keygen checking what comes out.
import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  readdirSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO = path.resolve(import.meta.dirname, '../..');
const BIN = path.join(REPO, 'bin/keyhold.js');
const PW = 'crypto cli passphrase';
let dir: string;

/** Builds dist/ when it is missing or older than the sources these commands live in. */
function ensureFreshBuild(): void {
  const out = path.join(REPO, 'dist/main/cli/commands/export.js');
  const newest = Math.max(
    ...['main/cli/commands', 'main/crypto', 'main/crypto/x509', 'main/crypto/formats'].flatMap((d) =>
      readdirSync(path.join(REPO, d))
        .filter((f) => f.endsWith('.ts'))
        .map((f) => statSync(path.join(REPO, d, f)).mtimeMs),
    ),
  );
  if (existsSync(out) && statSync(out).mtimeMs >= newest) return;
  try {
    execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: REPO, stdio: 'ignore' });
  } catch {
    // tsc emits despite type errors elsewhere in the tree.
  }
}

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function keyhold(...args: string[]): Run {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: dir,
    env: { PATH: process.env['PATH'], HOME: dir, KEYHOLD_PASSPHRASE: PW } as NodeJS.ProcessEnv,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function ok(...args: string[]): string[] {
  const r = keyhold(...args, '--vault', path.join(dir, 'vault'));
  expect(r.stderr.includes('internal error') ? r.stderr : r.status, r.stderr).toBe(0);
  return r.stdout.trim().split('\n').filter(Boolean);
}

function fails(pattern: RegExp, ...args: string[]): void {
  const r = keyhold(...args, '--vault', path.join(dir, 'vault'));
  expect(r.status).not.toBe(0);
  const lines = r.stderr
    .trimEnd()
    .split('\n')
    .filter((l) => !l.startsWith('keyhold: generating'));
  expect(lines).toHaveLength(1);
  expect(r.stderr).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

const openssl = (...args: string[]): string =>
  execFileSync('openssl', args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const opensslAll = (...args: string[]): Run => {
  const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};
const UID = /^[0-9a-f-]{36}$/;

beforeAll(() => {
  ensureFreshBuild();
  dir = mkdtempSync(path.join(os.tmpdir(), 'keyhold-cli-crypto-'));
  const r = keyhold('vault', 'init', '--vault', path.join(dir, 'vault'), '--kdf-memory', '64', '--kdf-iterations', '1');
  expect(r.status, r.stderr).toBe(0);
  writeFileSync(path.join(dir, 'pw.txt'), 'p12 password\n');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('keyhold key create', () => {
  it('prints one ID for a symmetric key and two (private, public) for a key pair; progress goes to stderr', () => {
    expect(ok('key', 'create', '--alg', 'AES', '--length', '256', '--name', 'aes')).toHaveLength(1);
    expect(ok('key', 'create', '--alg', 'HMAC-SHA256')).toHaveLength(1);
    for (const args of [
      ['--alg', 'RSA', '--length', '2048'],
      ['--alg', 'EC', '--curve', 'P-384'],
      ['--alg', 'Ed25519'],
      ['--alg', 'X25519'],
    ]) {
      const ids = ok('key', 'create', ...args);
      expect(ids).toHaveLength(2);
      expect(ids.every((i) => UID.test(i))).toBe(true);
    }
    const r = keyhold('key', 'create', '--alg', 'EC', '--vault', path.join(dir, 'vault'));
    expect(r.stderr).toMatch(/generating EC P-256 key pair/);
    fails(/--alg DSA is not one of/, 'key', 'create', '--alg', 'DSA');
    fails(/AES length must be 128, 192 or 256/, 'key', 'create', '--alg', 'AES', '--length', '64');
  });
});

describe('keyhold csr / ca / cert', () => {
  it('csr create, ca init (root + intermediate), ca sign, cert revoke, ca crl: openssl agrees at each step', () => {
    const [key] = ok('key', 'create', '--alg', 'RSA', '--length', '2048', '--name', 'web');
    ok(
      'csr',
      'create',
      '--key',
      key!,
      '--subject',
      'CN=web.example.test,O=Example',
      '--san',
      'dns:web.example.test,ip:192.0.2.10',
      '--out',
      'web.csr',
    );
    expect(openssl('req', '-in', 'web.csr', '-noout', '-verify', '-text')).toContain('DNS:web.example.test');
    const [root] = ok('ca', 'init', '--name', 'Root CA');
    const [inter] = ok('ca', 'init', '--name', 'Issuing CA', '--parent', root!, '--alg', 'EC', '--curve', 'P-256');
    const [leaf] = ok(
      'ca',
      'sign',
      '--ca',
      inter!,
      '--csr',
      'web.csr',
      '--profile',
      'tls-server',
      '--out',
      'web.pem',
      '--crl-url',
      'http://crl.example.test/i.crl',
    );
    expect(leaf).toMatch(UID);
    ok('export', root!, '--format', 'pem', '--out', 'root.pem');
    ok('export', inter!, '--format', 'pem', '--out', 'inter.pem');
    expect(
      openssl('verify', '-CAfile', 'root.pem', '-untrusted', 'inter.pem', '-purpose', 'sslserver', 'web.pem'),
    ).toContain('web.pem: OK');
    // The issued certificate is linked to the vault key it certifies: a PKCS#12 of the key carries the chain.
    ok('export', key!, '--format', 'pkcs12', '--out', 'web.p12', '--password-file', 'pw.txt');
    const p12 = opensslAll('pkcs12', '-in', 'web.p12', '-passin', 'pass:p12 password', '-nodes');
    expect(p12.stdout.match(/BEGIN CERTIFICATE/g)).toHaveLength(3);
    ok('cert', 'revoke', leaf!, '--reason', 'KeyCompromise');
    const [crlId] = ok('ca', 'crl', '--ca', inter!, '--out', 'inter.crl');
    // The CRL is kept in the vault: an Opaque Object, the same DER, linked to the CA certificate.
    const crlShown = ok('object', 'show', crlId!).join('\n');
    expect(crlShown).toMatch(/OpaqueObject/);
    expect(crlShown).toMatch(/X\.509 CRL/);
    expect(crlShown).toContain(inter!);
    ok('export', crlId!, '--format', 'der', '--out', 'stored.crl.der');
    expect(openssl('crl', '-inform', 'DER', '-in', 'stored.crl.der', '-noout', '-text')).toMatch(
      /Revoked Certificates/,
    );
    writeFileSync(
      path.join(dir, 'chain.pem'),
      readFileSync(path.join(dir, 'inter.pem')).toString() + readFileSync(path.join(dir, 'root.pem')).toString(),
    );
    const v = opensslAll('verify', '-crl_check', '-CAfile', 'chain.pem', '-CRLfile', 'inter.crl', 'web.pem');
    expect(v.status).not.toBe(0);
    expect(v.stdout + v.stderr).toMatch(/certificate revoked/);
    // cert show needs no vault.
    const shown = keyhold('cert', 'show', 'web.pem');
    expect(shown.status).toBe(0);
    expect(shown.stdout).toMatch(/Subject:\s+CN=web.example.test, O=Example/);
    expect(shown.stdout).toMatch(/SHA-256 Fingerprint:\s+([0-9A-F]{2}:){31}[0-9A-F]{2}/);
    expect(keyhold('cert', 'show', 'inter.crl').stdout).toMatch(/Revoked:\s+1/);
    fails(/not a CA/, 'ca', 'sign', '--ca', leaf!, '--csr', 'web.csr', '--profile', 'tls-server', '--out', 'x.pem');
    fails(
      /profile nope is not one of/,
      'ca',
      'sign',
      '--ca',
      inter!,
      '--csr',
      'web.csr',
      '--profile',
      'nope',
      '--out',
      'x.pem',
    );
  });

  it('cert self-sign for an Ed25519 key; openssl checks the self-signature', () => {
    const [key] = ok('key', 'create', '--alg', 'Ed25519');
    const [cert] = ok(
      'cert',
      'self-sign',
      '--key',
      key!,
      '--subject',
      'CN=self.test',
      '--san',
      'dns:self.test',
      '--out',
      'self.pem',
    );
    expect(cert).toMatch(UID);
    expect(openssl('verify', '-CAfile', 'self.pem', 'self.pem')).toContain('self.pem: OK');
    fails(
      /not a valid|not a distinguished name/,
      'cert',
      'self-sign',
      '--key',
      key!,
      '--subject',
      'garbage',
      '--out',
      'x.pem',
    );
  });
});

describe('keyhold export / import', () => {
  it('exports every format a real peer can read', () => {
    const [key] = ok('key', 'create', '--alg', 'EC', '--curve', 'P-256', '--name', 'exp');
    ok('cert', 'self-sign', '--key', key!, '--subject', 'CN=exp.test', '--out', 'exp.crt');
    ok('export', key!, '--format', 'pem', '--out', 'k.pem');
    ok('export', key!, '--format', 'der', '--out', 'k.der');
    ok('export', key!, '--format', 'pkcs8', '--out', 'k.enc.pem', '--password-file', 'pw.txt');
    ok('export', key!, '--format', 'pkcs12', '--out', 'k.p12', '--password-file', 'pw.txt');
    ok('export', key!, '--format', 'jwk', '--out', 'k.jwk');
    ok('export', key!, '--format', 'openssh', '--out', 'k.ssh');
    const want = openssl('pkey', '-in', 'k.pem', '-pubout');
    expect(statSync(path.join(dir, 'k.pem')).mode & 0o077).toBe(0);
    expect(openssl('pkey', '-in', 'k.der', '-inform', 'DER', '-pubout')).toBe(want);
    expect(openssl('pkey', '-in', 'k.enc.pem', '-passin', 'pass:p12 password', '-pubout')).toBe(want);
    const p12 = opensslAll('pkcs12', '-in', 'k.p12', '-passin', 'pass:p12 password', '-nodes', '-info');
    expect(p12.stdout).toContain('BEGIN PRIVATE KEY');
    expect(p12.stdout).toContain('subject=CN = exp.test');
    const jwk = JSON.parse(readFileSync(path.join(dir, 'k.jwk'), 'utf8')) as {
      kty: string;
      d?: string;
      x5c?: string[];
    };
    expect(jwk.kty).toBe('EC');
    expect(jwk.d).toBeTruthy();
    expect(jwk.x5c).toHaveLength(1);
    chmodSync(path.join(dir, 'k.ssh'), 0o600);
    expect(execFileSync('ssh-keygen', ['-y', '-f', path.join(dir, 'k.ssh')], { encoding: 'utf8' })).toMatch(
      /^ecdsa-sha2-nistp256 /,
    );
    fails(/cannot be exported as pkcs7/, 'export', key!, '--format', 'pkcs7', '--out', 'x');
    fails(/--format must be one of/, 'export', key!, '--format', 'xml', '--out', 'x');
    fails(/needs --password-file/, 'export', key!, '--format', 'pkcs12', '--out', 'x');
  });

  it('imports what openssl and ssh-keygen write, printing the new IDs; bad input is one clear line', () => {
    openssl(
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'o.key',
      '-subj',
      '/CN=openssl.test',
      '-days',
      '30',
      '-out',
      'o.crt',
    );
    openssl('pkcs12', '-export', '-inkey', 'o.key', '-in', 'o.crt', '-passout', 'pass:p12 password', '-out', 'o.p12');
    const ids = ok('import', 'o.p12', '--password-file', 'pw.txt', '--name', 'from-openssl');
    expect(ids).toHaveLength(3); // private key, public key, certificate
    // The imported key round-trips: export it again and openssl sees the same public key.
    ok('export', ids[0]!, '--format', 'pem', '--out', 'back.pem');
    expect(openssl('pkey', '-in', 'back.pem', '-pubout')).toBe(openssl('pkey', '-in', 'o.key', '-pubout'));
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(dir, 'id_ed')]);
    expect(ok('import', 'id_ed')).toHaveLength(2);
    expect(ok('import', 'id_ed.pub')).toHaveLength(1);
    writeFileSync(path.join(dir, 'bad.txt'), 'wrong\n');
    fails(/wrong password/, 'import', 'o.p12', '--password-file', 'bad.txt');
    fails(/password is needed/, 'import', 'o.p12');
    writeFileSync(path.join(dir, 'cut.pem'), readFileSync(path.join(dir, 'o.key')).subarray(0, 200));
    fails(/truncated/, 'import', 'cut.pem');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'secret phrase', '-f', path.join(dir, 'id_enc')]);
    fails(/OpenSSH private key is passphrase-protected/, 'import', 'id_enc');
    writeFileSync(path.join(dir, 'ssh-pass.txt'), 'secret phrase\n');
    writeFileSync(path.join(dir, 'ssh-wrong.txt'), 'not the phrase\n');
    fails(/wrong passphrase for the OpenSSH private key/, 'import', 'id_enc', '--password-file', 'ssh-wrong.txt');
    const [sshId] = ok('import', 'id_enc', '--password-file', 'ssh-pass.txt');
    // And back out with a passphrase: ssh-keygen reads it with that passphrase only.
    ok('export', sshId!, '--format', 'openssh', '--out', 'back_enc', '--password-file', 'ssh-pass.txt');
    chmodSync(path.join(dir, 'back_enc'), 0o600);
    const pubLine = (f: string): string =>
      execFileSync('ssh-keygen', ['-y', '-P', 'secret phrase', '-f', path.join(dir, f)], { encoding: 'utf8' })
        .trim()
        .split(' ')
        .slice(0, 2)
        .join(' ');
    expect(pubLine('back_enc')).toBe(pubLine('id_enc'));
  });
});
