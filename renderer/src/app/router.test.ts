import { describe, expect, it } from 'vitest';
import { parseRoute, routeHref } from './router';

describe('router', () => {
  it('parses routes', () => {
    expect(parseRoute('#/image/12')).toEqual({ page: 'image', imageId: 12 });
    expect(parseRoute('#/batches/3')).toEqual({ page: 'batches', batchId: 3 });
    expect(parseRoute('#/batches')).toEqual({ page: 'batches', batchId: null });
    expect(parseRoute('')).toEqual({ page: 'batches', batchId: null });
    expect(parseRoute('#/image/0')).toEqual({ page: 'batches', batchId: null });
    expect(parseRoute('#token=abc')).toEqual({ page: 'batches', batchId: null });
  });
  it('round-trips', () => {
    expect(parseRoute('#/bench/3d')).toEqual({ page: 'bench', which: '3d' });
    for (const h of ['#/image/5', '#/batches/2', '#/batches', '#/bench/batch'])
      expect(routeHref(parseRoute(h))).toBe(h);
  });
});
