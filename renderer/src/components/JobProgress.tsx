// A job's progress bar with `done / total`, its status and (while running) the file it works on.
// Test hooks: `${testid}` carries data-status, `${testid}-count` the count text.
import type { Job } from '../../../contract/entities';
import { jobPercent } from '../lib/jobs';
import { PathText } from './PathText';

export function JobProgress({
  job,
  current,
  running,
  testid,
}: {
  job: Job | null;
  current: string | null;
  running: boolean;
  testid: string;
}) {
  // A job that failed before it counted anything has only its error to show.
  if (job?.status === 'failed' && job.total === 0) return null;
  const status = job?.status ?? 'queued';
  return (
    <div className="progress-block" data-testid={testid} data-status={status}>
      <div
        className="progress"
        role="progressbar"
        aria-valuemin={0}
        aria-valuemax={job?.total ?? 0}
        aria-valuenow={job?.done ?? 0}
      >
        <div
          className={`progress-fill status-${status}`}
          style={{ width: `${jobPercent(job)}%` }}
        />
      </div>
      <div className="progress-text">
        <span data-testid={`${testid}-count`}>
          {job ? `${job.done} / ${job.total}` : 'Queued…'}
        </span>
        <span className="muted">{job ? job.status : ''}</span>
      </div>
      {running && current && <PathText className="progress-current muted" path={current} />}
    </div>
  );
}

/**
 * What a panel that starts a job shows under its form: the error (as text) and, once a job is
 * followed, its progress. Test hooks: `${name}-error`, `${name}-progress`.
 */
export function FollowedJobStatus({
  error,
  followed,
  name,
  boxed = true,
}: {
  error: string | null;
  followed: { jobId: string | null; job: Job | null; current: string | null; running: boolean };
  name: string;
  /** Error in an alert box (the default) or as plain error text. */
  boxed?: boolean;
}) {
  return (
    <>
      {error && (
        <p
          className={boxed ? 'error-text alert-box' : 'error-text'}
          role="alert"
          data-testid={`${name}-error`}
        >
          {error}
        </p>
      )}
      {followed.jobId && (
        <JobProgress
          job={followed.job}
          current={followed.current}
          running={followed.running}
          testid={`${name}-progress`}
        />
      )}
    </>
  );
}
