import { KeyholdError } from '../../shared/errors.js';
import { parseKmipJson, writeKmipJson } from '../kmip/json/index.js';
import { decodeTtlv, encodeTtlv } from '../kmip/ttlv/index.js';
import { parseKmipXmlItem, writeKmipXml } from '../kmip/xml/index.js';
import type { BodyCodec } from './https-binding.js';

function one<T>(items: T[]): T {
  if (items.length !== 1 || items[0] === undefined) {
    throw new KeyholdError('codec', 'the body must hold exactly one message', { reason: 'Invalid Message' });
  }
  return items[0];
}

/** XML and JSON bodies of the HTTPS profile (Additional Message Encodings 1.0 sections 2.4, 4, 5). */
export const httpsBodyCodecs: Record<string, BodyCodec> = {
  'text/xml': {
    decode: (body) => encodeTtlv(parseKmipXmlItem(body.toString('utf8'))),
    encode: (ttlv) => Buffer.from(writeKmipXml(decodeTtlv(ttlv)), 'utf8'),
  },
  'application/json': {
    decode: (body) => encodeTtlv(one(parseKmipJson(body.toString('utf8')))),
    encode: (ttlv) => Buffer.from(writeKmipJson(decodeTtlv(ttlv)), 'utf8'),
  },
};
