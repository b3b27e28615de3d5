import { createHash, createPublicKey } from 'node:crypto';
import { formatError } from '../errors.js';
import { describeKey } from '../key-material.js';
import { x509 } from './provider.js';

export interface Inspection {
  kind: 'certificate' | 'csr' | 'crl';
  fields: [string, string][];
  extensions: [string, string][];
}

const fingerprint = (der: ArrayBuffer, alg: 'sha1' | 'sha256'): string =>
  createHash(alg)
    .update(Buffer.from(der))
    .digest('hex')
    .toUpperCase()
    .replace(/(..)(?=.)/g, '$1:');

function keyText(spki: ArrayBuffer): string {
  try {
    const d = describeKey(createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' }));
    return `${d.cryptographicAlgorithm} ${d.cryptographicLength} bits${d.recommendedCurve ? ` (${d.recommendedCurve})` : ''}`;
  } catch {
    return 'unknown key type';
  }
}

const KU_NAMES = Object.entries(x509.KeyUsageFlags).filter(([k]) => isNaN(Number(k))) as [string, number][];
const EKU_NAMES = new Map(Object.entries(x509.ExtendedKeyUsage).map(([k, v]) => [v as string, k]));

function extensionText(e: x509.Extension): [string, string] {
  const crit = e.critical ? ' (critical)' : '';
  if (e instanceof x509.BasicConstraintsExtension) {
    return [
      `Basic Constraints${crit}`,
      `CA:${e.ca ? 'TRUE' : 'FALSE'}${e.pathLength !== undefined ? `, pathlen:${e.pathLength}` : ''}`,
    ];
  }
  if (e instanceof x509.KeyUsagesExtension) {
    return [
      `Key Usage${crit}`,
      KU_NAMES.filter(([, f]) => (e.usages & f) !== 0)
        .map(([n]) => n)
        .join(', '),
    ];
  }
  if (e instanceof x509.ExtendedKeyUsageExtension) {
    return [`Extended Key Usage${crit}`, e.usages.map((u) => EKU_NAMES.get(String(u)) ?? String(u)).join(', ')];
  }
  if (e instanceof x509.SubjectAlternativeNameExtension) {
    return [
      `Subject Alternative Name${crit}`,
      e.names
        .toJSON()
        .map((n) => `${n.type}:${n.value}`)
        .join(', '),
    ];
  }
  if (e instanceof x509.SubjectKeyIdentifierExtension) return [`Subject Key Identifier${crit}`, e.keyId];
  if (e instanceof x509.AuthorityKeyIdentifierExtension)
    return [`Authority Key Identifier${crit}`, e.keyId ?? '(issuer and serial)'];
  if (e instanceof x509.CRLDistributionPointsExtension) {
    const urls = e.distributionPoints.flatMap((d) =>
      (d.distributionPoint?.fullName ?? []).map((n) => n.uniformResourceIdentifier ?? '').filter(Boolean),
    );
    return [`CRL Distribution Points${crit}`, urls.join(', ')];
  }
  return [`${e.type}${crit}`, Buffer.from(e.value).toString('hex')];
}

export function inspectCertificate(c: x509.X509Certificate): Inspection {
  return {
    kind: 'certificate',
    fields: [
      ['Subject', c.subject],
      ['Issuer', c.issuer],
      ['Serial Number', c.serialNumber],
      ['Not Before', c.notBefore.toISOString()],
      ['Not After', c.notAfter.toISOString()],
      ['Public Key', keyText(c.publicKey.rawData)],
      ['Signature Algorithm', algorithmText(c.signatureAlgorithm)],
      ['Self-signed', c.subject === c.issuer ? 'yes' : 'no'],
      ['SHA-1 Fingerprint', fingerprint(c.rawData, 'sha1')],
      ['SHA-256 Fingerprint', fingerprint(c.rawData, 'sha256')],
    ],
    extensions: c.extensions.map(extensionText),
  };
}

export function inspectCsr(r: x509.Pkcs10CertificateRequest, signatureValid: boolean): Inspection {
  const challenge = r.getAttribute('1.2.840.113549.1.9.7');
  return {
    kind: 'csr',
    fields: [
      ['Subject', r.subject],
      ['Public Key', keyText(r.publicKey.rawData)],
      ['Signature Algorithm', algorithmText(r.signatureAlgorithm)],
      ['Signature', signatureValid ? 'valid' : 'INVALID'],
      ['Challenge Password', challenge ? 'present' : 'none'],
      ['SHA-256 Fingerprint', fingerprint(r.rawData, 'sha256')],
    ],
    extensions: r.extensions.map(extensionText),
  };
}

export function inspectCrl(c: x509.X509Crl): Inspection {
  return {
    kind: 'crl',
    fields: [
      ['Issuer', c.issuer],
      ['This Update', c.thisUpdate.toISOString()],
      ['Next Update', c.nextUpdate?.toISOString() ?? 'none'],
      ['Signature Algorithm', algorithmText(c.signatureAlgorithm)],
      ['Revoked', String(c.entries.length)],
      ...c.entries.map((e): [string, string] => [
        `  ${e.serialNumber}`,
        `${e.revocationDate.toISOString()}${e.reason !== undefined ? ` ${x509.X509CrlReason[e.reason]}` : ''}`,
      ]),
      ['SHA-256 Fingerprint', fingerprint(c.rawData, 'sha256')],
    ],
    extensions: c.extensions.map(extensionText),
  };
}

function algorithmText(a: { name?: string; hash?: unknown }): string {
  const hash =
    a.hash && typeof a.hash === 'object' && 'name' in a.hash
      ? ` with ${String((a.hash as { name: string }).name)}`
      : '';
  return `${a.name ?? 'unknown'}${hash}`;
}

/** Splits PEM text into blocks (label, DER). */
export function pemBlocks(text: string): { label: string; der: Buffer }[] {
  const out: { label: string; der: Buffer }[] = [];
  const re = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    out.push({ label: m[1]!, der: Buffer.from(m[2]!.replace(/[^A-Za-z0-9+/=]/g, ''), 'base64') });
  }
  return out;
}

/**
 * Inspects a file's bytes: a certificate (or a PEM chain of them), a CSR, or a CRL, in PEM or
 * DER. Certificates in a chain are checked against each other (issuer name and signature).
 */
export async function inspect(data: Uint8Array): Promise<Inspection[]> {
  const text = Buffer.from(data).toString('latin1');
  const items: { label: string; der: Buffer }[] = text.includes('-----BEGIN')
    ? pemBlocks(text)
    : [{ label: '', der: Buffer.from(data) }];
  if (items.length === 0) throw formatError('no PEM block found');
  const out: Inspection[] = [];
  const certs: x509.X509Certificate[] = [];
  for (const { label, der } of items) {
    const ab = der.buffer.slice(der.byteOffset, der.byteOffset + der.byteLength) as ArrayBuffer;
    const tries: (() => Promise<Inspection>)[] = [];
    if (label === '' || label === 'CERTIFICATE' || label === 'TRUSTED CERTIFICATE') {
      tries.push(async () => {
        const c = new x509.X509Certificate(ab);
        certs.push(c);
        return inspectCertificate(c);
      });
    }
    if (label === '' || label.endsWith('CERTIFICATE REQUEST')) {
      tries.push(async () => {
        const r = new x509.Pkcs10CertificateRequest(ab);
        return inspectCsr(r, await r.verify().catch(() => false));
      });
    }
    if (label === '' || label === 'X509 CRL') tries.push(async () => inspectCrl(new x509.X509Crl(ab)));
    if (tries.length === 0) continue; // keys and other blocks in the same file are not shown here
    let done: Inspection | undefined;
    for (const t of tries) {
      try {
        done = await t();
        break;
      } catch {
        // try the next kind
      }
    }
    if (!done) throw formatError(`not a certificate, CSR or CRL${label ? ` (PEM ${label})` : ''}, or truncated`);
    out.push(done);
  }
  if (out.length === 0) throw formatError('the file holds no certificate, CSR or CRL');
  // Chain: each certificate should be issued by the next one.
  for (let i = 0; i + 1 < certs.length; i++) {
    const child = certs[i]!;
    const parent = certs[i + 1]!;
    const ok =
      child.issuer === parent.subject &&
      (await child.verify({ publicKey: parent.publicKey, signatureOnly: true }).catch(() => false));
    out[i]!.fields.push([
      'Chain',
      ok ? `issued by certificate ${i + 2} (signature valid)` : `NOT issued by certificate ${i + 2}`,
    ]);
  }
  return out;
}

/** Renders inspections as text, one block per item. */
export function renderInspection(items: Inspection[]): string {
  return items
    .map((it, i) => {
      const head = `${items.length > 1 ? `[${i + 1}] ` : ''}${it.kind === 'certificate' ? 'Certificate' : it.kind === 'csr' ? 'Certificate Request' : 'CRL'}`;
      const width = Math.max(...it.fields.map(([k]) => k.length), ...it.extensions.map(([k]) => k.length)) + 2;
      const lines = it.fields.map(([k, v]) => `  ${`${k}:`.padEnd(width)}${v}`);
      if (it.extensions.length > 0) lines.push('  Extensions:', ...it.extensions.map(([k, v]) => `    ${k}: ${v}`));
      return [head, ...lines].join('\n');
    })
    .join('\n\n');
}
