import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { rawKeyText } from './sqlite.js';

/**
 * Checkpoints the vault's WAL into its database file on a worker thread, with a connection of
 * its own. A checkpoint writes back every page the WAL holds and fsyncs the WAL and the
 * database (synchronous=NORMAL): tens of milliseconds here, which on the vault's connection
 * would stall the event loop and every KMIP client with it. SQLite lets a PASSIVE checkpoint
 * run beside a writer; the writer restarts the WAL from its start only after a checkpoint has
 * written back and synced all of it.
 *
 * The worker is plain JavaScript (eval), so it runs the same from the sources under test and
 * from the build. It gets the raw data key in a transferred buffer and wipes it once keyed.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
let db;
parentPort.on('message', (m) => {
  if (m.type === 'open') {
    const key = Buffer.from(m.key);
    try {
      db = new Database(workerData.file, { fileMustExist: true });
      db.pragma("cipher = 'sqlcipher'");
      db.pragma('legacy = 4');
      db.key(key);
      db.pragma('busy_timeout = 1000');
      db.pragma('synchronous = NORMAL');
      db.pragma('cache_size = -256');
      db.prepare('SELECT count(*) FROM sqlite_master').get();
      parentPort.postMessage({ type: 'opened' });
    } catch (e) {
      parentPort.postMessage({ type: 'failed', message: String(e && e.message) });
    } finally {
      key.fill(0);
      new Uint8Array(m.key).fill(0);
    }
  } else if (m.type === 'checkpoint') {
    try {
      const [r] = db.pragma('wal_checkpoint(PASSIVE)');
      parentPort.postMessage({ type: 'checkpointed', log: r.log, checkpointed: r.checkpointed });
    } catch (e) {
      parentPort.postMessage({ type: 'failed', message: String(e && e.message) });
    }
  } else if (m.type === 'close') {
    try { db && db.close(); } finally { parentPort.postMessage({ type: 'closed' }); }
  }
});
`;

interface Reply {
  type: 'opened' | 'checkpointed' | 'failed' | 'closed';
  message?: string;
  log?: number;
  checkpointed?: number;
}

export class Checkpointer {
  /** The checkpoint running, if any. */
  private running: Promise<void> | undefined;
  private closed = false;
  /** Checkpoints done and failed, for tests and diagnostics. */
  readonly stats = { done: 0, failed: 0, lastError: undefined as string | undefined };

  private constructor(private readonly worker: Worker) {
    worker.unref();
  }

  /** Starts the worker and opens its connection; `rawKey` is copied, the caller keeps and wipes its own. */
  static async start(file: string, rawKey: Buffer): Promise<Checkpointer> {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3-multiple-ciphers');
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file, driver } });
    const keyText = rawKeyText(rawKey);
    const transfer = new Uint8Array(keyText.length);
    transfer.set(keyText);
    keyText.fill(0);
    const reply = await new Promise<Reply>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.postMessage({ type: 'open', key: transfer.buffer }, [transfer.buffer]);
    }).catch(async (e: unknown) => {
      await worker.terminate();
      throw e;
    });
    if (reply.type !== 'opened') {
      await worker.terminate();
      throw new Error(`the checkpointer could not open the vault: ${reply.message ?? reply.type}`);
    }
    return new Checkpointer(worker);
  }

  /** Asks for a checkpoint unless one is running; never waits for it. */
  request(): void {
    if (this.running !== undefined || this.closed) return;
    this.worker.ref();
    this.running = new Promise<void>((resolve) => {
      this.worker.once('message', (r: Reply) => {
        this.running = undefined;
        this.worker.unref();
        // A failed checkpoint leaves the frames in the WAL, where they are durable: the next one retries.
        if (r.type === 'checkpointed') this.stats.done++;
        else {
          this.stats.failed++;
          this.stats.lastError = r.message;
        }
        resolve();
      });
    });
    this.worker.postMessage({ type: 'checkpoint' });
  }

  /** Resolves when no checkpoint is running (none starts unless request() is called). */
  idle(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  /** Waits for a running checkpoint, closes the worker's connection and ends the worker. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.worker.ref();
    await this.running;
    await new Promise<void>((resolve) => {
      this.worker.once('message', () => resolve());
      this.worker.once('error', () => resolve());
      this.worker.postMessage({ type: 'close' });
    });
    await this.worker.terminate();
  }
}
