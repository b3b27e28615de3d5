import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { KmipConnection } from '../../main/client/connection.js';
import { KmipClient } from '../../main/client/kmip-client.js';
import { makeTestPki, pem } from '../interop/support/certs.js';
import { freePort } from '../interop/support/ports.js';
import { startPyKmipServer } from '../interop/support/pykmip-server.js';
import { startMemoryKmipServer } from '../support/memory-kmip-server.js';

/**
 * KMIP load: N concurrent mutual-TLS connections (Keyhold's client), each looping over
 * Create / Get / Locate / Encrypt, against `keyhold serve` (a real vault) and `pykmip-server`
 * on this machine, one after the other. Prints operations/s, p50/p99 and the ratio (closed loop:
 * the most each server does); then `keyhold serve` in open loop at 25, 50 and 75% of its
 * measured maximum and at 20x PyKMIP's throughput, a read-only mix (Get/Locate/Encrypt), and the
 * server's memory with 1,000 open connections; then the same open loops against a server in each
 * other --commit-durability mode (fsync, write).
 * Sizes: KMIP_BENCH_CONNECTIONS (32), KMIP_BENCH_SECONDS (5), KMIP_BENCH_IDLE (1000),
 * KMIP_BENCH_SETTLE (10: seconds the idle connections stay open before the memory is read again).
 * KMIP_BENCH_MAX=<ops/s> skips the closed loops, PyKMIP and the idle connections: only the open
 * loops run, at KMIP_BENCH_SHARES (default "0.25,0.5,0.75") of that maximum (for quick runs).
 */
const CONNECTIONS = Number(process.env['KMIP_BENCH_CONNECTIONS'] ?? 32);
const SECONDS = Number(process.env['KMIP_BENCH_SECONDS'] ?? 5);
const IDLE = Number(process.env['KMIP_BENCH_IDLE'] ?? 1000);
/** Seconds the idle connections stay open before the memory is read again. */
const SETTLE = Number(process.env['KMIP_BENCH_SETTLE'] ?? 10);
const GIVEN_MAX = process.env['KMIP_BENCH_MAX'] === undefined ? undefined : Number(process.env['KMIP_BENCH_MAX']);
const SHARES = (process.env['KMIP_BENCH_SHARES'] ?? '0.25,0.5,0.75').split(',').map(Number);
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const BIN = path.join(REPO, 'bin/keyhold.js');
const params = { CryptographicAlgorithm: 'AES', BlockCipherMode: 'CBC', PaddingMethod: 'PKCS5' };

interface Tls {
  cert: string;
  key: string;
  ca: string;
}

interface Figures {
  ops: number;
  opsPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
  /** p99 of each operation (Create, Get, Locate, Encrypt) in ms. */
  p99ByOperation: Record<string, number>;
  /** The load generator's own event-loop delay, p99 in ms: a busy client inflates the figures. */
  clientDelayP99: number;
}

const OPERATIONS = ['Create', 'Get', 'Locate', 'Encrypt'];
/** The sampling interval of the load generator's event-loop delay monitor. */
const DELAY_RESOLUTION_MS = 5;

function percentile(sorted: number[], p: number): number {
  return sorted.length === 0 ? NaN : (sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] as number);
}

/**
 * Closed loop (each connection sends its next request when the last is answered: the most the
 * server does) or, with `rate`, open loop: requests are due at a fixed total rate spread over the
 * connections, and latency counts from when a request was due (no coordinated omission), the
 * latency a client sees at that load.
 */
type Mix = 'mixed' | 'read';

async function load(port: number, tls: Tls, label: string, rate?: number, mix: Mix = 'mixed'): Promise<Figures> {
  const clients = await Promise.all(
    Array.from({ length: CONNECTIONS }, () =>
      KmipClient.connect({ host: '127.0.0.1', port, ...tls, timeoutMs: 60_000 }),
    ),
  );
  // One active key per connection for Encrypt.
  const keys = await Promise.all(
    clients.map(async (c, i) => {
      const uid = await c.create('SymmetricKey', {
        CryptographicAlgorithm: ['AES'],
        CryptographicLength: [256],
        CryptographicUsageMask: [0x0c],
        Name: [{ NameValue: `bench-${label}-${i}`, NameType: 'UninterpretedTextString' }],
      });
      await c.activate(uid);
      // Served once before the clock starts: the first Get of a key turns its Fresh attribute
      // false (a write, KMIP 1.4 section 3.34); measured, that one write per connection and run
      // was about a tenth of the Gets of a 5 s open-loop run, and owned the Get p99.
      await c.get(uid);
      return uid;
    }),
  );
  const latencies: number[] = [];
  const byOperation: number[][] = OPERATIONS.map(() => []);
  let errors = 0;
  const delay = monitorEventLoopDelay({ resolution: DELAY_RESOLUTION_MS });
  delay.enable();
  const deadline = performance.now() + SECONDS * 1000;
  const started0 = performance.now();
  const iv = Buffer.alloc(16, 1);
  const data = Buffer.alloc(64, 2);
  await Promise.all(
    clients.map(async (c, i) => {
      let step = 0;
      const begin = performance.now();
      while (performance.now() < deadline) {
        let started = performance.now();
        if (rate !== undefined) {
          const due = begin + ((step * CONNECTIONS + i) / rate) * 1000;
          if (due >= deadline) break;
          if (due > started) await new Promise((r) => setTimeout(r, due - started));
          // From when it was due, or from when it was sent if a timer fired early (timers have
          // millisecond grain): never a latency below the real one.
          started = Math.min(due, performance.now());
        }
        try {
          // The read-only mix skips Create: Get, Locate, Encrypt in turn.
          const kind = mix === 'read' ? 1 + (step++ % 3) : step++ % 4;
          switch (kind) {
            case 0:
              await c.create('SymmetricKey', {
                CryptographicAlgorithm: ['AES'],
                CryptographicLength: [256],
                CryptographicUsageMask: [0x0c],
              });
              break;
            case 1:
              await c.get(keys[i] as string);
              break;
            case 2:
              await c.locate({ Name: [{ NameValue: `bench-${label}-${i}`, NameType: 'UninterpretedTextString' }] });
              break;
            default:
              await c.encrypt(keys[i] as string, data, params, iv);
          }
          const took = performance.now() - started;
          latencies.push(took);
          byOperation[kind]?.push(took);
        } catch {
          errors++;
        }
      }
    }),
  );
  const elapsed = (performance.now() - started0) / 1000;
  delay.disable();
  await Promise.all(clients.map((c) => c.close()));
  latencies.sort((a, b) => a - b);
  const p99ByOperation: Record<string, number> = {};
  OPERATIONS.forEach((name, k) => {
    const sorted = (byOperation[k] as number[]).sort((a, b) => a - b);
    if (sorted.length > 0) p99ByOperation[name] = percentile(sorted, 0.99);
  });
  return {
    p99ByOperation,
    // The histogram holds the time between samples: the delay is what exceeds the resolution.
    clientDelayP99: Math.max(0, delay.percentile(99) / 1e6 - DELAY_RESOLUTION_MS),
    ops: latencies.length,
    opsPerSecond: latencies.length / Math.max(SECONDS, elapsed),
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    errors,
  };
}

function line(name: string, f: Figures): string {
  return `${name.padEnd(26)} ${f.opsPerSecond.toFixed(0).padStart(8)} ops/s   p50 ${f.p50.toFixed(2)} ms   p99 ${f.p99.toFixed(2)} ms   (${f.ops} ops, ${f.errors} errors)`;
}

/** Per-operation p99 and the load generator's own event-loop delay, under an open-loop line. */
function detail(f: Figures): string {
  const ops = Object.entries(f.p99ByOperation)
    .map(([name, p99]) => `${name} ${p99.toFixed(1)}`)
    .join(', ');
  return `${' '.repeat(28)}p99 by operation (ms): ${ops}; client event-loop delay p99 ${f.clientDelayP99.toFixed(1)} ms`;
}

function rssKiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : NaN;
}

async function startKeyhold(
  dir: string,
  serveArgs: string[] = [],
): Promise<{ child: ChildProcess; port: number; tls: Tls }> {
  const env = { PATH: process.env['PATH'], HOME: dir, KEYHOLD_PASSPHRASE: 'bench passphrase' } as NodeJS.ProcessEnv;
  // KMIP_BENCH_SERVER_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/p") go to `keyhold serve`'s node only.
  const serverNodeArgs = (process.env['KMIP_BENCH_SERVER_NODE_ARGS'] ?? '').split(' ').filter((a) => a !== '');
  const vault = path.join(dir, 'vault');
  const run = (args: string[]) => {
    const r = spawnSync(process.execPath, [BIN, ...args], { env, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`keyhold ${args[0]} failed: ${r.stderr}`);
  };
  run(['vault', 'init', '--vault', vault, '--kdf-memory', '64', '--kdf-iterations', '1']);
  run(['clients', 'enroll', 'bench', '--vault', vault, '--out', path.join(dir, 'clients')]);
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [
      ...serverNodeArgs,
      BIN,
      'serve',
      '--vault',
      vault,
      '--port',
      String(port),
      '--max-connections',
      String(IDLE + 100),
      ...serveArgs,
    ],
    {
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('listening on')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`keyhold serve exited ${code}`)));
  });
  const c = (f: string) => readFileSync(path.join(dir, 'clients', f), 'utf8');
  return { child, port, tls: { cert: c('bench.crt'), key: c('bench.key'), ca: c('ca.crt') } };
}

/**
 * The disk alone, for the open-loop figures beside it: what a commit's fsync costs on this
 * machine with no server running. A preallocated file (as a WAL is once it starts over) gets
 * three 4,120-byte frames written in place and fdatasynced, RATE times a second for SECONDS.
 */
async function diskSync(dir: string, rate = 100): Promise<void> {
  const file = await open(path.join(dir, 'fdatasync-probe'), 'w+');
  try {
    await file.write(Buffer.alloc(4 << 20));
    await file.datasync();
    const frames = Buffer.alloc(3 * 4120, 7);
    const took: number[] = [];
    const deadline = performance.now() + SECONDS * 1000;
    for (
      let offset = 0;
      performance.now() < deadline;
      offset = (offset + frames.length) % ((4 << 20) - frames.length)
    ) {
      await file.write(frames, 0, frames.length, offset);
      const started = performance.now();
      await file.datasync();
      took.push(performance.now() - started);
      await new Promise((r) => setTimeout(r, 1000 / rate));
    }
    took.sort((a, b) => a - b);
    console.log(
      `disk: write 12 KB in place + fdatasync, ${rate}/s for ${SECONDS} s, no server running: ` +
        `p50 ${percentile(took, 0.5).toFixed(2)} ms, p99 ${percentile(took, 0.99).toFixed(2)} ms, ` +
        `max ${(took[took.length - 1] as number).toFixed(2)} ms (${took.length} syncs)`,
    );
  } finally {
    await file.close();
  }
}

export async function bench(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'keyhold-kmip-bench-'));
  /** The vaults' directories, removed at the end. */
  const dirs = [dir];
  await diskSync(dir);
  const keyhold = await startKeyhold(dir);
  const openLoop = async (name: string, rate: number, mix: Mix): Promise<void> => {
    const f = await load(keyhold.port, keyhold.tls, `keyhold-${mix}-${rate}`, rate, mix);
    console.log(line(`  ${name} @${rate}/s`, f));
    console.log(detail(f));
  };
  try {
    console.log(
      `KMIP load: ${CONNECTIONS} mutual-TLS connections, ${SECONDS} s each, mix Create/Get/Locate/Encrypt (AES-256-CBC, 64 bytes)`,
    );
    if (GIVEN_MAX !== undefined) {
      // Quick runs: only the open loops, against the maximum given.
      console.log(`open loop (latency from when each request was due), shares of ${GIVEN_MAX} ops/s:`);
      for (const share of SHARES) {
        await openLoop(`mix ${share * 100}% of max`, Math.max(10, Math.round(share * GIVEN_MAX)), 'mixed');
      }
      // The same rates against the same server code over an in-memory store (no fsync, no
      // write lock held across database calls), in this process: what the protocol, TLS and
      // this machine alone give.
      const memory = await startMemoryKmipServer();
      try {
        const client = memory.pki.client('bench');
        const tls = { cert: pem(client.cert), key: pem(client.key), ca: pem(memory.pki.caCert) };
        for (const share of SHARES) {
          const rate = Math.max(10, Math.round(share * GIVEN_MAX));
          const f = await load(memory.port, tls, `memory-${rate}`, rate);
          console.log(line(`  memory ${share * 100}% @${rate}/s`, f));
          console.log(detail(f));
        }
      } finally {
        await memory.server.close();
      }
      const rates = SHARES.map((share) => Math.max(10, Math.round(share * GIVEN_MAX)));
      for (const mode of OTHER_DURABILITIES) await otherDurability(mode, rates, dirs);
      return;
    }
    const rates = await fullRun(keyhold, openLoop);
    for (const mode of OTHER_DURABILITIES) await otherDurability(mode, rates, dirs);
  } finally {
    await stopKeyhold(keyhold);
    // Only now: deleting a vault's tens of MB mid-run (the disk is mounted with online discard
    // here) slowed the fsyncs of the next server's first loops.
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
}

async function stopKeyhold(keyhold: { child: ChildProcess }): Promise<void> {
  keyhold.child.kill('SIGTERM');
  await new Promise((r) => (keyhold.child.exitCode === null ? keyhold.child.once('exit', r) : r(undefined)));
}

/**
 * The other --commit-durability modes beside the default (`changes`: a change answered once on
 * disk, a read once all it saw is, its own audit entry once the OS has it). `fsync`: every answer
 * after the fsync that covers it, a read's audit entry included. `write`: every answer once the
 * OS has the WAL, the fsync right after (a power cut may lose the last milliseconds).
 */
const OTHER_DURABILITIES = [
  { mode: 'fsync', says: 'every answer after the fsync, audit entries of reads too' },
  { mode: 'write', says: 'answered before the fsync' },
] as const;

/** Quiet time after a warm-up run, before the open loops. */
const WARM_UP_PAUSE_MS = 10_000;

/**
 * The same open loops against a second vault served with another --commit-durability; its
 * directory goes in `dirs`, for the caller to remove.
 */
async function otherDurability(
  durability: (typeof OTHER_DURABILITIES)[number],
  rates: number[],
  dirs: string[],
): Promise<void> {
  const { mode, says } = durability;
  const dir = mkdtempSync(path.join(tmpdir(), `keyhold-kmip-bench-${mode}-`));
  dirs.push(dir);
  const keyhold = await startKeyhold(dir, ['--commit-durability', mode]);
  try {
    // A fresh process: one closed-loop run first, as the default server had, so both are warm;
    // then a pause, as the default server had between that run and its open loops (the in-memory
    // and PyKMIP runs), so the checkpoints of the warm-up's writes are not in the first loop.
    await load(keyhold.port, keyhold.tls, `keyhold-${mode}-warm-up`);
    await new Promise((r) => setTimeout(r, WARM_UP_PAUSE_MS));
    console.log(`open loop, --commit-durability ${mode} (${says}; after a warm-up run):`);
    for (const rate of rates) {
      const f = await load(keyhold.port, keyhold.tls, `keyhold-${mode}-${rate}`, rate);
      console.log(line(`  mix ${mode} @${rate}/s`, f));
      console.log(detail(f));
    }
  } finally {
    await stopKeyhold(keyhold);
  }
}

/** Prints the server's resident memory before and with IDLE open TLS connections, then closes them. */
async function idleMemory(keyhold: { child: ChildProcess; port: number; tls: Tls }, when: string): Promise<void> {
  const pid = keyhold.child.pid as number;
  const before = rssKiB(pid);
  const idle: KmipConnection[] = [];
  for (let i = 0; i < IDLE; i += 50) {
    idle.push(
      ...(await Promise.all(
        Array.from({ length: Math.min(50, IDLE - i) }, () =>
          KmipConnection.open({ host: '127.0.0.1', port: keyhold.port, ...keyhold.tls, timeoutMs: 60_000 }),
        ),
      )),
    );
  }
  const after = rssKiB(pid);
  // Then the 1,000 stay open and idle: what a server holding them settles at (it gives back what
  // the handshakes and earlier connections freed once quiet).
  await new Promise((r) => setTimeout(r, SETTLE * 1000));
  const settled = rssKiB(pid);
  const mb = (kib: number): string => `${(kib / 1024).toFixed(0)} MiB (${((kib * 1024) / 1e6).toFixed(0)} MB)`;
  console.log(
    `keyhold serve memory, ${when}: ${mb(before)} before, ${mb(after)} with ${idle.length} open TLS connections, ` +
      `${mb(settled)} ${SETTLE} s later`,
  );
  await Promise.all(idle.map((c) => c.close()));
}

/** The closed and open loops and both memory figures; returns the open-loop rates of the mix. */
async function fullRun(
  keyhold: { child: ChildProcess; port: number; tls: Tls },
  openLoop: (name: string, rate: number, mix: Mix) => Promise<void>,
): Promise<number[]> {
  const pki = makeTestPki();
  const pykmip = await startPyKmipServer(pki);
  try {
    await idleMemory(keyhold, 'fresh, before any load');
    const k = await load(keyhold.port, keyhold.tls, 'keyhold');
    console.log(line('keyhold serve (closed)', k));
    // The same server code over an in-memory store, in this process: the protocol's own cost
    // without the vault's durable (fsync per commit) writes.
    const memory = await startMemoryKmipServer();
    const memoryClient = memory.pki.client('bench');
    const memoryTls = { cert: pem(memoryClient.cert), key: pem(memoryClient.key), ca: pem(memory.pki.caCert) };
    const alice = pki.client('bench');
    const aliceTls = { cert: pem(alice.cert), key: pem(alice.key), ca: pem(pki.caCert) };
    const m = await load(memory.port, memoryTls, 'memory');
    await memory.server.close();
    console.log(line('keyhold memory (closed)', m));
    const p = await load(pykmip.port, aliceTls, 'pykmip');
    console.log(line('pykmip-server (closed)', p));
    console.log(
      `ratio keyhold serve/pykmip: ${(k.opsPerSecond / p.opsPerSecond).toFixed(1)}x throughput, p99 ${(p.p99 / k.p99).toFixed(1)}x lower`,
    );
    console.log(
      `ratio keyhold memory/pykmip: ${(m.opsPerSecond / p.opsPerSecond).toFixed(1)}x throughput, p99 ${(p.p99 / m.p99).toFixed(1)}x lower`,
    );
    // Open loop: a steady offered rate over the same connections, latency from when each request
    // was due (no coordinated omission): the latency a client sees at that load.
    console.log('open loop (latency from when each request was due):');
    const rates = SHARES.map((share) => Math.max(10, Math.round(share * k.opsPerSecond)));
    for (const [i, share] of SHARES.entries())
      await openLoop(`mix ${share * 100}% of max`, rates[i] as number, 'mixed');
    // The aim's load: 20x what PyKMIP managed.
    await openLoop('mix 20x pykmip', Math.max(100, Math.round(20 * p.opsPerSecond)), 'mixed');
    // Reads only (Get, Locate, Encrypt): each still writes its audit entry before its answer.
    const r = await load(keyhold.port, keyhold.tls, 'keyhold-read', undefined, 'read');
    console.log(line('keyhold read-only (closed)', r));
    for (const share of [0.25, 0.5]) {
      await openLoop(`read ${share * 100}% of max`, Math.max(10, Math.round(share * r.opsPerSecond)), 'read');
    }

    await idleMemory(keyhold, 'after the load runs');
    return rates;
  } finally {
    await pykmip.stop();
    pki.dispose();
  }
}
