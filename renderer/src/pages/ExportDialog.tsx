// Export dialog: format, QA statuses and filters, images and depth, format options and the
// destination folder; the export runs as a job (progress from `job` events), then the result
// (counts, folder, checksum, skipped QA by reason) or the error is shown as text. Recent exports of
// the project are listed below the form.
import { useCallback, useEffect, useState } from 'react';
import {
  EXPORT_FORMATS,
  type ExportFormat,
  type ExportOptionsInput,
  type ExportRecord,
  type ExportResult,
} from '../../../contract/exports';
import { api, errorText } from '../api/client';
import { useFollowedJob } from '../app/useJob';
import { FollowedJobStatus } from '../components/JobProgress';

const FORMAT_HELP: Record<ExportFormat, string> = {
  spatialrgpt: 'Open Spatial Dataset records: <mask> regions with COCO RLE masks',
  'spatialrgpt-bench': 'SpatialRGPT-Bench records with machine answers, for the evaluation panel',
  llava: 'LLaVA / ShareGPT conversations, one line per image',
  hf: 'Hugging Face imagefolder with seeded splits and a dataset card',
  coco: 'COCO instances (boxes, RLE masks) readable by pycocotools',
  scenegraph: 'one scene graph JSON per image',
  'qa-jsonl': 'one QA pair per line with its machine value',
};
const EXTRA_STATUSES = ['proposed', 'changed', 'rejected'] as const;

interface Props {
  projectId: string;
  /** Closes the dialog (a running export goes on; its progress stays in the jobs list). */
  onClose: () => void;
  /** Called once when an export finishes, with its result (null when it failed or was cancelled). */
  onFinished?: (result: ExportResult | null) => void;
}

const names = (text: string) =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

export function ExportDialog({ projectId, onClose, onFinished }: Props) {
  const [format, setFormat] = useState<ExportFormat>('hf');
  const [outDir, setOutDir] = useState('');
  const [force, setForce] = useState(false);
  const [include, setInclude] = useState<ReadonlySet<(typeof EXTRA_STATUSES)[number]>>(new Set());
  const [families, setFamilies] = useState('');
  const [labels, setLabels] = useState('');
  const [reviewers, setReviewers] = useState('');
  const [images, setImages] = useState<'copy' | 'link' | 'none'>('copy');
  const [depth, setDepth] = useState<'none' | 'mm16' | 'osd8'>('none');
  const [splits, setSplits] = useState('0.8, 0.1, 0.1');
  const [seed, setSeed] = useState('0');
  const [rle, setRle] = useState<'string' | 'list'>('string');
  const [naming, setNaming] = useState<'expression' | 'region'>('expression');
  // Phrasings are rendered per reviewed fact at export: N of them (a seeded pick) or all.
  const [phrasings, setPhrasings] = useState('4');
  const [allPhrasings, setAllPhrasings] = useState(false);
  const [formError, setFormError] = useState<string | null>(null);
  const [starting, setStarting] = useState(false);
  const [recent, setRecent] = useState<ExportRecord[]>([]);

  const refreshRecent = useCallback(
    () =>
      api.exports
        .list({ projectId })
        .then(setRecent)
        .catch(() => setRecent([])),
    [projectId],
  );
  useEffect(() => {
    void refreshRecent();
  }, [refreshRecent]);

  const followed = useFollowedJob<ExportResult>(
    projectId,
    'export',
    (jobId) => api.exports.result({ projectId, jobId }),
    (result) => {
      void refreshRecent();
      onFinished?.(result);
    },
  );
  const { running, result } = followed;

  async function start() {
    setFormError(null);
    followed.reset();
    if (!outDir.trim()) {
      setFormError('Choose a destination folder.');
      return;
    }
    const shares = splits.split(',').map((s) => Number(s.trim()));
    if (format === 'hf' && (shares.length !== 3 || shares.some((s) => !Number.isFinite(s)))) {
      setFormError('Splits: three shares like 0.8, 0.1, 0.1.');
      return;
    }
    const perFact = Number(phrasings.trim());
    if (!allPhrasings && !(Number.isInteger(perFact) && perFact >= 1 && perFact <= 1000)) {
      setFormError('Phrasings per fact: a whole number from 1 to 1000, or tick "all".');
      return;
    }
    const options: ExportOptionsInput = {
      format,
      outDir: outDir.trim(),
      force,
      include: EXTRA_STATUSES.filter((s) => include.has(s)),
      families: names(families),
      labels: names(labels),
      reviewers: names(reviewers),
      images,
      depth,
      naming,
      phrasingsPerFact: allPhrasings ? 'all' : perFact,
      rle,
      seed: seed.trim() || '0',
      ...(format === 'hf'
        ? { splits: { train: shares[0]!, validation: shares[1]!, test: shares[2]! } }
        : {}),
    };
    setStarting(true);
    try {
      const { jobId } = await api.exports.start({ projectId, options });
      followed.follow(jobId);
    } catch (err) {
      setFormError(errorText(err));
    } finally {
      setStarting(false);
    }
  }

  const toggle = (s: (typeof EXTRA_STATUSES)[number], on: boolean) =>
    setInclude((prev) => {
      const next = new Set(prev);
      if (on) next.add(s);
      else next.delete(s);
      return next;
    });

  const error = formError ?? followed.error;
  const writesMedia = format !== 'scenegraph' && format !== 'qa-jsonl';

  return (
    // Inline placement, so the dialog works before the stylesheet knows its classes.
    <div
      className="dialog-backdrop"
      style={{
        position: 'fixed',
        inset: 0,
        background: 'rgba(0, 0, 0, 0.35)',
        display: 'flex',
        alignItems: 'flex-start',
        justifyContent: 'center',
        overflowY: 'auto',
        padding: '4vh 1rem',
        zIndex: 50,
      }}
    >
      <section
        style={{ width: 'min(44rem, 100%)', display: 'grid', gap: '0.6rem' }}
        className="panel export-dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby="export-title"
        data-testid="export-dialog"
      >
        <div className="pipeline-head">
          <h2 id="export-title">Export dataset</h2>
          <button type="button" className="btn" onClick={onClose} data-testid="export-close">
            Close
          </button>
        </div>

        <label className="field">
          Format
          <select
            value={format}
            onChange={(e) => setFormat(e.target.value as ExportFormat)}
            data-testid="export-format"
          >
            {EXPORT_FORMATS.map((f) => (
              <option key={f} value={f}>
                {f}
              </option>
            ))}
          </select>
        </label>
        <p className="muted small">{FORMAT_HELP[format]}</p>

        <label className="field">
          Destination folder (must be empty, or an earlier export with “replace” checked)
          <input
            type="text"
            value={outDir}
            onChange={(e) => setOutDir(e.target.value)}
            placeholder="/path/to/dataset"
            data-testid="export-out"
          />
        </label>
        <label className="check">
          <input
            type="checkbox"
            checked={force}
            onChange={(e) => setForce(e.target.checked)}
            data-testid="export-force"
          />
          Replace the folder if an earlier export wrote it
        </label>

        {format !== 'coco' && format !== 'scenegraph' && (
          <fieldset className="field">
            <legend>QA: approved and edited, and also</legend>
            {EXTRA_STATUSES.map((s) => (
              <label key={s} className="check">
                <input
                  type="checkbox"
                  checked={include.has(s)}
                  onChange={(e) => toggle(s, e.target.checked)}
                  data-testid={`export-include-${s}`}
                />
                {s}
              </label>
            ))}
          </fieldset>
        )}

        {format !== 'scenegraph' && (
          <div className="export-filters">
            {format !== 'coco' && (
              <label className="field">
                Families (comma-separated, empty = all)
                <input
                  type="text"
                  value={families}
                  onChange={(e) => setFamilies(e.target.value)}
                  data-testid="export-families"
                />
              </label>
            )}
            <label className="field">
              Object labels
              <input
                type="text"
                value={labels}
                onChange={(e) => setLabels(e.target.value)}
                data-testid="export-labels"
              />
            </label>
            {format !== 'coco' && (
              <label className="field">
                Reviewers
                <input
                  type="text"
                  value={reviewers}
                  onChange={(e) => setReviewers(e.target.value)}
                  data-testid="export-reviewers"
                />
              </label>
            )}
          </div>
        )}

        {writesMedia && (
          <div className="export-filters">
            <label className="field">
              Images
              <select
                value={images}
                onChange={(e) => setImages(e.target.value as typeof images)}
                data-testid="export-images"
              >
                <option value="copy">copy</option>
                <option value="link">link</option>
                {format !== 'hf' && <option value="none">none (keep source paths)</option>}
              </select>
            </label>
            <label className="field">
              Depth maps
              <select
                value={depth}
                onChange={(e) => setDepth(e.target.value as typeof depth)}
                data-testid="export-depth"
              >
                <option value="none">none</option>
                <option value="mm16">16-bit PNG, millimetres</option>
                <option value="osd8">8-bit, OSD form</option>
              </select>
            </label>
          </div>
        )}

        {format !== 'coco' && format !== 'scenegraph' && (
          <div className="field-row">
            <label
              className="field"
              title="Each reviewed fact is written in this many phrasings (templates, units, naming), picked by the seed"
            >
              Phrasings per reviewed fact
              <input
                type="number"
                min={1}
                max={1000}
                value={phrasings}
                disabled={allPhrasings}
                onChange={(e) => setPhrasings(e.target.value)}
                data-testid="export-phrasings"
              />
            </label>
            <label className="check">
              <input
                type="checkbox"
                checked={allPhrasings}
                onChange={(e) => setAllPhrasings(e.target.checked)}
                data-testid="export-phrasings-all"
              />
              all (every template, unit and naming)
            </label>
          </div>
        )}
        {(format === 'llava' || format === 'hf') && (
          <label className="field">
            Name objects by
            <select
              value={naming}
              onChange={(e) => setNaming(e.target.value as typeof naming)}
              data-testid="export-naming"
            >
              <option value="expression">referring expression</option>
              <option value="region">region token</option>
            </select>
          </label>
        )}
        {format === 'hf' && (
          <div className="export-filters">
            <label className="field">
              Splits train, validation, test
              <input
                type="text"
                value={splits}
                onChange={(e) => setSplits(e.target.value)}
                data-testid="export-splits"
              />
            </label>
            <label className="field">
              Split seed
              <input
                type="text"
                value={seed}
                onChange={(e) => setSeed(e.target.value)}
                data-testid="export-seed"
              />
            </label>
          </div>
        )}
        {format === 'coco' && (
          <label className="field">
            Mask counts
            <select
              value={rle}
              onChange={(e) => setRle(e.target.value as typeof rle)}
              data-testid="export-rle"
            >
              <option value="string">compressed string</option>
              <option value="list">uncompressed list</option>
            </select>
          </label>
        )}

        <div className="pipeline-actions">
          {running && (
            <button
              type="button"
              className="btn"
              onClick={followed.cancel}
              data-testid="export-cancel"
            >
              Cancel export
            </button>
          )}
          <button
            type="button"
            className="btn btn-primary"
            disabled={starting || running}
            onClick={start}
            data-testid="export-start"
          >
            {running ? 'Exporting…' : starting ? 'Starting…' : 'Export'}
          </button>
        </div>

        <FollowedJobStatus error={error} followed={followed} name="export" />
        {result && <ResultView result={result} />}

        {recent.length > 0 && (
          <div className="export-recent">
            <h3>Recent exports</h3>
            <ul data-testid="export-recent">
              {recent.slice(0, 5).map((r) => (
                <li key={r.id}>
                  {r.createdAt.slice(0, 19).replace('T', ' ')} · {r.format} · {r.outDir} · sha256{' '}
                  {r.checksum.slice(0, 12)}
                </li>
              ))}
            </ul>
          </div>
        )}
      </section>
    </div>
  );
}

function ResultView({ result }: { result: ExportResult }) {
  const skipped = Object.entries(result.skipped);
  return (
    <div className="export-result" data-testid="export-result">
      <p>
        {result.format}: {result.records} records, {result.qa} QA, {result.objects} objects from{' '}
        {result.images} image{result.images === 1 ? '' : 's'} in {result.seconds.toFixed(1)} s.
      </p>
      <p className="small">
        Folder: <code>{result.outDir}</code>
      </p>
      <p className="small">
        Checksum (sha256 of MANIFEST.sha256): <code>{result.checksum}</code>
      </p>
      {skipped.length > 0 && (
        <ul className="small" data-testid="export-skipped">
          {skipped.map(([why, n]) => (
            <li key={why}>
              {n} QA left out: {why}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
