/**
 * KMIP name normalization (Additional Message Encodings 1.0 sections 4.1.3 and 6.1.3): the spec's
 * six rules, in order. "Cryptographic Usage Mask" -> "CryptographicUsageMask",
 * "PKCS#11 Function" -> "PKCS_11Function", "3DES" -> "DES3". Same rules as scripts/kmip-spec-tables.mjs.
 */
export function normalizeName(text: string): string {
  const noBrackets = text.replace(/[()]/g, ' ');
  const nonWordToSpace = noBrackets.replace(/\W([A-Za-z][a-z])/g, ' $1');
  const words = nonWordToSpace
    .split(/\s+/)
    .filter((w) => w.length > 0)
    .map((w) => w.replace(/\W/g, '_'));
  if (words.length === 0) return '';
  words[0] = words[0]!.replace(/^(\d+)(.*)$/, '$2$1');
  return words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');
}
