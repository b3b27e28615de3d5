import { invalidArgument } from '../errors.js';
import { x509 } from './provider.js';

/** Parses a subject DN as written on the command line ("CN=host,O=Org,C=DE"; RFC 4514). */
export function parseDistinguishedName(subject: string): x509.Name {
  const s = subject.trim();
  if (!/^[A-Za-z0-9.]+=/.test(s))
    throw invalidArgument(`subject "${subject}" is not a distinguished name like CN=name,O=org`);
  try {
    const name = new x509.Name(s);
    if (name.toJSON().length === 0) throw new Error('empty');
    return name;
  } catch (e) {
    throw invalidArgument(
      `subject "${subject}" is not a valid distinguished name (${e instanceof Error ? e.message : 'parse error'})`,
    );
  }
}

/** IPv4 dotted quad or IPv6 (checked by the WHATWG URL parser; node:net belongs to the server layer). */
function isIP(v: string): boolean {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(v)) return v.split('.').every((o) => Number(o) <= 255);
  if (!v.includes(':')) return false;
  try {
    new URL(`http://[${v}]/`);
    return true;
  } catch {
    return false;
  }
}

export type SubjectAltName = { type: 'dns' | 'ip' | 'email' | 'url'; value: string };

/** Parses "dns:a.example,ip:10.0.0.1,email:x@y,uri:https://..." into subject alternative names. */
export function parseSubjectAltNames(list: string | undefined): SubjectAltName[] {
  if (!list) return [];
  return list
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((item) => {
      const i = item.indexOf(':');
      const kind = i < 0 ? '' : item.slice(0, i).toLowerCase();
      const value = item.slice(i + 1);
      switch (kind) {
        case 'dns':
          if (!/^[A-Za-z0-9*]([A-Za-z0-9-.]*[A-Za-z0-9])?$/.test(value))
            throw invalidArgument(`SAN dns:${value} is not a host name`);
          return { type: 'dns', value };
        case 'ip':
          if (!isIP(value)) throw invalidArgument(`SAN ip:${value} is not an IP address`);
          return { type: 'ip', value };
        case 'email':
          if (!/^[^@\s]+@[^@\s]+$/.test(value)) throw invalidArgument(`SAN email:${value} is not an address`);
          return { type: 'email', value };
        case 'uri':
        case 'url':
          try {
            new URL(value);
          } catch {
            throw invalidArgument(`SAN uri:${value} is not a URI`);
          }
          return { type: 'url', value };
        default:
          throw invalidArgument(`SAN "${item}" must start with dns:, ip:, email: or uri:`);
      }
    });
}
