// Types for kmip-spec-tables.mjs (read by the registry test).
export interface SpecRow {
  name: string;
  value: number;
  note: string | undefined;
}
export interface SpecTables {
  version: '1.4' | '2.1';
  tags: SpecRow[];
  enumerations: Map<string, SpecRow[]>;
  masks: Map<string, SpecRow[]>;
  types: Map<string, Set<string>>;
}
export const specFiles: Record<'1.4' | '2.1', string>;
export function normalizeName(text: string): string;
export function readSpecs(specDir: string): Record<'1.4' | '2.1', SpecTables>;
