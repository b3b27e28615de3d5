import { invalidArgument } from '../errors.js';
import { x509 } from './provider.js';

/** Certificate profiles, after XCA's templates (TLS server/client, CA, code signing, S/MIME). */
export type ProfileName = 'tls-server' | 'tls-client' | 'ca' | 'code-signing' | 'smime';

export interface Profile {
  keyUsage: number;
  extendedKeyUsage: string[];
  ca: boolean;
  pathLength?: number;
  validityDays: number;
}

const KU = x509.KeyUsageFlags;
const EKU = x509.ExtendedKeyUsage;

export const PROFILES: Readonly<Record<ProfileName, Profile>> = {
  'tls-server': {
    keyUsage: KU.digitalSignature | KU.keyEncipherment,
    extendedKeyUsage: [EKU.serverAuth],
    ca: false,
    validityDays: 397, // the CA/Browser Forum limit for server certificates
  },
  'tls-client': {
    keyUsage: KU.digitalSignature | KU.keyEncipherment,
    extendedKeyUsage: [EKU.clientAuth],
    ca: false,
    validityDays: 730,
  },
  ca: {
    keyUsage: KU.keyCertSign | KU.cRLSign | KU.digitalSignature,
    extendedKeyUsage: [],
    ca: true,
    validityDays: 3650,
  },
  'code-signing': {
    keyUsage: KU.digitalSignature,
    extendedKeyUsage: [EKU.codeSigning],
    ca: false,
    validityDays: 730,
  },
  smime: {
    keyUsage: KU.digitalSignature | KU.keyEncipherment | KU.nonRepudiation,
    extendedKeyUsage: [EKU.emailProtection],
    ca: false,
    validityDays: 730,
  },
};

export function profile(name: string): Profile {
  const p = PROFILES[name as ProfileName];
  if (!p) throw invalidArgument(`profile ${name} is not one of ${Object.keys(PROFILES).join(', ')}`);
  return p;
}

/** Key usage names as openssl prints them, for CLI options ("digitalSignature,keyEncipherment"). */
export function parseKeyUsage(list: string): number {
  let flags = 0;
  for (const n of list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const f = (KU as unknown as Record<string, number>)[n];
    if (typeof f !== 'number')
      throw invalidArgument(
        `key usage ${n} is not one of ${Object.keys(KU)
          .filter((k) => isNaN(Number(k)))
          .join(', ')}`,
      );
    flags |= f;
  }
  return flags;
}

/** Extended key usage names (serverAuth...) or dotted OIDs. */
export function parseExtendedKeyUsage(list: string): string[] {
  return list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((n) => {
      const oid = (EKU as unknown as Record<string, string>)[n];
      if (oid) return oid;
      if (/^\d+(\.\d+)+$/.test(n)) return n;
      throw invalidArgument(`extended key usage ${n} is not a known name or an OID`);
    });
}
