import { formatError } from '../errors.js';

/** PEM armour (RFC 7468): base64 in 64-character lines. */
export function pemEncode(label: string, der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64');
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

export interface PemBlock {
  label: string;
  der: Buffer;
  /** RFC 1421 headers (Proc-Type, DEK-Info) of legacy OpenSSL encrypted keys. */
  headers: Record<string, string>;
  text: string;
}

/** All PEM blocks in a text; a BEGIN without its END is a format error (truncated file). */
export function pemDecode(text: string): PemBlock[] {
  const out: PemBlock[] = [];
  const re = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END ([A-Z0-9 ]+)-----/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m[1] !== m[3]) throw formatError(`PEM block BEGIN ${m[1]} ends with END ${m[3]}`);
    const headers: Record<string, string> = {};
    let body = m[2]!;
    const split = body.split(/\r?\n\r?\n/);
    if (split.length > 1 && /^[A-Za-z-]+:/.test(split[0]!)) {
      for (const line of split[0]!.split(/\r?\n/)) {
        const i = line.indexOf(':');
        if (i > 0) headers[line.slice(0, i).trim()] = line.slice(i + 1).trim();
      }
      body = split.slice(1).join('\n');
    }
    const b64 = body.replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64)) throw formatError(`PEM block ${m[1]} is not valid base64`);
    out.push({ label: m[1]!, der: Buffer.from(b64, 'base64'), headers, text: m[0] });
  }
  const begins = (text.match(/-----BEGIN /g) ?? []).length;
  if (begins > out.length) throw formatError('PEM file is truncated (a BEGIN line has no matching END line)');
  return out;
}

export function isPem(data: Uint8Array): boolean {
  return Buffer.from(data.subarray(0, Math.min(data.length, 4096)))
    .toString('latin1')
    .includes('-----BEGIN ');
}
