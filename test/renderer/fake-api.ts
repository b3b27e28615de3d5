/** A scripted API for store and component tests: each call answers from a table, and is recorded. */
import { createApi } from '../../shared/api/index.js';
import type { CallName, KeyholdApi, Result } from '../../shared/api/index.js';

export type Answers = Partial<Record<CallName, (request: unknown) => Result<unknown>>>;

export function fakeApi(answers: Answers): { api: KeyholdApi; calls: [CallName, unknown][] } {
  const calls: [CallName, unknown][] = [];
  const api = createApi(async (name, request) => {
    calls.push([name, request]);
    const answer = answers[name];
    return answer ? answer(request) : { ok: false, error: { code: 'unsupported', message: `${name} not scripted` } };
  });
  return { api, calls };
}
