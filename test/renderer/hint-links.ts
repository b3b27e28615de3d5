/**
 * Field hints in rendered markup: each hint (`<span class="hint" id="ID-hint">`) must be named in
 * the aria-describedby of the input, select or textarea whose id is ID, so a screen reader reads
 * the hint with the field and not only shows it beside it.
 */
export function hintLinks(html: string): { linked: string[]; unlinked: string[] } {
  const describedBy = new Map<string, string[]>();
  for (const [tag] of html.matchAll(/<(?:input|select|textarea)\b[^>]*>/g)) {
    const id = /\sid="([^"]+)"/.exec(tag)?.[1];
    if (id !== undefined) describedBy.set(id, /aria-describedby="([^"]*)"/.exec(tag)?.[1]?.split(' ') ?? []);
  }
  const linked: string[] = [];
  const unlinked: string[] = [];
  for (const [, hintId, text] of html.matchAll(/<span class="hint" id="([^"]+)-hint">([^<]*)<\/span>/g)) {
    (describedBy.get(hintId as string)?.includes(`${hintId}-hint`) ? linked : unlinked).push(text as string);
  }
  return { linked, unlinked };
}
