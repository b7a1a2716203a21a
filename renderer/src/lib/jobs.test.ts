import { describe, expect, it } from 'vitest';
import type { Job } from '../../../contract/entities';
import { isNewerJobState, jobPercent, mergeJobState } from './jobs';

const job = (over: Partial<Job>): Job => ({
  id: 'j1',
  kind: 'import',
  status: 'running',
  total: 10,
  done: 0,
  failed: 0,
  skipped: 0,
  message: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  ...over,
});

describe('job state merging', () => {
  it('keeps a terminal state over a late running update', () => {
    const done = job({ status: 'done', done: 10, updatedAt: '2026-01-01T00:00:05.000Z' });
    const late = job({ status: 'running', done: 9, updatedAt: '2026-01-01T00:00:06.000Z' });
    expect(mergeJobState(done, late)).toBe(done);
    expect(isNewerJobState(done, late)).toBe(true);
  });
  it('prefers the later update, then the larger count', () => {
    const a = job({ done: 3, updatedAt: '2026-01-01T00:00:03.000Z' });
    const b = job({ done: 2, updatedAt: '2026-01-01T00:00:02.000Z' });
    expect(mergeJobState(a, b)).toBe(a);
    expect(mergeJobState(b, a)).toBe(a);
    const c = job({ done: 4, updatedAt: a.updatedAt });
    expect(mergeJobState(a, c)).toBe(c);
  });
  it('replaces the state of another job', () => {
    const old = job({ id: 'old', status: 'done' });
    const fresh = job({ id: 'new' });
    expect(mergeJobState(old, fresh)).toBe(fresh);
    expect(mergeJobState(null, fresh)).toBe(fresh);
  });
  it('computes a percentage', () => {
    expect(jobPercent(null)).toBe(0);
    expect(jobPercent(job({ done: 5 }))).toBe(50);
    expect(jobPercent(job({ total: 0 }))).toBe(0);
    expect(jobPercent(job({ total: 0, status: 'done' }))).toBe(100);
    expect(jobPercent(job({ done: 12 }))).toBe(100);
  });
});
