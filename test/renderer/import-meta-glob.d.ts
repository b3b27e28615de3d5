/** Vite's import.meta.glob (vitest transforms it), as the hint-link test uses it: file texts by path. */
interface ImportMeta {
  glob(pattern: string, options: { query: '?raw'; import: 'default'; eager: true }): Record<string, string>;
}
