export * from './contract.js';
export * from './types.js';
export * from './result.js';
export * from './client.js';
export * from './messages.js';
export * as schema from './schema.js';
export type { Infer, Schema } from './schema.js';
export * from './security.js';
