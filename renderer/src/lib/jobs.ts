// Job-state helpers for following an import: events and polls may arrive out of order.
import type { Job } from '../../../contract/entities';

export const TERMINAL_JOB_STATUSES: ReadonlySet<Job['status']> = new Set([
  'done',
  'failed',
  'cancelled',
]);

export function isTerminal(job: Job | null | undefined): boolean {
  return !!job && TERMINAL_JOB_STATUSES.has(job.status);
}

/** Whether `a` is a later state of the job than `b` (terminal beats running, then time, then count). */
export function isNewerJobState(a: Job, b: Job): boolean {
  if (isTerminal(a) !== isTerminal(b)) return isTerminal(a);
  if (a.updatedAt !== b.updatedAt) return a.updatedAt > b.updatedAt;
  return a.done > b.done;
}

/** The state to keep when `next` arrives while `prev` is shown. */
export function mergeJobState(prev: Job | null, next: Job): Job {
  return prev && prev.id === next.id && isNewerJobState(prev, next) ? prev : next;
}

/** 0..100 for a progress bar. */
export function jobPercent(job: Job | null): number {
  if (!job) return 0;
  if (job.total === 0) return isTerminal(job) ? 100 : 0;
  return Math.min(100, (job.done / job.total) * 100);
}
