import { describe, expect, it } from 'vitest';
import type { Job } from '../../../contract/entities';
import { formatEta, jobActions, mergeJob, sortJobs } from './job-view';

const job = (over: Partial<Job>): Job => ({
  id: 'j',
  kind: 'pipeline',
  status: 'running',
  total: 10,
  done: 1,
  failed: 0,
  skipped: 0,
  message: null,
  createdAt: '2026-01-01T00:00:00Z',
  updatedAt: '2026-01-01T00:00:01Z',
  ...over,
});

describe('jobs panel view', () => {
  it('offers the actions each state allows', () => {
    expect(jobActions(job({}))).toEqual({
      pause: true,
      resume: false,
      cancel: true,
      retryFailed: false,
    });
    expect(jobActions(job({ status: 'queued' }))).toMatchObject({ pause: true, cancel: true });
    expect(jobActions(job({ status: 'interrupted' }))).toMatchObject({
      resume: true,
      cancel: false,
    });
    expect(jobActions(job({ status: 'done', failed: 2 }))).toMatchObject({
      retryFailed: true,
      cancel: false,
    });
    expect(jobActions(job({ kind: 'import' }))).toEqual({
      pause: false,
      resume: false,
      cancel: true,
      retryFailed: false,
    });
  });

  it('lists active jobs first, newest first', () => {
    const list = sortJobs([
      job({ id: 'old-done', status: 'done', createdAt: '2026-01-03' }),
      job({ id: 'run', createdAt: '2026-01-01' }),
      job({ id: 'paused', status: 'paused', createdAt: '2026-01-02' }),
    ]);
    expect(list.map((j) => j.id)).toEqual(['paused', 'run', 'old-done']);
  });

  it('keeps the newer state when an event and a reload race', () => {
    const older = job({ updatedAt: '2026-01-01T00:00:01Z', done: 1 });
    const newer = job({ updatedAt: '2026-01-01T00:00:05Z', done: 5 });
    expect(mergeJob([newer], older)[0]!.done).toBe(5);
    expect(mergeJob([older], newer)[0]!.done).toBe(5);
    expect(mergeJob([], newer)).toHaveLength(1);
  });

  it('formats an ETA', () => {
    expect(formatEta(null)).toBeNull();
    expect(formatEta(12.4)).toBe('12 s');
    expect(formatEta(245)).toBe('4 min 05 s');
    expect(formatEta(7380)).toBe('2 h 03 min');
  });
});
