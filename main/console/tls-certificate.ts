/**
 * The web console's HTTPS certificate when it binds beyond loopback: a fresh EC P-256 key and a
 * self-signed TLS server certificate for the bound address, made at each start (the key never
 * touches disk). The console prints its SHA-256 fingerprint so the user can check what the
 * browser shows before trusting it.
 */
import { createHash } from 'node:crypto';
import os from 'node:os';
import { generateKeyPair, selfSign } from '../crypto/index.js';

export interface ConsoleCertificate {
  key: string;
  cert: string;
  fingerprint: string;
}

export async function consoleCertificate(host: string): Promise<ConsoleCertificate> {
  const pair = await generateKeyPair({ algorithm: 'EC', curve: 'P-256' });
  const isIp = (h: string) => /^[\d.]+$/.test(h) || h.includes(':');
  const wildcard = host === '0.0.0.0' || host === '::';
  const names = wildcard ? [os.hostname()] : [host];
  const der = await selfSign(pair.privateKey, 'CN=Keyhold console', {
    profile: 'tls-server',
    validityDays: 30,
    subjectAltNames: names.map((n) => ({ type: isIp(n) ? ('ip' as const) : ('dns' as const), value: n })),
  });
  const fingerprint = createHash('sha256')
    .update(der)
    .digest('hex')
    .toUpperCase()
    .replace(/(..)(?=.)/g, '$1:');
  const b64 = der.toString('base64').replace(/.{1,64}/g, '$&\n');
  return {
    key: pair.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    cert: `-----BEGIN CERTIFICATE-----\n${b64}-----END CERTIFICATE-----\n`,
    fingerprint,
  };
}
