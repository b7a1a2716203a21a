// Running and recent jobs of the project: progress with per-stage counts, the image in work, ETA
// and providers (pipeline runs), pause/resume/cancel/retry, and each failure with its reason.
import { useState } from 'react';
import type { Job } from '../../../contract/entities';
import { api, errorText } from '../api/client';
import { useEngineEvents, useLoad } from '../app/hooks';
import { JobProgress } from '../components/JobProgress';
import { PathText } from '../components/PathText';
import { formatDate } from '../lib/format';
import { formatEta, isActive, jobActions, jobTitle, mergeJob, sortJobs } from './job-view';

const FINISHED_SHOWN = 5;

export function JobsPanel({ projectId }: { projectId: string }) {
  const [loaded, reload] = useLoad(() => api.jobs.list({ projectId }), [projectId]);
  const [live, setLive] = useState<Job[]>([]);
  const [current, setCurrent] = useState<Record<string, string | null>>({});
  useEngineEvents((e) => {
    if (e.type !== 'job' || e.projectId !== projectId) return;
    setLive((l) => mergeJob(l, e.job));
    setCurrent((c) => ({ ...c, [e.job.id]: e.current }));
  });
  // Events newer than the last list load win.
  let jobs = loaded.data ?? [];
  for (const j of live) jobs = mergeJob(jobs, j);
  const sorted = sortJobs(jobs);
  const active = sorted.filter(isActive);
  const finished = sorted.filter((j) => !isActive(j)).slice(0, FINISHED_SHOWN);

  return (
    <section className="panel jobs-panel" aria-labelledby="jobs-title" data-testid="jobs-panel">
      <div className="panel-head">
        <h2 id="jobs-title">
          Jobs <span className="count">{active.length} active</span>
        </h2>
        <button type="button" className="link-btn small" onClick={reload}>
          Refresh
        </button>
      </div>
      {loaded.state === 'error' && <p className="error-text">{loaded.error}</p>}
      {sorted.length === 0 && loaded.state === 'ready' && (
        <p className="muted small">No jobs yet.</p>
      )}
      <ul className="job-list">
        {[...active, ...finished].map((j) => (
          <JobRow
            key={j.id}
            projectId={projectId}
            job={j}
            current={current[j.id] ?? j.progress?.current ?? null}
            onChanged={(next) => setLive((l) => mergeJob(l, next))}
          />
        ))}
      </ul>
    </section>
  );
}

function JobRow({
  projectId,
  job,
  current,
  onChanged,
}: {
  projectId: string;
  job: Job;
  current: string | null;
  onChanged(job: Job): void;
}) {
  const [error, setError] = useState<string | null>(null);
  const [showFailures, setShowFailures] = useState(false);
  const actions = jobActions(job);
  const act = (fn: (input: { projectId: string; jobId: string }) => Promise<Job>) => () => {
    setError(null);
    fn({ projectId, jobId: job.id }).then(onChanged, (err: unknown) => setError(errorText(err)));
  };
  const p = job.progress ?? null;
  const eta = formatEta(p?.etaSeconds);
  return (
    <li className="job-row" data-testid="job-row" data-job-id={job.id} data-status={job.status}>
      <div className="job-head">
        <b>{jobTitle(job)}</b>
        <span className={`job-status status-${job.status}`}>{job.status}</span>
        <span className="muted small">{formatDate(job.createdAt)}</span>
      </div>
      <JobProgress job={job} current={null} running={false} testid={`job-progress-${job.id}`} />
      {isActive(job) && (eta || p?.imagesPerSecond) && (
        <div className="muted small" data-testid="job-eta">
          {eta ? `about ${eta} left` : ''}
          {p?.imagesPerSecond ? ` · ${p.imagesPerSecond.toFixed(1)} images/s` : ''}
        </div>
      )}
      {job.status === 'running' && current && <PathText className="muted small" path={current} />}
      {p && p.stages.length > 0 && (
        <table className="job-stages" data-testid="job-stages">
          <thead>
            <tr>
              <th>Stage</th>
              <th>done</th>
              <th>skipped</th>
              <th>failed</th>
            </tr>
          </thead>
          <tbody>
            {p.stages.map((s) => (
              <tr key={s.stage} data-stage={s.stage}>
                <td>
                  {s.stage}
                  {p.providers[s.stage] ? (
                    <span className="muted"> · {p.providers[s.stage]}</span>
                  ) : null}
                </td>
                <td>{s.done}</td>
                <td>{s.skipped}</td>
                <td className={s.failed > 0 ? 'bad' : ''}>{s.failed}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {p?.notices.map((n) => (
        <p key={n} className="muted small job-notice">
          {n}
        </p>
      ))}
      {/* The stage table and notices already say what a run's summary message says. */}
      {job.message && !isActive(job) && (!p || job.status === 'failed') && (
        <p className="small job-message">{job.message}</p>
      )}
      <div className="btn-group">
        {actions.pause && (
          <button
            type="button"
            className="btn small"
            onClick={act(api.jobs.pause)}
            data-testid="job-pause"
          >
            Pause
          </button>
        )}
        {actions.resume && (
          <button
            type="button"
            className="btn small"
            onClick={act(api.jobs.resume)}
            data-testid="job-resume"
          >
            Resume
          </button>
        )}
        {actions.cancel && (
          <button
            type="button"
            className="btn small"
            onClick={act(api.jobs.cancel)}
            data-testid="job-cancel"
          >
            Cancel
          </button>
        )}
        {actions.retryFailed && (
          <button
            type="button"
            className="btn small"
            onClick={act(api.jobs.retryFailed)}
            data-testid="job-retry"
          >
            Retry failed
          </button>
        )}
        {job.failed > 0 && (
          <button
            type="button"
            className="link-btn small"
            aria-expanded={showFailures}
            onClick={() => setShowFailures((s) => !s)}
            data-testid="job-failures-toggle"
          >
            {showFailures ? '▾' : '▸'} {job.failed} failed
          </button>
        )}
      </div>
      {error && (
        <p className="error-text small" role="alert">
          {error}
        </p>
      )}
      {showFailures && <JobFailures projectId={projectId} job={job} />}
    </li>
  );
}

function JobFailures({ projectId, job }: { projectId: string; job: Job }) {
  const [failures] = useLoad(
    () => api.jobs.errors({ projectId, jobId: job.id, offset: 0, limit: 50 }),
    [projectId, job.id, job.failed],
  );
  if (failures.state === 'error') return <p className="error-text small">{failures.error}</p>;
  if (!failures.data) return <p className="muted small">Loading…</p>;
  if (failures.data.total === 0)
    return <p className="muted small">{job.message ?? 'No per-image failures recorded.'}</p>;
  return (
    <ul className="job-failures" data-testid="job-failures">
      {failures.data.items.map((f) => (
        <li key={`${f.imageId}-${f.stage}`}>
          <PathText className="small" path={f.image} />{' '}
          <span className="muted small">{f.stage}:</span> <span className="small">{f.reason}</span>
        </li>
      ))}
      {failures.data.total > failures.data.items.length && (
        <li className="muted small">
          … and {failures.data.total - failures.data.items.length} more
        </li>
      )}
    </ul>
  );
}
