import { afterAll, describe, expect, it } from 'vitest';
import { createApi } from '../../shared/api/index.js';
import type { Result } from '../../shared/api/index.js';

const sent: string[] = [];
let answer = 0;
const api = createApi(async (name) => {
  sent.push(name);
  return { ok: true, value: `${name}#${++answer}` } as Result<unknown>;
});
const g = globalThis as { window?: unknown };
g.window = { keyhold: api };
afterAll(() => delete g.window);

describe('first calls', () => {
  it('are sent when the module loads, before anything asks', async () => {
    const { apiWithFirstCalls } = await import('../../renderer/src/first-calls.js');
    expect(sent).toEqual(['system.capabilities', 'vault.status', 'settings.get']);
    const wrapped = apiWithFirstCalls();
    // The first ask of each gets the answer already requested: no second call.
    expect(await wrapped['vault.status']({})).toEqual({ ok: true, value: 'vault.status#2' });
    expect(await wrapped['settings.get']({})).toEqual({ ok: true, value: 'settings.get#3' });
    expect(await wrapped['system.capabilities']({})).toEqual({ ok: true, value: 'system.capabilities#1' });
    expect(sent).toHaveLength(3);
    // Later asks are new calls, and other calls go straight through.
    expect(await wrapped['vault.status']({})).toEqual({ ok: true, value: 'vault.status#4' });
    expect(await wrapped['vault.lock']({})).toEqual({ ok: true, value: 'vault.lock#5' });
    expect(sent).toEqual(['system.capabilities', 'vault.status', 'settings.get', 'vault.status', 'vault.lock']);
  });
});
