/**
 * The control socket's protocol: one JSON object per line each way. A request is
 * `{"id": 1, "method": "clients.enroll", "params": {...}}`; its answer carries the same id and
 * either `"ok": true, "result": ...` or `"ok": false, "error": {"code", "message"}`. Every line
 * is checked against the method's schema before the engine sees it; a bad line gets an error
 * answer and the connection (and the server) carry on.
 */
import { KeyholdError, isKeyholdError } from '../../shared/errors.js';
import { array, boolean, none, object, optional, string, type Infer, type Schema } from '../../shared/api/schema.js';

/** Longest request line accepted, in bytes: requests are small (names and identifiers). */
export const MAX_CONTROL_LINE = 64 * 1024;

const clientName = string({ min: 1, max: 64, pattern: /^[A-Za-z0-9][A-Za-z0-9._-]*$/ });
const uniqueIdentifier = string({ min: 1, max: 128 });
/** A client Credential as the CLI hashed it (hex salt and hash): the socket never carries a password. */
const credential = object({
  username: string({ min: 1, max: 256 }),
  scheme: string({ min: 1, max: 64 }),
  salt: string({ min: 2, max: 256, pattern: /^[0-9a-f]+$/ }),
  hash: string({ min: 2, max: 256, pattern: /^[0-9a-f]+$/ }),
});

export const controlMethods = {
  /** Who answers: the server's process, address and vault. */
  'server.status': none,
  'clients.list': none,
  'clients.enroll': object({ name: clientName, admin: optional(boolean()), credential: optional(credential) }),
  /** Sets a client's Credential, or clears it when none is given. */
  'clients.password': object({ name: clientName, credential: optional(credential) }),
  'clients.revoke': object({ name: clientName }),
  'grants.list': object({ name: optional(clientName) }),
  'grants.add': object({
    name: clientName,
    uniqueIdentifier,
    operations: optional(array(string({ min: 1, max: 64 }), { max: 64 })),
  }),
  'grants.remove': object({ name: clientName, uniqueIdentifier }),
} satisfies Record<string, Schema<unknown>>;

export type ControlMethod = keyof typeof controlMethods;
export type ControlParams<M extends ControlMethod> = Infer<(typeof controlMethods)[M]>;

export type ControlId = string | number | null;

export type ControlRequest = {
  [M in ControlMethod]: { id: ControlId; method: M; params: ControlParams<M> };
}[ControlMethod];

export interface ControlError {
  code: string;
  message: string;
  reason?: string;
}

export type ControlResponse =
  { id: ControlId; ok: true; result: unknown } | { id: ControlId; ok: false; error: ControlError };

function isMethod(m: unknown): m is ControlMethod {
  return typeof m === 'string' && Object.hasOwn(controlMethods, m);
}

/** The id of a request line, when one can be read, so even a refused request is answered by id. */
function idOf(value: unknown): ControlId {
  if (typeof value !== 'object' || value === null) return null;
  const id = (value as Record<string, unknown>)['id'];
  return (typeof id === 'string' && id.length <= 64) || (typeof id === 'number' && Number.isSafeInteger(id))
    ? id
    : null;
}

/** Parses and checks one request line; throws a refusal that already knows the request's id. */
export function parseControlRequest(line: string): ControlRequest {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new ControlRefusal(null, new KeyholdError('invalid-argument', 'the request is not a JSON object'));
  }
  const id = idOf(value);
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new ControlRefusal(id, new KeyholdError('invalid-argument', 'the request is not a JSON object'));
  const input = value as Record<string, unknown>;
  for (const key of Object.keys(input)) {
    if (key !== 'id' && key !== 'method' && key !== 'params')
      throw new ControlRefusal(id, new KeyholdError('invalid-argument', `${key} is not a known field`));
  }
  if (input['id'] !== undefined && id === null)
    throw new ControlRefusal(null, new KeyholdError('invalid-argument', 'id must be a number or short text'));
  const method = input['method'];
  if (!isMethod(method)) {
    throw new ControlRefusal(
      id,
      new KeyholdError('unsupported', `unknown method ${typeof method === 'string' ? method.slice(0, 64) : '(none)'}`),
    );
  }
  try {
    const params = controlMethods[method].parse(input['params'], 'params');
    return { id, method, params } as ControlRequest;
  } catch (e) {
    throw new ControlRefusal(id, e);
  }
}

/** A request refused before it reached the engine. */
export class ControlRefusal extends Error {
  constructor(
    readonly id: ControlId,
    readonly error: unknown,
  ) {
    super(isKeyholdError(error) ? error.message : 'refused');
  }
}

/** An error as the protocol carries it: the KeyholdError's code, message and reason. */
export function controlError(e: unknown): ControlError {
  if (isKeyholdError(e))
    return { code: e.code, message: e.message, ...(e.reason !== undefined ? { reason: e.reason } : {}) };
  return { code: 'internal', message: 'the server could not answer this request' };
}

/** The error a client raises for a failed answer: the server's code and message. */
export function errorFromControl(error: ControlError): KeyholdError {
  const codes = new Set([
    'invalid-argument',
    'not-found',
    'permission-denied',
    'illegal-state',
    'unsupported',
    'io',
    'vault-locked',
    'internal',
  ]);
  const code = (codes.has(error.code) ? error.code : 'internal') as ConstructorParameters<typeof KeyholdError>[0];
  return new KeyholdError(code, error.message, error.reason !== undefined ? { reason: error.reason } : {});
}

/** One response line (newline-terminated). */
export function encodeControlResponse(response: ControlResponse): string {
  return `${JSON.stringify(response)}\n`;
}
