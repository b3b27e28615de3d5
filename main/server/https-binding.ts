import http from 'node:http';
import type { TLSSocket } from 'node:tls';
import { identityName } from './identity-name.js';
import type { KmipProcessor } from './protocol.js';
import type { PeerContext } from './tls-listener.js';

/** The body codecs of the KMIP HTTPS profile besides TTLV (Additional Message Encodings 1.0 section 2.4). */
export interface BodyCodec {
  /** Request body -> TTLV bytes. */
  decode(body: Buffer): Uint8Array;
  /** TTLV bytes -> response body. */
  encode(ttlv: Uint8Array): Buffer;
}

const TTLV_TYPE = 'application/octet-stream';
const MAX_BODY = 1024 * 1024;

/**
 * KMIP over HTTPS (Additional Message Encodings 1.0 section 2): POST to /kmip with a TTLV, XML or
 * JSON body, answered with the same encoding. It shares the TLS port with plain TTLV: the
 * listener hands over a connection whose first bytes are not a TTLV tag. Same certificates,
 * same identity, same access rules.
 */
export function createHttpsBinding(getProcessor: () => KmipProcessor, codecs: Record<string, BodyCodec> = {}) {
  const peers = new WeakMap<object, PeerContext>();
  const server = http.createServer({ maxHeaderSize: 16 * 1024 }, (req, res) => {
    const peer = peers.get(req.socket);
    const reply = (status: number, type: string, body: Buffer | string): void => {
      res.writeHead(status, {
        'Content-Type': type,
        'Content-Length': Buffer.byteLength(body),
        'Cache-Control': 'no-cache',
      });
      res.end(body);
    };
    if (req.method !== 'POST') return reply(405, 'text/plain', 'KMIP over HTTPS takes POST\n');
    const type = (req.headers['content-type'] ?? TTLV_TYPE).split(';')[0]?.trim().toLowerCase() ?? TTLV_TYPE;
    const codec = type === TTLV_TYPE ? undefined : codecs[type];
    if (type !== TTLV_TYPE && !codec) return reply(415, 'text/plain', `unsupported Content-Type ${type}\n`);
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reply(413, 'text/plain', 'message too large\n');
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (res.writableEnded) return;
      void (async () => {
        const body = Buffer.concat(chunks);
        const processor = getProcessor();
        let ttlv: Uint8Array;
        try {
          ttlv = codec ? codec.decode(body) : body;
        } catch (e) {
          const err = processor.malformed(e);
          return reply(200, type, codec ? codec.encode(err) : err);
        }
        const response = await processor.process(ttlv, identityName(peer));
        reply(200, type, codec ? codec.encode(response) : response);
      })().catch(() => reply(500, 'text/plain', 'internal error\n'));
    });
  });
  return {
    server,
    takeOver(socket: TLSSocket, firstChunk: Buffer, peer: PeerContext): boolean {
      if (
        !firstChunk
          .subarray(0, 5)
          .toString('latin1')
          .match(/^(POST|GET|PUT|HEAD|OPTI)/)
      )
        return false;
      peers.set(socket, peer);
      socket.removeAllListeners('data');
      socket.pause();
      socket.unshift(firstChunk);
      server.emit('connection', socket);
      socket.resume();
      return true;
    },
  };
}
