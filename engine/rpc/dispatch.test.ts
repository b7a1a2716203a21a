import { describe, expect, it } from 'vitest';
import type { ApiHandlers } from '../../contract/api';
import { NotFoundError } from '../errors';
import { createDispatcher } from './dispatch';

function handlers(overrides: Partial<Record<string, unknown>> = {}): ApiHandlers {
  const unused = async () => {
    throw new Error('not called');
  };
  const ns = new Proxy({}, { get: () => unused });
  return new Proxy({} as ApiHandlers, {
    get: (_t, name: string) => (overrides[name] as object | undefined) ?? ns,
  });
}

describe('dispatch', () => {
  it('passes validated input with defaults applied', async () => {
    let seen: unknown;
    const dispatch = createDispatcher(
      handlers({
        images: {
          list: async (input: unknown) => {
            seen = input;
            return { total: 0, items: [] };
          },
        },
      }),
    );
    const res = await dispatch('images.list', { projectId: 'p' });
    expect(res).toEqual({ ok: true, result: { total: 0, items: [] } });
    expect(seen).toEqual({ projectId: 'p', offset: 0, limit: 200 });
  });

  it('maps thrown errors to codes', async () => {
    const dispatch = createDispatcher(
      handlers({
        images: {
          get: async () => {
            throw new NotFoundError('image not found: 3');
          },
        },
        projects: {
          list: async () => {
            throw new Error('disk I/O error');
          },
        },
      }),
    );
    expect(await dispatch('images.get', { projectId: 'p', imageId: 3 })).toEqual({
      ok: false,
      error: { code: 'not-found', message: 'image not found: 3' },
    });
    expect(await dispatch('projects.list', {})).toEqual({
      ok: false,
      error: { code: 'failed', message: 'disk I/O error' },
    });
  });

  it('refuses output that breaks the contract instead of passing it on', async () => {
    const dispatch = createDispatcher(handlers({ projects: { list: async () => [{ id: 1 }] } }));
    const res = await dispatch('projects.list', {});
    expect(res.ok).toBe(false);
    if (!res.ok) expect(res.error.code).toBe('invalid-output');
  });
});
