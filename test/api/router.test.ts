import { describe, expect, it } from 'vitest';
import { createRouter, deferredRouter } from '../../main/api/router.js';
import { KeyholdError } from '../../shared/errors.js';

describe('router', () => {
  const seen: unknown[] = [];
  const router = createRouter(
    {
      'objects.get': (r) => {
        seen.push(r);
        if (r.uniqueIdentifier === 'missing')
          throw new KeyholdError('not-found', 'No such object.', { reason: 'Item Not Found' });
        if (r.uniqueIdentifier === 'boom') throw new Error('secret internals /home/x');
        return {
          summary: { uniqueIdentifier: r.uniqueIdentifier, objectType: 'SymmetricKey', state: 'Active' },
          attributes: [],
          links: [],
          lifecycle: [],
          audit: [],
        };
      },
    },
    'http',
  );

  it('validates the request before the handler sees it', async () => {
    const r = await router.call('objects.get', { uniqueIdentifier: 5 });
    expect(r).toEqual({ ok: false, error: { code: 'invalid-argument', message: 'uniqueIdentifier must be text' } });
    const extra = await router.call('objects.get', { uniqueIdentifier: 'a', evil: true });
    expect(extra.ok).toBe(false);
    expect(seen).toEqual([]);
  });

  it('refuses unknown calls, including prototype names', async () => {
    for (const name of ['nope', '__proto__', 'constructor', 'toString', 42]) {
      const r = await router.call(name, {});
      expect(r.ok).toBe(false);
    }
  });

  it('returns values and KeyholdErrors as Results, masking other errors', async () => {
    expect(await router.call('objects.get', { uniqueIdentifier: 'k1' })).toMatchObject({
      ok: true,
      value: { summary: { uniqueIdentifier: 'k1' } },
    });
    expect(await router.call('objects.get', { uniqueIdentifier: 'missing' })).toEqual({
      ok: false,
      error: { code: 'not-found', message: 'No such object.', reason: 'Item Not Found' },
    });
    const boom = await router.call('objects.get', { uniqueIdentifier: 'boom' });
    expect(boom).toEqual({ ok: false, error: { code: 'internal', message: 'An internal error occurred.' } });
  });

  it('answers unsupported for calls with no engine part, and lists capabilities', async () => {
    const r = await router.call('ca.status', {});
    expect(r).toMatchObject({ ok: false, error: { code: 'unsupported', reason: 'Operation Not Supported' } });
    const caps = await router.call('system.capabilities', undefined);
    expect(caps).toMatchObject({
      ok: true,
      value: { transport: 'http', calls: { 'objects.get': true, 'ca.status': false } },
    });
  });

  it('still validates calls that have no handler', async () => {
    const r = await router.call('ca.sign', { requestUniqueIdentifier: '', validityDays: 1 });
    expect(r).toMatchObject({ ok: false, error: { code: 'invalid-argument' } });
  });

  it('a deferred router waits for the engine, and reports a failed load as a Result', async () => {
    let release: (r: ReturnType<typeof createRouter>) => void = () => undefined;
    const later = deferredRouter(new Promise((resolve) => (release = resolve)));
    const pending = later.call('system.capabilities', {});
    release(createRouter({}, 'http'));
    expect(await pending).toMatchObject({ ok: true, value: { transport: 'http' } });
    const broken = deferredRouter(Promise.reject(new Error('module missing')));
    expect(await broken.call('vault.status', {})).toEqual({
      ok: false,
      error: { code: 'internal', message: 'An internal error occurred.' },
    });
  });
});
