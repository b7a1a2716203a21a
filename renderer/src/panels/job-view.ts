// What the jobs panel shows of a job: its order in the list, the actions it allows and its ETA.
import type { Job } from '../../../contract/entities';

const ACTIVE: ReadonlySet<Job['status']> = new Set(['queued', 'running', 'paused', 'interrupted']);

export function isActive(job: Job): boolean {
  return ACTIVE.has(job.status);
}

/** Active jobs first (newest first), then finished ones (newest first). */
export function sortJobs(jobs: readonly Job[]): Job[] {
  return [...jobs].sort((a, b) => {
    if (isActive(a) !== isActive(b)) return isActive(a) ? -1 : 1;
    return b.createdAt.localeCompare(a.createdAt);
  });
}

export interface JobActions {
  pause: boolean;
  resume: boolean;
  cancel: boolean;
  retryFailed: boolean;
}

/**
 * Pause/resume/retry exist for pipeline runs (their queue survives); any active job can be
 * cancelled. A team project's run waits 'queued' until a worker takes an image: pausable too.
 */
export function jobActions(job: Job): JobActions {
  const pipeline = job.kind === 'pipeline';
  return {
    pause: pipeline && (job.status === 'running' || job.status === 'queued'),
    resume: pipeline && (job.status === 'paused' || job.status === 'interrupted'),
    cancel: job.status === 'queued' || job.status === 'running' || job.status === 'paused',
    retryFailed: pipeline && (job.status === 'done' || job.status === 'failed') && job.failed > 0,
  };
}

/** "12 s", "4 min 05 s", "2 h 03 min"; null for unknown. */
export function formatEta(seconds: number | null | undefined): string | null {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return null;
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

/** Keeps the newer of two states of the same job (events and list reloads race). */
export function mergeJob(list: readonly Job[], next: Job): Job[] {
  const i = list.findIndex((j) => j.id === next.id);
  if (i < 0) return [next, ...list];
  const prev = list[i]!;
  if (prev.updatedAt > next.updatedAt) return list as Job[];
  const out = [...list];
  out[i] = next;
  return out;
}

export function jobTitle(job: Job): string {
  switch (job.kind) {
    case 'pipeline':
      return 'Pipeline run';
    case 'import':
      return 'Import';
    case 'model-download':
      return 'Model download';
    default:
      return job.kind;
  }
}
