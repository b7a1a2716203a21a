// The `imports` namespace's job, the same on a desktop project (engine/service.ts, JobRunner) and
// a team project (engine/team/team-import-jobs.ts): its progress counts, its end (the contract's
// ImportResult, counts and message) and the event that tells the clients to reload.
import type { ImportRequest, ImportResult } from '../../contract/api';
import type { EventBus } from '../event-bus';
import type { ImportRun } from '../import/import-request';
import type { ImportProgress } from '../import/types';

/** The request's import options (everything but the project). */
export type ImportJobRequest = Omit<ImportRequest, 'projectId'>;

/** A file's progress as the job's counts: duplicates count as skipped, as in the job's end. */
export function importJobProgress(p: ImportProgress) {
  return { total: p.total, done: p.done, skipped: p.skipped + p.duplicates, current: p.current };
}

/**
 * The job's end from what the import did, and an `images-changed` event for its batch. A request
 * from the UI always names an image folder.
 */
export function importJobEnd(run: ImportRun, events: EventBus, projectId: string) {
  if (!run.images) throw new Error('an import job without an image folder');
  const imported = run.images;
  const result: ImportResult = run.annotations
    ? { ...imported, annotations: run.annotations }
    : imported;
  events.emit({ type: 'images-changed', projectId, batchId: result.batchId });
  return {
    result,
    failed: result.issues.filter((i) => i.kind === 'failed').length,
    skipped: result.skipped + result.duplicates,
    message: `${result.imported} imported, ${result.duplicates} duplicates, ${result.skipped} skipped`,
  };
}
