import { migration001 } from './001-initial.js';
import { migration002 } from './002-unindexed-attributes.js';

/**
 * Migrations in order; entry i brings the schema from version i to i + 1 (PRAGMA user_version).
 * Append only: a vault written by any earlier version opens in every later one.
 */
export const MIGRATIONS: readonly string[] = [migration001, migration002];

export const SCHEMA_VERSION = MIGRATIONS.length;
