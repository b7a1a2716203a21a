// Import form: source folder, optional depth folder + encoding, optional intrinsics. Starts an
// import job, follows it through `job` events (with polling as a safety net for missed events) and
// shows the engine's result, including every skipped/failed file with its reason.
import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { ImportRequest, ImportResult } from '../../../contract/api';
import type { Job } from '../../../contract/entities';
import { api, errorText } from '../api/client';
import { folderPicker } from '../api/bridge';
import { useEngineEvents } from '../app/hooks';
import { isTerminal, jobPercent, mergeJobState } from '../lib/jobs';
import {
  DEPTH_ENCODINGS,
  depthEncodingValue,
  parseIntrinsics,
  type IntrinsicsFields,
} from '../lib/format';
import { IssueList } from '../components/IssueList';
import { PathText } from '../components/PathText';

const ENCODING_LABELS: Record<(typeof DEPTH_ENCODINGS)[number], string> = {
  mm: 'mm: 16-bit millimetres',
  tum: 'tum: TUM RGB-D (raw / 5000)',
  sun: 'sun: SUN RGB-D (bit-rotated mm)',
  nyu: 'nyu: NYU raw Kinect disparity',
};

let lastHandledPick = 0;

const POLL_MS = 1000;

interface Props {
  projectId: string;
  onImported: (result: ImportResult | null) => void;
  /** When this number grows, focus the folder field and open the folder picker (app menu). */
  pickRequest?: number;
}

export function ImportPanel({ projectId, onImported, pickRequest = 0 }: Props) {
  const pick = folderPicker();
  const [folder, setFolder] = useState('');
  const [depthFolder, setDepthFolder] = useState('');
  const [encoding, setEncoding] = useState<string>('mm');
  const [scale, setScale] = useState('1000');
  const [intr, setIntr] = useState<IntrinsicsFields>({ fx: '', fy: '', cx: '', cy: '' });
  const [showIntrinsics, setShowIntrinsics] = useState(false);

  const [formError, setFormError] = useState<string | null>(null);
  const [starting, setStarting] = useState(false);
  const [jobId, setJobId] = useState<string | null>(null);
  const [job, setJob] = useState<Job | null>(null);
  const [current, setCurrent] = useState<string | null>(null);
  const [result, setResult] = useState<ImportResult | null>(null);
  const [jobError, setJobError] = useState<string | null>(null);
  const finishedFor = useRef<string | null>(null);

  const running = jobId !== null && !isTerminal(job);

  // Newer state wins: events and polls can arrive out of order.
  const accept = (next: Job) => setJob((prev) => mergeJobState(prev, next));

  useEngineEvents((e) => {
    if (e.type === 'job' && e.projectId === projectId && e.job.id === jobId) {
      accept(e.job);
      setCurrent(e.current);
    }
  });

  // Poll while running: covers events lost to a reconnect and jobs that end before the socket opens.
  useEffect(() => {
    if (!jobId || !running) return;
    let live = true;
    const timer = setInterval(() => {
      api.jobs.get({ projectId, jobId }).then(
        (j) => live && accept(j),
        () => undefined,
      );
    }, POLL_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [jobId, running, projectId]);

  // Job ended: fetch the result once, report it upward.
  useEffect(() => {
    if (!jobId || !job || job.id !== jobId || !isTerminal(job) || finishedFor.current === jobId)
      return;
    finishedFor.current = jobId;
    if (job.status === 'failed') setJobError(job.message ?? 'The import failed.');
    if (job.status === 'cancelled') setJobError('The import was cancelled.');
    api.imports.result({ projectId, jobId }).then(
      (r) => {
        setResult(r);
        onImported(r);
      },
      (err: unknown) => {
        setJobError((prev) => prev ?? errorText(err));
        onImported(null);
      },
    );
  }, [job, jobId, projectId, onImported]);

  const folderInput = useRef<HTMLInputElement | null>(null);
  useEffect(() => {
    // Module-level, so a request made while another page was shown is honoured on mount.
    if (pickRequest <= lastHandledPick) return;
    lastHandledPick = pickRequest;
    folderInput.current?.focus();
    if (pick) void browse(setFolder);
  });

  async function submit(ev: FormEvent) {
    ev.preventDefault();
    setFormError(null);
    setJobError(null);
    setResult(null);
    const src = folder.trim();
    if (!src) {
      setFormError('Enter the folder to import.');
      return;
    }
    const request: ImportRequest = { projectId, folder: src };
    const depth = depthFolder.trim();
    if (depth) {
      const enc = depthEncodingValue(encoding, scale);
      if ('error' in enc) {
        setFormError(enc.error);
        return;
      }
      request.depthFolder = depth;
      request.depthEncoding = enc.value;
    }
    const parsed = parseIntrinsics(intr);
    if ('error' in parsed) {
      setFormError(parsed.error);
      return;
    }
    if (parsed.value) request.intrinsics = parsed.value;

    setStarting(true);
    try {
      const { jobId: id } = await api.imports.start(request);
      finishedFor.current = null;
      setJob(null);
      setCurrent(null);
      setJobId(id);
    } catch (err) {
      setFormError(errorText(err));
    } finally {
      setStarting(false);
    }
  }

  async function cancel() {
    if (!jobId) return;
    try {
      accept(await api.jobs.cancel({ projectId, jobId }));
    } catch (err) {
      setJobError(errorText(err));
    }
  }

  async function browse(set: (v: string) => void) {
    if (!pick) return;
    try {
      const chosen = await pick();
      if (chosen) set(chosen);
    } catch (err) {
      setFormError(errorText(err));
    }
  }

  const pct = jobPercent(job);
  const error = formError ?? jobError;

  return (
    <section className="panel import-panel" aria-labelledby="import-title">
      <h2 id="import-title">Import images</h2>
      <form onSubmit={submit} className="form" data-testid="import-form">
        <label className="field">
          <span>Image folder</span>
          <div className="field-row">
            <input
              type="text"
              value={folder}
              onChange={(e) => setFolder(e.target.value)}
              ref={folderInput}
              placeholder="/path/to/images"
              spellCheck={false}
              data-testid="import-folder"
            />
            {pick && (
              <button type="button" className="btn" onClick={() => browse(setFolder)}>
                Browse…
              </button>
            )}
          </div>
        </label>
        <label className="field">
          <span>
            Depth folder <em>optional, paired by file name</em>
          </span>
          <div className="field-row">
            <input
              type="text"
              value={depthFolder}
              onChange={(e) => setDepthFolder(e.target.value)}
              placeholder="/path/to/depth"
              spellCheck={false}
              data-testid="import-depth-folder"
            />
            {pick && (
              <button type="button" className="btn" onClick={() => browse(setDepthFolder)}>
                Browse…
              </button>
            )}
          </div>
        </label>
        <div className={encoding === 'scale' ? 'field-grid encoding-scale' : 'field-grid one'}>
          <label className="field">
            <span>Depth encoding</span>
            <select
              value={encoding}
              onChange={(e) => setEncoding(e.target.value)}
              data-testid="import-depth-encoding"
            >
              {DEPTH_ENCODINGS.map((d) => (
                <option key={d} value={d}>
                  {ENCODING_LABELS[d]}
                </option>
              ))}
              <option value="scale">scale:K: metres = raw / K</option>
            </select>
          </label>
          {encoding === 'scale' && (
            <label className="field">
              <span>K</span>
              <input
                type="text"
                inputMode="decimal"
                value={scale}
                onChange={(e) => setScale(e.target.value)}
                data-testid="import-depth-scale"
              />
            </label>
          )}
        </div>
        <button
          type="button"
          className="link-btn"
          aria-expanded={showIntrinsics}
          onClick={() => setShowIntrinsics((s) => !s)}
          data-testid="import-intrinsics-toggle"
        >
          {showIntrinsics ? '▾' : '▸'} Camera intrinsics <em>optional, in pixels</em>
        </button>
        {showIntrinsics && (
          <div className="field-grid four">
            {(['fx', 'fy', 'cx', 'cy'] as const).map((k) => (
              <label className="field" key={k}>
                <span>{k}</span>
                <input
                  type="text"
                  inputMode="decimal"
                  value={intr[k]}
                  onChange={(e) => setIntr((s) => ({ ...s, [k]: e.target.value }))}
                  data-testid={`import-${k}`}
                />
              </label>
            ))}
          </div>
        )}
        <div className="form-actions">
          <button
            type="submit"
            className="btn btn-primary"
            disabled={starting || running}
            data-testid="import-start"
          >
            {running ? 'Importing…' : starting ? 'Starting…' : 'Import'}
          </button>
          {running && (
            <button type="button" className="btn" onClick={cancel} data-testid="import-cancel">
              Cancel
            </button>
          )}
        </div>
      </form>

      {error && (
        <p className="error-text" role="alert" data-testid="import-error">
          {error}
        </p>
      )}

      {jobId && !(job?.status === 'failed' && job.total === 0) && (
        <div
          className="progress-block"
          data-testid="import-progress"
          data-status={job?.status ?? 'queued'}
        >
          <div
            className="progress"
            role="progressbar"
            aria-valuemin={0}
            aria-valuemax={job?.total ?? 0}
            aria-valuenow={job?.done ?? 0}
          >
            <div
              className={`progress-fill status-${job?.status ?? 'queued'}`}
              style={{ width: `${pct}%` }}
            />
          </div>
          <div className="progress-text">
            <span data-testid="import-progress-count">
              {job ? `${job.done} / ${job.total}` : 'Queued…'}
            </span>
            <span className="muted">{job ? job.status : ''}</span>
          </div>
          {running && current && <PathText className="progress-current muted" path={current} />}
        </div>
      )}

      {result && (
        <div className="import-result" data-testid="import-result">
          <dl className="stats">
            <div>
              <dt>Imported</dt>
              <dd data-testid="import-result-imported">{result.imported}</dd>
            </div>
            <div>
              <dt>Duplicates</dt>
              <dd>{result.duplicates}</dd>
            </div>
            <div>
              <dt>Skipped</dt>
              <dd>{result.skipped}</dd>
            </div>
            <div>
              <dt>Depth</dt>
              <dd>{result.withDepth}</dd>
            </div>
          </dl>
          {result.issues.length > 0 && <IssueList issues={result.issues} />}
        </div>
      )}
    </section>
  );
}
