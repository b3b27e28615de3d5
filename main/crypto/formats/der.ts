// Small helpers over asn1js for reading and writing the ASN.1 of PKCS#12 and friends.
import * as asn1js from 'asn1js';
import { formatError } from '../errors.js';

export type Node = asn1js.AsnType;

/** Parses one complete DER/BER value; trailing bytes or a truncated value are format errors. */
export function parseDer(data: Uint8Array, what: string): Node {
  const view = new Uint8Array(data);
  const r = asn1js.fromBER(view);
  if (r.offset === -1 || r.result.error) throw formatError(`${what} is truncated or not valid ASN.1`);
  if (r.offset !== view.length) throw formatError(`${what} has trailing bytes after the ASN.1 value`);
  return r.result;
}

function fail(what: string): never {
  throw formatError(`${what}: unexpected ASN.1 structure`);
}

/** The children of a constructed value (SEQUENCE, SET, [n] EXPLICIT). */
export function items(n: Node | undefined, what: string): Node[] {
  const v = (n as asn1js.Constructed | undefined)?.valueBlock as { value?: unknown } | undefined;
  if (!n || !Array.isArray(v?.value)) fail(what);
  return v.value as Node[];
}

export function item(n: Node | undefined, i: number, what: string): Node {
  const c = items(n, what)[i];
  if (!c) fail(what);
  return c;
}

export function oid(n: Node | undefined, what: string): string {
  if (!(n instanceof asn1js.ObjectIdentifier)) fail(what);
  return n.valueBlock.toString();
}

export function integer(n: Node | undefined, what: string): number {
  if (!(n instanceof asn1js.Integer)) fail(what);
  return n.valueBlock.valueDec;
}

/** Bytes of an OCTET STRING or an IMPLICIT [n] OCTET STRING, primitive or BER-constructed. */
export function octets(n: Node | undefined, what: string): Buffer {
  if (!n) fail(what);
  const b = n as asn1js.BaseBlock;
  const vb = b.valueBlock as { value?: Node[]; valueHexView?: Uint8Array };
  // asn1js also parses DER found inside a primitive OCTET STRING into `value`: only a
  // BER-constructed string (the tag's constructed bit) is made of pieces.
  if (b.idBlock.isConstructed) return Buffer.concat((vb.value ?? []).map((c) => octets(c, what)));
  if (vb.valueHexView) return Buffer.from(vb.valueHexView);
  return fail(what);
}

/** Tag number of a context-specific value ([0] -> 0), or -1. */
export function contextTag(n: Node | undefined): number {
  const id = (n as asn1js.BaseBlock | undefined)?.idBlock;
  return id && id.tagClass === 3 ? id.tagNumber : -1;
}

/** The DER of a value as it appeared in the input. */
export function raw(n: Node): Buffer {
  return Buffer.from((n as asn1js.BaseBlock).valueBeforeDecodeView);
}

// ---- writing ----

export const seq = (...value: Node[]): asn1js.Sequence => new asn1js.Sequence({ value });
export const set = (...value: Node[]): asn1js.Set => new asn1js.Set({ value });
export const objectId = (value: string): asn1js.ObjectIdentifier => new asn1js.ObjectIdentifier({ value });
export const int = (value: number): asn1js.Integer => new asn1js.Integer({ value });
export const octetString = (b: Uint8Array): asn1js.OctetString =>
  new asn1js.OctetString({ valueHex: new Uint8Array(b) });
export const explicit = (tag: number, ...value: Node[]): asn1js.Constructed =>
  new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: tag }, value });
export const implicitOctets = (tag: number, b: Uint8Array): asn1js.Primitive =>
  new asn1js.Primitive({ idBlock: { tagClass: 3, tagNumber: tag }, valueHex: new Uint8Array(b) });
export const nul = (): asn1js.Null => new asn1js.Null();
export const isSequence = (n: Node | undefined): boolean => n instanceof asn1js.Sequence;
export const bmpString = (value: string): asn1js.BmpString => new asn1js.BmpString({ value });
/** Embeds existing DER (a certificate, a PrivateKeyInfo) as a value. */
export const der = (b: Uint8Array): Node => parseDer(b, 'embedded value');

export function encode(n: Node): Buffer {
  return Buffer.from((n as asn1js.BaseBlock).toBER(false));
}
