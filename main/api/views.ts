/**
 * Engine objects as the API shows them: summaries and details in plain JSON. Key material never
 * leaves through these views.
 */
import type { AttributeView, AuditEntry, LifecycleEvent, LinkView, ObjectSummary } from '../../shared/api/index.js';
import type { AttributeValue, ManagedObject } from '../vault/model.js';
import type { AuditEntry as VaultAuditEntry } from '../vault/index.js';

function first(o: ManagedObject, name: string): AttributeValue | undefined {
  return o.attributes[name]?.[0];
}

function text(v: AttributeValue | undefined): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function iso(v: AttributeValue | undefined): string | undefined {
  return v instanceof Date ? v.toISOString() : undefined;
}

/** The Recommended Curve, from Cryptographic Domain Parameters or a transparent key's fields. */
function curveOf(o: ManagedObject): string | undefined {
  const dp = first(o, 'CryptographicDomainParameters');
  if (dp && typeof dp === 'object' && !(dp instanceof Date) && !(dp instanceof Uint8Array) && !Array.isArray(dp)) {
    const c = (dp as { [k: string]: AttributeValue })['RecommendedCurve'];
    if (typeof c === 'string') return c.replace('_', '-');
  }
  return undefined;
}

export function summarize(o: ManagedObject): ObjectSummary {
  const nameAttr = first(o, 'Name');
  let name: string | undefined;
  if (
    nameAttr &&
    typeof nameAttr === 'object' &&
    !(nameAttr instanceof Date) &&
    !(nameAttr instanceof Uint8Array) &&
    !Array.isArray(nameAttr)
  ) {
    name = text((nameAttr as { [k: string]: AttributeValue })['NameValue']);
  } else name = text(nameAttr);
  const length = first(o, 'CryptographicLength');
  const s: ObjectSummary = {
    uniqueIdentifier: o.uniqueIdentifier,
    objectType: o.objectType,
    state: text(first(o, 'State')) ?? 'PreActive',
  };
  if (name !== undefined) s.name = name;
  const alg = text(first(o, 'CryptographicAlgorithm'));
  if (alg !== undefined) s.cryptographicAlgorithm = alg;
  if (typeof length === 'number') s.cryptographicLength = length;
  const curve = curveOf(o);
  if (curve !== undefined) s.curve = curve;
  const initial = iso(first(o, 'InitialDate'));
  if (initial !== undefined) s.initialDate = initial;
  const activation = iso(first(o, 'ActivationDate'));
  if (activation !== undefined) s.activationDate = activation;
  s.owner = o.owner;
  return s;
}

/** A value as a person reads it: enumerations by name, dates ISO, bytes hex, structures as fields. */
export function formatValue(v: AttributeValue, name = ''): string {
  if (v instanceof Date) return v.toISOString();
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
  if (typeof v === 'bigint') return v.toString();
  if (Array.isArray(v)) return v.map((x) => formatValue(x)).join(', ');
  if (typeof v === 'object') {
    return Object.entries(v)
      .map(([k, x]) => `${k}: ${formatValue(x)}`)
      .join('; ');
  }
  if (name === 'CryptographicUsageMask' && typeof v === 'number') return usageMaskText(v);
  return String(v);
}

const usageBits: [string, number][] = [
  ['Sign', 0x1],
  ['Verify', 0x2],
  ['Encrypt', 0x4],
  ['Decrypt', 0x8],
  ['WrapKey', 0x10],
  ['UnwrapKey', 0x20],
  ['Export', 0x40],
  ['MACGenerate', 0x80],
  ['MACVerify', 0x100],
  ['DeriveKey', 0x200],
  ['ContentCommitment', 0x400],
  ['KeyAgreement', 0x800],
  ['CertificateSign', 0x1000],
  ['CRLSign', 0x2000],
];

export function usageMaskBits(names: readonly string[]): number {
  return usageBits.filter(([n]) => names.includes(n)).reduce((m, [, b]) => m | b, 0);
}

export function usageMaskText(mask: number): string {
  const names = usageBits.filter(([, b]) => (mask & b) !== 0).map(([n]) => n);
  return names.length ? `${names.join(', ')} (0x${mask.toString(16)})` : `0x${mask.toString(16)}`;
}

export function attributeViews(o: ManagedObject): AttributeView[] {
  const out: AttributeView[] = [{ name: 'ObjectType', index: 0, value: o.objectType }];
  for (const name of Object.keys(o.attributes).sort()) {
    o.attributes[name]!.forEach((v, index) => out.push({ name, index, value: formatValue(v, name) }));
  }
  if (o.keyBlock) out.push({ name: 'KeyFormatType', index: 0, value: o.keyBlock.keyFormatType });
  out.push({ name: 'Owner', index: 0, value: o.owner });
  return out;
}

export function linkViews(o: ManagedObject): LinkView[] {
  return (o.attributes['Link'] ?? []).flatMap((l) => {
    if (!l || typeof l !== 'object' || l instanceof Date || l instanceof Uint8Array || Array.isArray(l)) return [];
    const f = l as { [k: string]: AttributeValue };
    return [
      { linkType: String(f['LinkType'] ?? ''), linkedObjectIdentifier: String(f['LinkedObjectIdentifier'] ?? '') },
    ];
  });
}

const lifecycleDates = [
  'InitialDate',
  'ActivationDate',
  'ProcessStartDate',
  'ProtectStopDate',
  'DeactivationDate',
  'CompromiseOccurrenceDate',
  'CompromiseDate',
  'DestroyDate',
];

export function lifecycleEvents(o: ManagedObject): LifecycleEvent[] {
  return lifecycleDates
    .flatMap((event) => {
      const d = first(o, event);
      return d instanceof Date ? [{ event, date: d.toISOString() }] : [];
    })
    .sort((a, b) => a.date.localeCompare(b.date));
}

export function auditView(e: VaultAuditEntry): AuditEntry {
  const a: AuditEntry = {
    sequence: e.seq,
    timestamp: e.time.toISOString(),
    actor: e.identity,
    operation: e.operation,
    outcome: e.result,
    hash: e.hash,
  };
  if (e.object !== null) a.uniqueIdentifier = e.object;
  return a;
}

/** Wipes an object's secret bytes once a view of it has been taken. */
export function wipe(o: ManagedObject): void {
  const m = o.keyBlock?.keyMaterial;
  if (m instanceof Uint8Array) m.fill(0);
  else if (m) for (const v of Object.values(m)) if (v instanceof Uint8Array) v.fill(0);
}
