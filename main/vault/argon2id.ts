import { createRequire } from 'node:module';
import type { argon2id as Argon2idFunction } from 'hash-wasm';

const require = createRequire(import.meta.url);

/**
 * hash-wasm's Argon2 build alone. Importing the package root loads every algorithm it ships
 * (about 280 KB of script and WebAssembly), 70-100 ms of each start; Keyhold needs only Argon2id.
 */
export const argon2id = (require('hash-wasm/dist/argon2.umd.min.js') as { argon2id: typeof Argon2idFunction }).argon2id;
