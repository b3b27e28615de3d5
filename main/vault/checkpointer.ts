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
      key.fill(0); // a view of the transferred buffer: wipes it
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
}

/**
 * The worker is started on the first checkpoint, so a short-lived vault (a CLI command) never
 * starts one. If it cannot work (it failed to open the database, or a checkpoint failed),
 * request() says so and the vault checkpoints on its own connection instead.
 */
export class Checkpointer {
  private worker: Promise<Worker> | undefined;
  /** The checkpoint running, if any. */
  private running: Promise<void> | undefined;
  private closed = false;
  /** Why the thread stopped checkpointing, once it did. */
  failure: string | undefined;

  /** `rawKey` gives the vault's data key when the worker starts; it is copied, never kept. */
  constructor(
    private readonly file: string,
    private readonly rawKey: () => Buffer,
  ) {}

  /**
   * Asks for a checkpoint round unless one is running, without waiting; `then` runs after a round
   * that succeeded. False if the thread cannot checkpoint.
   */
  request(then?: () => void): boolean {
    if (this.failure !== undefined) return false;
    if (this.running !== undefined || this.closed) return true;
    const round = this.checkpoint();
    if (then) void round.then(() => this.failure === undefined && then());
    return true;
  }

  /** One more round, now (after the one running, if any); resolves when it is done. */
  async round(): Promise<void> {
    await this.running;
    if (this.failure !== undefined || this.closed) return;
    await this.checkpoint();
  }

  /**
   * A round on the thread: writes back every frame the WAL holds when it begins (PASSIVE: never
   * waits for the vault's writer) and fsyncs the WAL and the database (synchronous=NORMAL).
   */
  private checkpoint(): Promise<void> {
    this.worker ??= this.spawn();
    const round = this.worker
      .then((worker) => this.ask(worker, { type: 'checkpoint' }))
      .then(
        (reply) => {
          if (reply.type !== 'checkpointed') this.failure = reply.message ?? reply.type;
        },
        (e: unknown) => {
          this.failure = e instanceof Error ? e.message : String(e);
        },
      )
      .finally(() => {
        this.running = undefined;
      });
    this.running = round;
    return round;
  }

  /** Resolves when no checkpoint is running (none starts unless request() is called). */
  idle(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  /** Waits for a running checkpoint, closes the worker's connection and ends the worker. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.running;
    await this.end(this.worker);
  }

  /**
   * Ends the worker once the round running, if any, is done (an idle vault: its thread, heap and
   * connection are given back, 17 MiB for a worker with its connection measured alone); the next
   * round starts a new one. Does nothing if another round began meanwhile.
   */
  async rest(): Promise<void> {
    await this.running;
    if (this.running !== undefined || this.closed) return;
    const worker = this.worker;
    this.worker = undefined;
    await this.end(worker);
  }

  private async end(pending: Promise<Worker> | undefined): Promise<void> {
    const worker = await pending?.catch(() => undefined);
    if (worker === undefined) return;
    await this.ask(worker, { type: 'close' }).catch(() => undefined);
    await worker.terminate();
  }

  /** Sends one message and waits for the worker's reply (the worker stays unreferenced between). */
  private ask(
    worker: Worker,
    message: { type: 'open' | 'checkpoint' | 'close'; key?: ArrayBuffer },
    transfer: ArrayBuffer[] = [],
  ): Promise<Reply> {
    worker.ref();
    return new Promise<Reply>((resolve, reject) => {
      const onError = (e: Error): void => reject(e);
      worker.once('error', onError);
      worker.once('message', (reply: Reply) => {
        worker.off('error', onError);
        worker.unref();
        resolve(reply);
      });
      worker.postMessage(message, transfer);
    });
  }

  private async spawn(): Promise<Worker> {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3-multiple-ciphers');
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { file: this.file, driver },
      // It holds one statement and a few pages: keep its heap small.
      resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 2 },
    });
    // Buffer.alloc gives the key text an ArrayBuffer of its own: it moves to the worker (and is
    // gone from this thread) rather than being copied.
    const keyText = rawKeyText(this.rawKey());
    const keyBuffer = keyText.buffer as ArrayBuffer; // Buffer.alloc: never shared, never pooled
    try {
      const reply = await this.ask(worker, { type: 'open', key: keyBuffer }, [keyBuffer]);
      if (reply.type !== 'opened')
        throw new Error(`the checkpointer could not open the vault: ${reply.message ?? reply.type}`);
      return worker;
    } catch (e) {
      await worker.terminate();
      throw e;
    } finally {
      if (keyBuffer.byteLength !== 0) keyText.fill(0); // it never left: wipe it (a detached one is gone)
    }
  }
}
