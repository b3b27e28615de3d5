/**
 * Serves the built renderer's files, never anything outside its folder. The files are read once,
 * at start (a few hundred KB), and served from memory; a file added later is read from disk.
 */
import { readFile } from 'node:fs/promises';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const mediaTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

/** The renderer's build folder: renderer/dist at the package root, found from this file's place. */
export function defaultRendererDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'renderer'))) {
      return path.join(dir, 'renderer', 'dist');
    }
    dir = path.dirname(dir);
  }
  return path.resolve('renderer', 'dist');
}

export interface StaticFile {
  body: Buffer;
  mediaType: string;
  /** Its name carries a hash of its content (Vite's assets/<name>-<hash>.<ext>): cacheable for good. */
  immutable: boolean;
}

/** Files already in memory, by absolute path. */
export type StaticCache = Map<string, StaticFile>;

const hashedAsset = /[\\/]assets[\\/][^\\/]+-[A-Za-z0-9_-]{8,}\.(?:js|css|woff2|svg|png)$/;

function staticFile(file: string, body: Buffer): StaticFile | undefined {
  const mediaType = mediaTypes[path.extname(file)];
  return mediaType ? { body, mediaType, immutable: hashedAsset.test(file) } : undefined;
}

/** Reads index.html and the files under assets/ into memory; a missing folder gives an empty cache. */
export function loadStaticCache(rendererDir: string): StaticCache {
  const root = path.resolve(rendererDir);
  const cache: StaticCache = new Map();
  const add = (file: string) => {
    try {
      const f = staticFile(file, readFileSync(file));
      if (f) cache.set(file, f);
    } catch {
      // Not there (not built yet): read from disk when asked.
    }
  };
  add(path.join(root, 'index.html'));
  try {
    for (const name of readdirSync(path.join(root, 'assets'))) add(path.join(root, 'assets', name));
  } catch {
    // No assets folder.
  }
  return cache;
}

/** Reads the file at a URL path from root, or undefined; "/" and unknown routes give index.html. */
export async function readStatic(
  rendererDir: string,
  urlPath: string,
  cache?: StaticCache,
): Promise<StaticFile | undefined> {
  const root = path.resolve(rendererDir);
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0')) return undefined;
  const resolved = path.resolve(root, '.' + path.posix.normalize('/' + decoded));
  if (resolved !== root && !resolved.startsWith(root + path.sep)) return undefined;
  const ext = path.extname(resolved);
  const file = ext === '' ? path.join(root, 'index.html') : resolved;
  if (!mediaTypes[path.extname(file)]) return undefined;
  const cached = cache?.get(file);
  if (cached) return cached;
  try {
    return staticFile(file, await readFile(file));
  } catch {
    return undefined;
  }
}
