// Reads the OASIS KMIP profile test cases (../shared/kmip/testcases, never copied into the repo)
// into request/response pairs, for known-answer tests of the crypto primitives.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';

export const TESTCASES = path.resolve(import.meta.dirname, '../../../../shared/kmip/testcases');

/** An XML element: attributes (type, value) and child elements, each a list in document order. */
export interface XmlNode {
  type?: string;
  value?: string;
  [child: string]: XmlNode[] | string | undefined;
}

export interface Pair {
  operation: string;
  request: XmlNode;
  response: XmlNode;
  /** The response batch item itself (Result Status, Reason, Message). */
  responseItem: XmlNode;
  status: string;
}

export function child(node: XmlNode | undefined, name: string): XmlNode | undefined {
  const c = node?.[name];
  return Array.isArray(c) ? c[0] : undefined;
}

export function children(node: XmlNode | undefined, name: string): XmlNode[] {
  const c = node?.[name];
  return Array.isArray(c) ? c : [];
}

export function text(node: XmlNode | undefined, name: string): string | undefined {
  return child(node, name)?.value;
}

export function bytes(node: XmlNode | undefined, name: string): Buffer | undefined {
  const v = text(node, name);
  return v === undefined ? undefined : Buffer.from(v, 'hex');
}

/** Lists test case files of a version whose names start with a prefix, e.g. ('v1.4', 'CS-BC-'). */
export function caseFiles(version: string, prefix: string): string[] {
  const out: string[] = [];
  for (const dir of ['mandatory', 'optional']) {
    const d = path.join(TESTCASES, version, dir);
    for (const f of readdirSync(d)) if (f.startsWith(prefix) && f.endsWith('.xml')) out.push(path.join(d, f));
  }
  return out.sort();
}

/** The batch items of a test case file, each request paired with its response. */
export function readPairs(file: string): Pair[] {
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    isArray: (_name, _path, _leaf, isAttribute) => !isAttribute,
  });
  const doc = parser.parse(readFileSync(file, 'utf8')) as XmlNode;
  const kmip = child(doc, 'KMIP');
  const requests = children(kmip, 'RequestMessage');
  const responses = children(kmip, 'ResponseMessage');
  const pairs: Pair[] = [];
  requests.forEach((req, i) => {
    const res = responses[i];
    const reqItems = children(req, 'BatchItem');
    const resItems = children(res, 'BatchItem');
    reqItems.forEach((item, j) => {
      const r = resItems[j];
      pairs.push({
        operation: text(item, 'Operation') ?? '',
        request: child(item, 'RequestPayload') ?? {},
        response: child(r, 'ResponsePayload') ?? {},
        responseItem: r ?? {},
        status: text(r, 'ResultStatus') ?? '',
      });
    });
  });
  return pairs;
}

/** Cryptographic Parameters as field name -> string/number, from a structure element. */
export function cryptoParams(node: XmlNode | undefined): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  if (!node) return out;
  for (const [k, v] of Object.entries(node)) {
    if (!Array.isArray(v)) continue;
    const first = v[0];
    if (!first?.value) continue;
    out[k] = first.type === 'Integer' ? Number(first.value) : first.value;
  }
  return out;
}

/** Registered template attribute "Cryptographic Parameters" (1.x form). */
export function templateCryptoParams(request: XmlNode): Record<string, string | number> {
  for (const a of children(child(request, 'TemplateAttribute'), 'Attribute')) {
    if (text(a, 'AttributeName') === 'Cryptographic Parameters') return cryptoParams(child(a, 'AttributeValue'));
  }
  return {};
}
