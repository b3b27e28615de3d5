/**
 * End-to-end support: builds the renderer if needed, starts the web console over a fresh vault in
 * a temporary folder, and drives Debian's Chromium through playwright-core with a fresh profile.
 */
import { existsSync, mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import type { BrowserContext, Page } from 'playwright-core';
import { createEngine } from '../../main/api/handlers.js';
import type { Engine, EngineOptions } from '../../main/api/handlers.js';
import { createRouter } from '../../main/api/router.js';
import type { Handlers } from '../../main/api/router.js';
import { startConsole } from '../../main/console/server.js';
import type { RunningConsole } from '../../main/console/server.js';

export const repoRoot = path.resolve(import.meta.dirname, '../..');
export const rendererDist = path.join(repoRoot, 'renderer', 'dist');
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const screenshotDir = path.join(repoRoot, 'test-results', 'e2e');

export async function ensureRendererBuilt(): Promise<void> {
  if (existsSync(path.join(rendererDist, 'index.html'))) return;
  const { build } = await import('vite');
  await build({ configFile: path.join(repoRoot, 'renderer', 'vite.config.ts'), logLevel: 'warn' });
}

export const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];

export interface Session {
  console: RunningConsole;
  engine: Engine | undefined;
  context: BrowserContext;
  page: Page;
  dir: string;
  close(): Promise<void>;
}

export interface SessionOptions {
  engine?: Partial<EngineOptions>;
  /** Replace the engine's handlers (benchmarks of the UI alone). */
  handlers?: Handlers;
  viewport?: { width: number; height: number };
  colorScheme?: 'light' | 'dark';
}

export async function startSession(options: SessionOptions = {}): Promise<Session> {
  await ensureRendererBuilt();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'keyhold-e2e-'));
  const engine = options.handlers
    ? undefined
    : createEngine({
        vaultPath: path.join(dir, 'e2e.kvault'),
        identity: 'console:e2e',
        sealOptions: { argon2: { memoryKiB: 8192, iterations: 1, parallelism: 1 } },
        settingsFile: path.join(dir, 'config', 'keyhold', 'settings.json'),
        ...options.engine,
      });
  const router = createRouter(options.handlers ?? engine!.handlers, 'http');
  const running = await startConsole({ router, rendererDir: rendererDist });
  const profile = path.join(dir, 'profile');
  mkdirSync(profile);
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    args: chromiumArgs,
    headless: true,
    viewport: options.viewport ?? { width: 1360, height: 820 },
    colorScheme: options.colorScheme ?? 'light',
    deviceScaleFactor: 1,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    console: running,
    engine,
    context,
    page,
    dir,
    async close() {
      await context.close().catch(() => undefined);
      await running.close();
      await engine?.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: path.join(screenshotDir, `${name}.png`) });
}
