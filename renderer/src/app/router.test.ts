import { describe, expect, it } from 'vitest';
import { parseRoute, routeHref, SECTIONS, sectionOf } from './router';

describe('router', () => {
  it('parses routes', () => {
    expect(parseRoute('#/image/12')).toEqual({ page: 'image', imageId: 12 });
    expect(parseRoute('#/batches/3')).toEqual({ page: 'batches', batchId: 3 });
    expect(parseRoute('#/batches')).toEqual({ page: 'batches', batchId: null });
    expect(parseRoute('')).toEqual({ page: 'batches', batchId: null });
    expect(parseRoute('#/image/0')).toEqual({ page: 'batches', batchId: null });
    expect(parseRoute('#token=abc')).toEqual({ page: 'batches', batchId: null });
  });
  it('parses each workspace section', () => {
    expect(parseRoute('#/review')).toEqual({ page: 'review', batchId: null });
    expect(parseRoute('#/review/4')).toEqual({ page: 'review', batchId: 4 });
    expect(parseRoute('#/jobs')).toEqual({ page: 'jobs' });
    expect(parseRoute('#/models')).toEqual({ page: 'models' });
    expect(parseRoute('#/export')).toEqual({ page: 'export' });
    expect(parseRoute('#/jobs/1')).toEqual({ page: 'batches', batchId: null });
  });
  it('round-trips', () => {
    expect(parseRoute('#/bench/3d')).toEqual({ page: 'bench', which: '3d' });
    for (const h of [
      '#/image/5',
      '#/batches/2',
      '#/batches',
      '#/bench/batch',
      '#/review',
      '#/review/7',
      '#/jobs',
      '#/models',
      '#/export',
    ])
      expect(routeHref(parseRoute(h))).toBe(h);
  });
  it('puts every section in the top bar; an image belongs to its batch', () => {
    for (const s of SECTIONS) expect(sectionOf(parseRoute(`#/${s.page}`))).toBe(s.page);
    expect(sectionOf({ page: 'image', imageId: 1 })).toBe('batches');
    expect(sectionOf({ page: 'bench', which: '3d' })).toBeNull();
  });
});
