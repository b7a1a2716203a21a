// Runs the pipeline over the project's images (a panel above the image grid): stage choice (defaults: segment, lift, graph, qa),
// progress from `job` events, then the summary per stage (done, skipped reasons with counts,
// failures with reasons) and the engine's notices (such as a stage with no model installed).
import { useState } from 'react';
import { PipelineStage, type PipelineSummary } from '../../../contract/api';
import { api, errorText } from '../api/client';
import { useFollowedJob } from '../app/useJob';
import { IssueList } from '../components/IssueList';
import { FollowedJobStatus } from '../components/JobProgress';

type Stage = (typeof PipelineStage.options)[number];
type StageSummary = NonNullable<PipelineSummary['stages']['graph']>;

const DEFAULT_STAGES: ReadonlySet<Stage> = new Set(['segment', 'lift', 'graph', 'qa']);

interface Props {
  projectId: string;
  onFinished: (summary: PipelineSummary | null) => void;
}

export function PipelinePanel({ projectId, onFinished }: Props) {
  const [stages, setStages] = useState<ReadonlySet<Stage>>(DEFAULT_STAGES);
  const [onlyPending, setOnlyPending] = useState(false);
  const [labels, setLabels] = useState('');
  const [showOptions, setShowOptions] = useState(false);
  const [formError, setFormError] = useState<string | null>(null);
  const [starting, setStarting] = useState(false);
  const followed = useFollowedJob<PipelineSummary>(
    projectId,
    'pipeline run',
    (jobId) => api.pipeline.result({ projectId, jobId }),
    onFinished,
  );
  const { running, result } = followed;

  async function start() {
    setFormError(null);
    followed.reset();
    const chosen = PipelineStage.options.filter((s) => stages.has(s));
    if (chosen.length === 0) {
      setFormError('Choose at least one stage.');
      return;
    }
    setStarting(true);
    try {
      const { jobId } = await api.pipeline.start({
        projectId,
        stages: chosen,
        onlyPending,
        labels: labels
          .split(',')
          .map((l) => l.trim())
          .filter(Boolean),
      });
      followed.follow(jobId);
    } catch (err) {
      setFormError(errorText(err));
    } finally {
      setStarting(false);
    }
  }

  const toggle = (s: Stage, on: boolean) =>
    setStages((prev) => {
      const next = new Set(prev);
      if (on) next.add(s);
      else next.delete(s);
      return next;
    });

  const error = formError ?? followed.error;

  return (
    <section className="panel pipeline-panel" aria-labelledby="pipeline-title">
      <div className="pipeline-head">
        <div className="pipeline-title">
          <h2 id="pipeline-title">Pipeline</h2>
          <p className="muted small">
            Turns imported boxes and depth into 3D scene graphs and QA pairs for every image in the
            project.
          </p>
        </div>
        <div className="pipeline-actions">
          <button
            type="button"
            className="link-btn"
            aria-expanded={showOptions}
            onClick={() => setShowOptions((s) => !s)}
            data-testid="pipeline-options-toggle"
          >
            {showOptions ? '▾' : '▸'} Stages{' '}
            <em>{PipelineStage.options.filter((s) => stages.has(s)).join(', ') || 'none'}</em>
          </button>
          {running && (
            <button
              type="button"
              className="btn"
              onClick={followed.cancel}
              data-testid="pipeline-cancel"
            >
              Cancel
            </button>
          )}
          <button
            type="button"
            className="btn btn-primary"
            disabled={starting || running}
            onClick={start}
            data-testid="pipeline-start"
          >
            {running ? 'Running…' : starting ? 'Starting…' : 'Run pipeline'}
          </button>
        </div>
      </div>
      {showOptions && (
        <div className="pipeline-options">
          <div className="stage-checks">
            {PipelineStage.options.map((s) => (
              <label key={s} className="check">
                <input
                  type="checkbox"
                  checked={stages.has(s)}
                  onChange={(e) => toggle(s, e.target.checked)}
                  data-testid={`pipeline-stage-${s}`}
                />
                {s}
              </label>
            ))}
          </div>
          <label className="check">
            <input
              type="checkbox"
              checked={onlyPending}
              onChange={(e) => setOnlyPending(e.target.checked)}
              data-testid="pipeline-only-pending"
            />
            Only images whose stages have not finished
          </label>
          {stages.has('detect') && (
            <label className="field">
              Detect: what to look for (comma-separated; empty = the model&apos;s vocabulary)
              <input
                type="text"
                value={labels}
                onChange={(e) => setLabels(e.target.value)}
                placeholder="chair, table, lamp"
                data-testid="pipeline-labels"
              />
            </label>
          )}
        </div>
      )}
      <FollowedJobStatus error={error} followed={followed} name="pipeline" />

      {result && <SummaryView summary={result} />}
    </section>
  );
}

function SummaryView({ summary }: { summary: PipelineSummary }) {
  const stages = (['graph', 'qa'] as const).flatMap((name) => {
    const s = summary.stages[name];
    return s ? [{ name, s }] : [];
  });
  return (
    <div className="pipeline-summary" data-testid="pipeline-summary">
      <p className="small">
        <b>{summary.images}</b> {summary.images === 1 ? 'image' : 'images'} processed
        {summary.interrupted && (
          <span className="warn-text" data-testid="pipeline-interrupted">
            {' '}
            · interrupted: finished images are kept
          </span>
        )}
      </p>
      {summary.notices.length > 0 && (
        <ul className="notices" data-testid="pipeline-notices">
          {summary.notices.map((n, i) => (
            <li key={i}>{n}</li>
          ))}
        </ul>
      )}
      <div className="stage-summaries">
        {stages.map(({ name, s }) => (
          <StageView key={name} name={name} s={s} />
        ))}
      </div>
    </div>
  );
}

function StageView({ name, s }: { name: string; s: StageSummary }) {
  const skipped = Object.entries(s.skipped);
  const skippedTotal = skipped.reduce((n, [, c]) => n + c, 0);
  return (
    <div className="stage-summary" data-testid={`pipeline-stage-${name}-summary`}>
      <div className="stage-line">
        <span className="stage-name">{name}</span>
        <span>
          <b data-testid={`pipeline-${name}-done`}>{s.done}</b> done
        </span>
        {skippedTotal > 0 && (
          <span className="warn-text">
            <b>{skippedTotal}</b> skipped
          </span>
        )}
        {s.failed.length > 0 && (
          <span className="bad-text">
            <b>{s.failed.length}</b> failed
          </span>
        )}
      </div>
      {skipped.length > 0 && (
        <ul className="skip-reasons">
          {skipped.map(([reason, n]) => (
            <li key={reason}>
              <span className="skip-count">{n}×</span> {reason}
            </li>
          ))}
        </ul>
      )}
      {s.failed.length > 0 && (
        <IssueList
          issues={s.failed.map((f) => ({ path: f.image, kind: 'failed', reason: f.reason }))}
        />
      )}
    </div>
  );
}
