export { parseKmipJson, fromKmipJson, type JsonParseOptions } from './parse.js';
export { toKmipJson, writeKmipJson, type KmipJson, type JsonWriteOptions } from './write.js';
