/** Serves the built renderer's files, never anything outside its folder. */
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
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
}

/** Reads the file at a URL path from root, or undefined; "/" and unknown routes give index.html. */
export async function readStatic(root: string, urlPath: string): Promise<StaticFile | undefined> {
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
  const mediaType = mediaTypes[path.extname(file)];
  if (!mediaType) return undefined;
  try {
    return { body: await readFile(file), mediaType };
  } catch {
    return undefined;
  }
}
