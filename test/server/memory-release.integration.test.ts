import { afterEach, expect, it } from 'vitest';
import type { KmipServer } from '../../main/server/kmip-server.js';
import type { TestPki } from '../interop/support/certs.js';
import { connectTestClient, startMemoryKmipServer } from '../support/memory-kmip-server.js';

let running: { server: KmipServer; pki: TestPki } | undefined;

afterEach(async () => {
  await running?.server.close();
  running?.pki.dispose();
  running = undefined;
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A client connects, asks one Query and disconnects. */
async function oneClient(started: { pki: TestPki; port: number }): Promise<void> {
  const client = await connectTestClient(started, 'alice');
  await client.query();
  await client.close();
}

it('releases memory (the vault first) once the server is quiet after serving a client, not while idle', async () => {
  let quiet = 0;
  const started = await startMemoryKmipServer({
    whenQuiet: () => {
      quiet++;
      return Promise.resolve();
    },
  });
  running = started;
  // Nothing has happened yet: nothing to release.
  await sleep(1500);
  expect(quiet).toBe(0);
  await oneClient(started);
  // Quiet for a second after the last request and the disconnect: one release.
  const deadline = Date.now() + 5000;
  while (quiet === 0 && Date.now() < deadline) await sleep(50);
  expect(quiet).toBe(1);
  await sleep(1500);
  expect(quiet).toBe(1);
});

it('can be turned off', async () => {
  let quiet = 0;
  const started = await startMemoryKmipServer({
    releaseFreedMemory: false,
    whenQuiet: () => {
      quiet++;
      return Promise.resolve();
    },
  });
  running = started;
  await oneClient(started);
  await sleep(2500);
  expect(quiet).toBe(0);
});
