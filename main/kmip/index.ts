export * from './ttlv/index.js';
