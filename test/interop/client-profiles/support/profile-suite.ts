import { afterAll, beforeAll, expect } from 'vitest';
import { startProfileServer, type ClientFiles, type ProfileServer } from './profile-server.js';
import {
  newerFields,
  RawSession,
  request,
  type BatchItemSpec,
  type RequestOptions,
  type Response,
  type Version,
} from './wire.js';

/** One client-profile test file's server and enrolled client, ready once its `beforeAll` ran. */
export interface ProfileSuite {
  server: ProfileServer;
  files: ClientFiles;
  /** The connection opened before the tests, for profiles that keep one (`session: true`). */
  session: RawSession;
  /** A new connection as the enrolled client. */
  open(o?: Parameters<typeof RawSession.open>[2]): Promise<RawSession>;
  /** A new connection speaking `v`: every answer is checked by `expectSpoken`. */
  speaking(v: Version, o?: RequestOptions): Promise<SpokenSession>;
  /** Runs `fn` on a new connection speaking `v` and closes it after. */
  speakingIn<T>(v: Version, fn: (c: SpokenSession) => Promise<T>): Promise<T>;
}

export interface SpokenSession {
  send(items: BatchItemSpec[]): Promise<Response>;
  close(): void;
}

/**
 * Starts the profile's vault-backed server before the file's tests, enrolls `client` (and opens
 * one connection as it with `session: true`); closes and stops all after them.
 */
export function profileSuite(label: string, client: string, o: { session?: boolean } = {}): ProfileSuite {
  let server: ProfileServer | undefined;
  let files: ClientFiles | undefined;
  let session: RawSession | undefined;
  const ready = <T>(v: T | undefined, what: string): T => {
    if (v === undefined) throw new Error(`the ${label} profile has no ${what} (used outside its tests?)`);
    return v;
  };
  const suite: ProfileSuite = {
    get server() {
      return ready(server, 'server');
    },
    get files() {
      return ready(files, 'client files');
    },
    get session() {
      return ready(session, 'session (profileSuite without session: true)');
    },
    open: (options) => RawSession.open(suite.server.port, suite.files, options),
    async speaking(v, options) {
      const c = await suite.open();
      return { send: (items) => sendSpoken(c, v, items, options), close: () => c.close() };
    },
    async speakingIn(v, fn) {
      const c = await suite.speaking(v);
      try {
        return await fn(c);
      } finally {
        c.close();
      }
    },
  };
  beforeAll(async () => {
    server = await startProfileServer(label);
    files = await server.enroll(client);
    if (o.session) session = await suite.open();
  }, 120_000);
  afterAll(async () => {
    session?.close();
    await server?.stop();
  });
  return suite;
}

/** Every profile's check of an answer: in the version asked, with no field newer than it. */
export function expectSpoken(r: Response, v: Version): Response {
  expect(r.version).toEqual(v);
  expect(newerFields(r.raw, v)).toEqual([]);
  return r;
}

/** Sends `items` as a `v` request on `session` and checks the answer with `expectSpoken`. */
export async function sendSpoken(
  session: RawSession,
  v: Version,
  items: BatchItemSpec[],
  o: RequestOptions = {},
): Promise<Response> {
  return expectSpoken(await session.send(request(v, items, o)), v);
}
