import https from 'node:https';
import tls from 'node:tls';
import { fromKmipJson, toKmipJson, type KmipJson } from '../../../../main/kmip/json/index.js';
import {
  decodeTtlv,
  encodeTtlv,
  ItemType,
  type StructureItem,
  type TtlvItem,
} from '../../../../main/kmip/ttlv/index.js';
import type { ClientFiles } from './profile-server.js';

/**
 * What a real KMIP client puts on the wire, written in the KMIP JSON encoding (Additional Message
 * Encodings 1.0 section 4.1.6: names for tags and enumerations) and sent as TTLV bytes, so each
 * profile reads like the client's own message dump and can do what Keyhold's client would not
 * (BatchCount mismatches, empty Template Attributes, 1.0 headers, credentials...).
 */
export type J = { tag: string; type?: string; value?: unknown };

export const s = (tag: string, ...value: J[]): J => ({ tag, value });
export const e = (tag: string, value: string): J => ({ tag, type: 'Enumeration', value });
export const i = (tag: string, value: number): J => ({ tag, type: 'Integer', value });
export const txt = (tag: string, value: string): J => ({ tag, type: 'TextString', value });
export const hex = (tag: string, value: Uint8Array): J => ({
  tag,
  type: 'ByteString',
  value: Buffer.from(value).toString('hex'),
});
export const bool = (tag: string, value: boolean): J => ({ tag, type: 'Boolean', value });
export const date = (tag: string, value: Date): J => ({
  tag,
  type: 'DateTime',
  value: value.toISOString().replace(/\.\d+Z$/, '+00:00'),
});

/** A 1.x Attribute (Attribute Name + Attribute Value), e.g. attr('State', e('', 'Active')). */
export const attr = (name: string, value: J, index?: number): J =>
  s('Attribute', txt('AttributeName', name), ...(index === undefined ? [] : [i('AttributeIndex', index)]), {
    ...value,
    tag: 'AttributeValue',
  });
export const nameAttr = (value: string): J =>
  attr('Name', s('', txt('NameValue', value), e('NameType', 'UninterpretedTextString')));

export type Version = readonly [major: number, minor: number];

export interface BatchItemSpec {
  operation: string;
  payload: J[];
  /** Unique Batch Item ID bytes, e.g. libmongocrypt's "A" and "B". */
  id?: string;
}

export const op = (operation: string, payload: J[] = [], id?: string): BatchItemSpec => ({
  operation,
  payload,
  ...(id === undefined ? {} : { id }),
});

export interface RequestOptions {
  credential?: { username: string; password: string };
  /** The Batch Count the header declares (default: the number of items). */
  batchCount?: number;
  batchOrderOption?: boolean;
  batchErrorContinuation?: 'Continue' | 'Stop' | 'Undo';
}

/** A Request Message as TTLV bytes. */
export function request(version: Version, items: BatchItemSpec[], o: RequestOptions = {}): Buffer {
  const header: J[] = [
    s('ProtocolVersion', i('ProtocolVersionMajor', version[0]), i('ProtocolVersionMinor', version[1])),
  ];
  if (o.credential) {
    header.push(
      s(
        'Authentication',
        s(
          'Credential',
          e('CredentialType', 'UsernameAndPassword'),
          s('CredentialValue', txt('Username', o.credential.username), txt('Password', o.credential.password)),
        ),
      ),
    );
  }
  if (o.batchErrorContinuation) header.push(e('BatchErrorContinuationOption', o.batchErrorContinuation));
  if (o.batchOrderOption !== undefined) header.push(bool('BatchOrderOption', o.batchOrderOption));
  header.push(i('BatchCount', o.batchCount ?? items.length));
  const message = s(
    'RequestMessage',
    s('RequestHeader', ...header),
    ...items.map((b) =>
      s(
        'BatchItem',
        e('Operation', b.operation),
        ...(b.id === undefined ? [] : [hex('UniqueBatchItemID', Buffer.from(b.id))]),
        s('RequestPayload', ...b.payload),
      ),
    ),
  );
  return Buffer.from(encodeTtlv(fromKmipJson(message)));
}

/** A decoded Response Message, with its batch items as JSON trees (1.x or 2.x names per the request). */
export interface Response {
  raw: StructureItem;
  version: Version;
  items: ResponseItem[];
}

export interface ResponseItem {
  operation: string | undefined;
  status: string;
  reason: string | undefined;
  message: string | undefined;
  id: string | undefined;
  payload: KmipJson | undefined;
}

export function child(node: KmipJson | undefined, tag: string): KmipJson | undefined {
  return Array.isArray(node?.value) ? node.value.find((c) => c.tag === tag) : undefined;
}
export function children(node: KmipJson | undefined, tag: string): KmipJson[] {
  return Array.isArray(node?.value) ? node.value.filter((c) => c.tag === tag) : [];
}
/** The value at a path of tags, e.g. at(payload, 'SecretData', 'KeyBlock', 'KeyFormatType'). */
export function at(node: KmipJson | undefined, ...tags: string[]): KmipJson['value'] | undefined {
  let n = node;
  for (const t of tags) n = child(n, t);
  return n?.value;
}

/** The 1.x attributes of a Get Attributes / Template Attribute payload: name -> values. */
export function attributes1x(node: KmipJson | undefined): Map<string, unknown[]> {
  const out = new Map<string, unknown[]>();
  for (const a of children(node, 'Attribute')) {
    const name = String(at(a, 'AttributeName'));
    out.set(name, [...(out.get(name) ?? []), at(a, 'AttributeValue')]);
  }
  return out;
}

export function parseResponse(bytes: Buffer): Response {
  const raw = decodeTtlv(bytes) as StructureItem;
  const json = toKmipJson(raw);
  const header = child(json, 'ResponseHeader');
  const version: Version = [
    Number(at(header, 'ProtocolVersion', 'ProtocolVersionMajor')),
    Number(at(header, 'ProtocolVersion', 'ProtocolVersionMinor')),
  ];
  const items = children(json, 'BatchItem').map((b) => {
    const id = at(b, 'UniqueBatchItemID');
    return {
      operation: at(b, 'Operation') as string | undefined,
      status: String(at(b, 'ResultStatus')),
      reason: at(b, 'ResultReason') as string | undefined,
      message: at(b, 'ResultMessage') as string | undefined,
      id: typeof id === 'string' ? Buffer.from(id, 'hex').toString() : undefined,
      payload: child(b, 'ResponsePayload'),
    };
  });
  return { raw, version, items };
}

/** The one batch item of a response, which must have succeeded. */
export function ok(r: Response, index = 0): KmipJson | undefined {
  const item = r.items[index];
  if (!item || item.status !== 'Success') {
    throw new Error(`batch item ${index}: ${item?.status} ${item?.reason} ${item?.message}`);
  }
  return item.payload;
}

/**
 * The protocol version each standard tag first appeared in. Tags were assigned in blocks, one per
 * specification version (1.0 ends with Password 0x4200A1, 1.1 at 0x4200B7, 1.2 at 0x4200D3, 1.3
 * at 0x4200F7, 1.4 at 0x420124, 2.0 at 0x420165); checked here independently of the server's own
 * table.
 */
function since(tag: number): number {
  if (tag >>> 16 !== 0x42) return 0;
  const ends: [number, number][] = [
    [0x4200a1, 10],
    [0x4200b7, 11],
    [0x4200d3, 12],
    [0x4200f7, 13],
    [0x420124, 14],
    [0x420165, 20],
  ];
  for (const [last, v] of ends) if (tag <= last) return v;
  return 21;
}

/** Attribute names each 1.x version added (KMIP 1.1-1.4 specifications, "new in" tables). */
const attributeSince: Record<string, number> = {
  'Certificate Length': 11,
  'X.509 Certificate Identifier': 11,
  'X.509 Certificate Subject': 11,
  'X.509 Certificate Issuer': 11,
  'Digital Signature Algorithm': 11,
  Fresh: 11,
  'Alternative Name': 12,
  'Key Value Present': 12,
  'Key Value Location': 12,
  'Original Creation Date': 12,
  'Random Number Generator': 13,
  'PKCS#12 Friendly Name': 14,
  Description: 14,
  Comment: 14,
  Sensitive: 14,
  'Always Sensitive': 14,
  Extractable: 14,
  'Never Extractable': 14,
};

/**
 * The fields of a response that a client speaking `version` would not know: tags newer than the
 * version, and 1.x Attributes whose name a newer version added (INTEROP-NOTES 1).
 */
export function newerFields(item: TtlvItem, version: Version): string[] {
  const v = version[0] * 10 + version[1];
  const found: string[] = [];
  const walk = (it: TtlvItem): void => {
    if (since(it.tag) > v) found.push(`tag 0x${it.tag.toString(16)}`);
    if (version[0] >= 2 && (it.tag === 0x420091 || it.tag === 0x420008)) found.push(`1.x tag 0x${it.tag.toString(16)}`);
    if (it.type !== ItemType.Structure) return;
    if (it.tag === 0x420008) {
      const name = it.value.find((c) => c.tag === 0x42000a);
      const n = name?.type === ItemType.TextString ? name.value : '';
      if ((attributeSince[n] ?? 0) > v) found.push(`attribute ${n}`);
    }
    it.value.forEach(walk);
  };
  walk(item);
  return found;
}

/** One mutual-TLS connection carrying TTLV messages one at a time, as the appliances do. */
export class RawSession {
  private buffered = Buffer.alloc(0);
  private waiting: ((frame: Buffer) => void) | undefined;

  private constructor(readonly socket: tls.TLSSocket) {
    socket.on('data', (d: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, d]);
      this.deliver();
    });
  }

  static open(
    port: number,
    files: ClientFiles,
    o: { session?: Buffer; maxVersion?: tls.SecureVersion } = {},
  ): Promise<RawSession> {
    return new Promise((resolve, reject) => {
      const socket = tls.connect({
        host: '127.0.0.1',
        port,
        ...files,
        ...(o.session ? { session: o.session } : {}),
        ...(o.maxVersion ? { maxVersion: o.maxVersion } : {}),
      });
      socket.once('error', reject);
      socket.once('secureConnect', () => {
        socket.off('error', reject);
        socket.on('error', () => undefined);
        resolve(new RawSession(socket));
      });
    });
  }

  private deliver(): void {
    if (!this.waiting || this.buffered.length < 8) return;
    const total = 8 + this.buffered.readUInt32BE(4);
    if (this.buffered.length < total) return;
    const frame = this.buffered.subarray(0, total);
    this.buffered = this.buffered.subarray(total);
    const w = this.waiting;
    this.waiting = undefined;
    w(Buffer.from(frame));
  }

  /** Sends one request and reads its response. */
  async send(bytes: Buffer): Promise<Response> {
    const frame = new Promise<Buffer>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no response in 20 s')), 20_000);
      this.waiting = (f) => {
        clearTimeout(timer);
        resolve(f);
      };
    });
    this.socket.write(bytes);
    this.deliver();
    return parseResponse(await frame);
  }

  close(): void {
    this.socket.end();
    this.socket.destroy();
  }
}

/** POSTs TTLV bodies to /kmip over one kept-alive mutual-TLS connection (KMIP HTTPS binding). */
export class HttpsTtlvSession {
  private readonly agent: https.Agent;
  readonly sockets = new Set<unknown>();

  constructor(
    private readonly port: number,
    files: ClientFiles,
  ) {
    this.agent = new https.Agent({ keepAlive: true, maxSockets: 1, ...files });
  }

  post(body: Buffer): Promise<{ status: number; type: string; response: Response }> {
    return new Promise((resolve, reject) => {
      const req = https.request(
        {
          host: '127.0.0.1',
          port: this.port,
          path: '/kmip',
          method: 'POST',
          agent: this.agent,
          headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': body.length },
        },
        (r) => {
          this.sockets.add(r.socket);
          const chunks: Buffer[] = [];
          r.on('data', (c: Buffer) => chunks.push(c));
          r.on('end', () => {
            try {
              resolve({
                status: r.statusCode ?? 0,
                type: String(r.headers['content-type']),
                response: parseResponse(Buffer.concat(chunks)),
              });
            } catch (x) {
              reject(x as Error);
            }
          });
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** The Unique Identifier a payload carries. */
export function uidOf(payload: KmipJson | undefined): string {
  const v = at(payload, 'UniqueIdentifier');
  if (typeof v !== 'string') throw new Error('no Unique Identifier in the payload');
  return v;
}

export const uid = (value: string): J => txt('UniqueIdentifier', value);
export const template = (...attrs: J[]): J => s('TemplateAttribute', ...attrs);
/** Cryptographic Algorithm, Length and Usage Mask (Encrypt 0x4 | Decrypt 0x8 by default) as 1.x Attributes. */
export const aesAttrs = (bits = 256, mask = 0x0c): J[] => [
  attr('Cryptographic Algorithm', e('', 'AES')),
  attr('Cryptographic Length', i('', bits)),
  attr('Cryptographic Usage Mask', i('', mask)),
];
