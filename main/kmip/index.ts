export * from './ttlv/index.js';
export * from './messages/index.js';
export * from './registry/index.js';
