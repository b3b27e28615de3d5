export * from './ttlv/item.js';
