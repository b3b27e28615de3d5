import https from 'node:https';
import { KeyholdError } from '../../shared/errors.js';
import { parseKmipJson, writeKmipJson } from '../kmip/json/index.js';
import { decodeTtlv, encodeTtlv } from '../kmip/ttlv/index.js';
import { parseKmipXmlItem, writeKmipXml } from '../kmip/xml/index.js';

/** The message encodings of the KMIP HTTPS binding (Additional Message Encodings 1.0 sections 2.4, 4, 5). */
export type HttpsEncoding = 'ttlv' | 'xml' | 'json';

const CONTENT_TYPE: Record<HttpsEncoding, string> = {
  ttlv: 'application/octet-stream',
  xml: 'text/xml',
  json: 'application/json',
};

export interface HttpsTransportOptions {
  host: string;
  port: number;
  cert: string;
  key: string;
  ca: string;
  servername?: string;
  encoding: HttpsEncoding;
  /** Path of the KMIP endpoint (default /kmip). */
  path?: string;
  timeoutMs?: number;
}

/** TTLV bytes as the request body of the chosen encoding. */
export function encodeBody(ttlv: Uint8Array, encoding: HttpsEncoding): Buffer {
  if (encoding === 'ttlv') return Buffer.from(ttlv);
  const item = decodeTtlv(ttlv);
  return Buffer.from(encoding === 'xml' ? writeKmipXml(item) : writeKmipJson(item), 'utf8');
}

/** A response body of the chosen encoding as TTLV bytes. */
export function decodeBody(body: Buffer, encoding: HttpsEncoding): Uint8Array {
  if (encoding === 'ttlv') return body;
  const text = body.toString('utf8');
  if (encoding === 'xml') return encodeTtlv(parseKmipXmlItem(text));
  const items = parseKmipJson(text);
  if (items.length !== 1 || !items[0])
    throw new KeyholdError('codec', 'the response body must hold exactly one message');
  return encodeTtlv(items[0]);
}

/**
 * A KMIP client transport over HTTPS POST (Additional Message Encodings 1.0 section 2), mutual TLS
 * with the same certificates as TTLV; one kept-alive connection. Requests and responses are TTLV
 * bytes to the caller whatever the body encoding on the wire.
 */
export class KmipHttpsTransport {
  private readonly agent: https.Agent;

  private constructor(private readonly o: HttpsTransportOptions) {
    this.agent = new https.Agent({
      keepAlive: true,
      maxSockets: 1,
      cert: o.cert,
      key: o.key,
      ca: o.ca,
      servername: o.servername ?? (/^[\d.:[\]]+$/.test(o.host) ? undefined : o.host),
    });
  }

  static open(o: HttpsTransportOptions): KmipHttpsTransport {
    return new KmipHttpsTransport(o);
  }

  request(ttlv: Uint8Array): Promise<Uint8Array> {
    const body = encodeBody(ttlv, this.o.encoding);
    const type = CONTENT_TYPE[this.o.encoding];
    return new Promise((resolve, reject) => {
      const req = https.request(
        {
          host: this.o.host,
          port: this.o.port,
          path: this.o.path ?? '/kmip',
          method: 'POST',
          agent: this.agent,
          headers: { 'Content-Type': type, 'Content-Length': body.length, 'Cache-Control': 'no-cache' },
          timeout: this.o.timeoutMs ?? 30_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            if (res.statusCode !== 200) {
              reject(new KeyholdError('kmip', `HTTPS status ${res.statusCode ?? 0}`));
              return;
            }
            try {
              resolve(decodeBody(Buffer.concat(chunks), this.o.encoding));
            } catch (e) {
              reject(e instanceof Error ? e : new KeyholdError('codec', 'cannot decode the response body'));
            }
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new KeyholdError('io', 'the KMIP HTTPS request timed out')));
      req.on('error', reject);
      req.end(body);
    });
  }

  async close(): Promise<void> {
    this.agent.destroy();
  }
}
