// The "get models" step for photos without sensor depth: the smallest set that makes them work
// (detector, box-to-mask, metric depth) with sizes and licences, one download of all of it (a job:
// progress, cancel, and a partial file resumes on the next click), then the pipeline again over
// the images it skipped for want of a model (onlyPending re-runs stages skipped as "no model").
import { useState } from 'react';
import { PipelineStage } from '../../../contract/api';
import type { Job } from '../../../contract/entities';
import { api, errorText } from '../api/client';
import { useEngineEvents, useLoad } from '../app/hooks';
import { JobProgress } from '../components/JobProgress';
import { isTerminal } from '../lib/jobs';

const mb = (bytes: number | null, exact: boolean) =>
  bytes === null ? 'size unknown' : `${exact ? '' : '≈'}${(bytes / 1e6).toFixed(1)} MB`;

export function PhotoModelsStep({
  projectId,
  onInstalled,
}: {
  projectId: string;
  onInstalled: () => void;
}) {
  const [plan, reload] = useLoad(() => api.models.photoPlan({}), []);
  const [download, setDownload] = useState<{
    jobId: string;
    job: Job | null;
    current: string | null;
  } | null>(null);
  const [installed, setInstalled] = useState(false);
  const [rerun, setRerun] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEngineEvents((e) => {
    if (e.type !== 'job' || e.projectId !== projectId || e.job.id !== download?.jobId) return;
    setDownload({ ...download, job: e.job, current: e.current });
    if (!isTerminal(e.job)) return;
    reload();
    onInstalled();
    if (e.job.status === 'done') setInstalled(true);
  });

  const start = () => {
    setError(null);
    api.models.getForPhotos({ projectId }).then(
      ({ jobId }) => {
        if (jobId) setDownload({ jobId, job: null, current: null });
        else reload();
      },
      (err: unknown) => setError(errorText(err)),
    );
  };
  const cancel = (jobId: string) =>
    api.jobs.cancel({ projectId, jobId }).catch((err: unknown) => setError(errorText(err)));
  const rerunSkipped = () => {
    setError(null);
    api.pipeline.start({ projectId, stages: [...PipelineStage.options], onlyPending: true }).then(
      ({ jobId }) => setRerun(jobId),
      (err: unknown) => setError(errorText(err)),
    );
  };

  const p = plan.data;
  if (!p) return null;
  const running = !!download && !isTerminal(download.job);
  const failed = download?.job && isTerminal(download.job) && download.job.status !== 'done';
  if (p.missingModels.length === 0 && !installed) return null;
  const exact = p.missingModels.every((m) => m.sizeExact);
  return (
    <div className="photo-models" data-testid="photo-models">
      {p.missingModels.length > 0 && (
        <>
          <p className="small">
            <b>Get models for photos.</b> Photos without sensor depth need a detector, a box-to-mask
            model and a metric depth model; without them the pipeline skips detection, masks, depth
            and the graph/QA stages.
          </p>
          <ul className="small" data-testid="photo-models-list">
            {p.missingModels.map((m) => (
              <li key={m.id} data-model-id={m.id}>
                {m.task}: <b>{m.displayName}</b> — {mb(m.bytes, m.sizeExact)}, licence{' '}
                {m.licenses.join(' + ')}
                {m.pinned ? '' : ' · unpinned'}
              </li>
            ))}
            {p.importOnly.map((t) => (
              <li key={t}>{t}: no model to download — import a local export below</li>
            ))}
          </ul>
          {failed && download.job?.message && (
            <p className="error-text small" role="alert" data-testid="photo-models-error">
              {download.job.message}
            </p>
          )}
          <div className="btn-group">
            {!running && (
              <button
                type="button"
                className="btn small primary"
                onClick={start}
                data-testid="photo-models-get"
              >
                {failed ? 'Resume download' : `Download ${p.missingModels.length} models`} (
                {mb(p.totalBytes, exact)})
              </button>
            )}
            {running && (
              <button
                type="button"
                className="btn small"
                onClick={() => void cancel(download.jobId)}
              >
                Cancel
              </button>
            )}
          </div>
        </>
      )}
      {download && (
        <JobProgress
          job={download.job}
          current={download.current}
          running={running}
          testid="photo-models-download"
        />
      )}
      {installed && p.missingModels.length === 0 && (
        <div className="btn-group" data-testid="photo-models-done">
          <span className="small">Models for photos installed.</span>
          {rerun ? (
            <span className="small muted">Pipeline started on the skipped images.</span>
          ) : (
            <button
              type="button"
              className="btn small primary"
              onClick={rerunSkipped}
              data-testid="photo-models-rerun"
            >
              Re-run pipeline on skipped images
            </button>
          )}
        </div>
      )}
      {error && (
        <p className="error-text small" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
