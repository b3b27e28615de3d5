/**
 * Schema 1. Objects in creation order (seq, never reused) with the hot attributes promoted to
 * columns; names, object groups and every other attribute value in index tables so Locate never
 * scans; the audit chain.
 */
export const migration001 = `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;

CREATE TABLE objects (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  uid TEXT NOT NULL UNIQUE,
  object_type TEXT NOT NULL,
  state TEXT NOT NULL,
  owner TEXT NOT NULL,
  algorithm TEXT,
  length INTEGER,
  usage_mask INTEGER,
  initial_date INTEGER,
  activation_date INTEGER,
  deactivation_date INTEGER,
  destroy_date INTEGER,
  compromise_date INTEGER,
  archived INTEGER NOT NULL DEFAULT 0,
  attributes TEXT NOT NULL,
  material BLOB
);
CREATE INDEX objects_type ON objects (object_type);
CREATE INDEX objects_state ON objects (state);
CREATE INDEX objects_algorithm ON objects (algorithm, length);
CREATE INDEX objects_owner ON objects (owner);
CREATE INDEX objects_initial ON objects (initial_date);
CREATE INDEX objects_activation ON objects (activation_date);
CREATE INDEX objects_deactivation ON objects (deactivation_date);

CREATE TABLE names (name TEXT NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (name, seq)) WITHOUT ROWID;
CREATE INDEX names_seq ON names (seq);

CREATE TABLE groups (grp TEXT NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (grp, seq)) WITHOUT ROWID;
CREATE INDEX groups_seq ON groups (seq);

CREATE TABLE attr_index (
  name TEXT NOT NULL,
  value TEXT NOT NULL,
  seq INTEGER NOT NULL,
  idx INTEGER NOT NULL,
  PRIMARY KEY (name, value, seq, idx)
) WITHOUT ROWID;
CREATE INDEX attr_index_seq ON attr_index (seq);

CREATE TABLE audit (
  seq INTEGER PRIMARY KEY,
  time INTEGER NOT NULL,
  identity TEXT NOT NULL,
  operation TEXT NOT NULL,
  object TEXT,
  result TEXT NOT NULL,
  detail TEXT,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
`;
