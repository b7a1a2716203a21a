// Perception models: what is installed (size, verification, the provider that loaded it), the
// execution providers this machine offers, downloads with live progress (they run as jobs), and the
// import of a local export.
import { useState } from 'react';
import type { Job } from '../../../contract/entities';
import type { ModelInfo } from '../../../contract/models';
import { api, errorText } from '../api/client';
import { useEngineEvents, useLoad } from '../app/hooks';
import { JobProgress } from '../components/JobProgress';
import { formatBytes } from '../lib/format';
import { isTerminal } from '../lib/jobs';
import { ModelImport } from './ModelImport';
import { PhotoModelsStep } from './PhotoModelsStep';

export function ModelsPanel({ projectId }: { projectId: string }) {
  const [models, reload] = useLoad(() => api.models.list({}), []);
  const [info] = useLoad(() => api.system.info({}), []);
  const [downloads, setDownloads] = useState<
    Record<string, { jobId: string; job: Job | null; current: string | null }>
  >({});
  const [error, setError] = useState<string | null>(null);

  useEngineEvents((e) => {
    if (e.type !== 'job' || e.projectId !== projectId || e.job.kind !== 'model-download') return;
    const entry = Object.entries(downloads).find(([, d]) => d.jobId === e.job.id);
    if (!entry) return;
    setDownloads((d) => ({ ...d, [entry[0]]: { ...entry[1], job: e.job, current: e.current } }));
    if (isTerminal(e.job)) reload();
  });

  const download = (id: string) => {
    setError(null);
    api.models.download({ projectId, id }).then(
      ({ jobId }) => setDownloads((d) => ({ ...d, [id]: { jobId, job: null, current: null } })),
      (err: unknown) => setError(errorText(err)),
    );
  };
  const cancel = (jobId: string) =>
    api.jobs.cancel({ projectId, jobId }).catch((err: unknown) => setError(errorText(err)));

  const providers = info.data?.executionProviders;
  const list = models.data?.models ?? [];
  const installed = list.filter((m) => m.installed).length;
  return (
    <section
      className="panel models-panel"
      aria-labelledby="models-title"
      data-testid="models-panel"
    >
      <h2 id="models-title">
        Models <span className="count">{installed} installed</span>
      </h2>
      {providers && (
        <p className="muted small" data-testid="models-providers">
          Execution providers:{' '}
          {providers.available.length ? providers.available.join(', ') : 'none'}
          {providers.runtimeVersion ? ` (onnxruntime ${providers.runtimeVersion})` : ''}
          {providers.error ? ` — ${providers.error}` : ''}
        </p>
      )}
      <PhotoModelsStep projectId={projectId} onInstalled={reload} />
      {models.state === 'error' && <p className="error-text small">{models.error}</p>}
      {error && (
        <p className="error-text small" role="alert">
          {error}
        </p>
      )}
      <ul className="model-list">
        {list.map((m) => {
          const d = downloads[m.id];
          const running = !!d && !isTerminal(d.job);
          return (
            <li
              key={m.id}
              className="model-row"
              data-testid="model-row"
              data-model-id={m.id}
              data-installed={m.installed}
            >
              <div className="model-head">
                <b>{m.displayName}</b>
                <span className="muted small">{m.task}</span>
              </div>
              <ModelState model={m} />
              <ModelFiles model={m} />
              {d && (
                <JobProgress
                  job={d.job}
                  current={d.current}
                  running={running}
                  testid={`model-download-${m.id}`}
                />
              )}
              <div className="btn-group">
                {!m.installed && m.downloadable && !running && (
                  <button
                    type="button"
                    className="btn small"
                    onClick={() => download(m.id)}
                    data-testid="model-download"
                  >
                    Download
                  </button>
                )}
                {running && (
                  <button type="button" className="btn small" onClick={() => void cancel(d.jobId)}>
                    Cancel
                  </button>
                )}
                {!m.installed && !running && (
                  <ImportLocal id={m.id} onDone={reload} onError={setError} />
                )}
              </div>
            </li>
          );
        })}
      </ul>
      {models.data && (
        <p className="muted small">
          Folder: <span className="mono">{models.data.modelsDir}</span>
        </p>
      )}
      {models.data && <ModelImport models={list} onImported={reload} />}
    </section>
  );
}

/** Import a local copy (offline install): a transformers.js folder or one .onnx file. */
function ImportLocal({
  id,
  onDone,
  onError,
}: {
  id: string;
  onDone: () => void;
  onError: (message: string | null) => void;
}) {
  const [path, setPath] = useState('');
  const submit = () => {
    onError(null);
    api.models.import({ id, path }).then(onDone, (err: unknown) => onError(errorText(err)));
  };
  return (
    <form
      className="inline-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (path.trim()) submit();
      }}
    >
      <input
        className="small mono"
        placeholder="folder or .onnx file"
        aria-label={`local copy of ${id}`}
        value={path}
        onChange={(e) => setPath(e.target.value)}
      />
      <button type="submit" className="btn small" disabled={!path.trim()}>
        Import local copy
      </button>
    </form>
  );
}

/** Each file's pin, size and checksum: "unpinned" where no commit is known. */
function ModelFiles({ model: m }: { model: ModelInfo }) {
  return (
    <details className="small" data-testid="model-files">
      <summary>
        {m.pinned ? 'pinned' : <span data-testid="model-unpinned">unpinned</span>} ·{' '}
        {m.licenses.join(' + ')}
      </summary>
      <ul className="mono">
        {m.files.map((f) => (
          <li key={f.path} data-file={f.path}>
            {f.path} · {f.revision ? `@${f.revision.slice(0, 12)}` : 'unpinned'} ·{' '}
            {f.size !== null ? `${f.size} B` : f.approxSize ? `≈${f.approxSize}` : 'size unknown'} ·{' '}
            {f.installedSha256
              ? `sha256 ${f.installedSha256.slice(0, 16)}…`
              : f.sha256
                ? `pinned sha256 ${f.sha256.slice(0, 16)}…`
                : 'sha256 recorded at install'}
          </li>
        ))}
      </ul>
      {m.verification?.files?.some((f) => !f.ok) && (
        <p className="error-text">
          {m.verification.files
            .filter((f) => !f.ok)
            .map((f) => `${f.path}: ${f.problem}`)
            .join('; ')}
        </p>
      )}
    </details>
  );
}

function ModelState({ model: m }: { model: ModelInfo }) {
  if (!m.installed)
    return (
      <p className="muted small">
        Not installed{m.downloadable ? '' : ' (no download URL: import a local export below)'}
        {m.lastError ? (
          <span className="error-text">
            {' '}
            — {m.lastError.operation}: {m.lastError.message}
          </span>
        ) : null}
      </p>
    );
  const verified = m.verification
    ? m.verification.ok
      ? 'verified'
      : 'verification failed'
    : 'not verified';
  return (
    <p className="small">
      {formatBytes(m.bytesOnDisk)} · {verified}
      {m.provider ? ` · runs on ${m.provider}` : ''}
      {m.lastError ? (
        <span className="error-text">
          {' '}
          — {m.lastError.operation}: {m.lastError.message}
        </span>
      ) : null}
    </p>
  );
}
