// Import form: source folder, optional depth folder + encoding + sensor preset (its range-noise
// model for the 3D extents), optional COCO annotations file,
// optional intrinsics. Starts an import job, follows it (useFollowedJob) and shows the engine's
// result, including every skipped/failed file and annotation with its reason.
import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { ImportRequest, ImportResult } from '../../../contract/api';
import { api, errorText, teamServerOrigin } from '../api/client';
import { folderPicker } from '../api/bridge';
import { useFollowedJob } from '../app/useJob';
import {
  DEPTH_ENCODINGS,
  depthEncodingValue,
  parseIntrinsics,
  type IntrinsicsFields,
} from '../lib/format';
import { DEPTH_ERROR_PRESET_NAMES } from '../../../spatial/depth-error';
import { IssueList } from '../components/IssueList';
import { FollowedJobStatus } from '../components/JobProgress';

const ENCODING_LABELS: Record<(typeof DEPTH_ENCODINGS)[number], string> = {
  mm: 'mm: 16-bit millimetres',
  tum: 'tum: TUM RGB-D (raw / 5000)',
  sun: 'sun: SUN RGB-D (bit-rotated mm)',
  nyu: 'nyu: NYU raw Kinect disparity',
};

let lastHandledPick = 0;

interface Props {
  projectId: string;
  onImported: (result: ImportResult | null) => void;
  /** When this number grows, focus the folder field and open the folder picker (app menu). */
  pickRequest?: number;
}

export function ImportPanel({ projectId, onImported, pickRequest = 0 }: Props) {
  // A team server imports from its own disk: this machine's folder picker would name the wrong one.
  const server = teamServerOrigin();
  const pick = server ? undefined : folderPicker();
  const [folder, setFolder] = useState('');
  const [depthFolder, setDepthFolder] = useState('');
  const [encoding, setEncoding] = useState<string>('mm');
  const [scale, setScale] = useState('1000');
  const [sensor, setSensor] = useState('');
  const [intr, setIntr] = useState<IntrinsicsFields>({ fx: '', fy: '', cx: '', cy: '' });
  const [showIntrinsics, setShowIntrinsics] = useState(false);
  const [annotations, setAnnotations] = useState('');

  const [formError, setFormError] = useState<string | null>(null);
  const [starting, setStarting] = useState(false);
  const followed = useFollowedJob<ImportResult>(
    projectId,
    'import',
    (jobId) => api.imports.result({ projectId, jobId }),
    onImported,
  );
  const { running, result } = followed;

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
    followed.reset();
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
      if (sensor) request.depthSensor = sensor;
    }
    const parsed = parseIntrinsics(intr);
    if ('error' in parsed) {
      setFormError(parsed.error);
      return;
    }
    if (parsed.value) request.intrinsics = parsed.value;
    const coco = annotations.trim();
    if (coco) request.annotations = coco;

    setStarting(true);
    try {
      const { jobId: id } = await api.imports.start(request);
      followed.follow(id);
    } catch (err) {
      setFormError(errorText(err));
    } finally {
      setStarting(false);
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

  const error = formError ?? followed.error;

  return (
    <section className="panel import-panel" aria-labelledby="import-title">
      <h2 id="import-title">Import images</h2>
      {server && (
        <p className="muted" data-testid="import-on-server">
          Paths are read on the team server ({server}), not on this computer.
        </p>
      )}
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
        <label className="field">
          <span>
            Depth sensor <em>optional: its noise model sizes the 3D boxes</em>
          </span>
          <select
            value={sensor}
            onChange={(e) => setSensor(e.target.value)}
            data-testid="import-depth-sensor"
          >
            <option value="">estimate the noise from each depth map</option>
            {DEPTH_ERROR_PRESET_NAMES.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>
            Annotations (COCO json) <em>optional, by file name</em>
          </span>
          <div className="field-row">
            <input
              type="text"
              value={annotations}
              onChange={(e) => setAnnotations(e.target.value)}
              placeholder="/path/to/instances.json"
              spellCheck={false}
              data-testid="import-annotations"
            />
          </div>
        </label>
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
            <button
              type="button"
              className="btn"
              onClick={followed.cancel}
              data-testid="import-cancel"
            >
              Cancel
            </button>
          )}
        </div>
      </form>

      <FollowedJobStatus error={error} followed={followed} name="import" boxed={false} />

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
          {result.annotations && <AnnotationCounts counts={result.annotations} />}
        </div>
      )}
    </section>
  );
}

function AnnotationCounts({ counts }: { counts: NonNullable<ImportResult['annotations']> }) {
  return (
    <div className="annotation-result" data-testid="import-annotations-result">
      <h3>Annotations</h3>
      <p className="annotation-counts">
        <b data-testid="import-annotations-added">{counts.objectsAdded}</b>{' '}
        {counts.objectsAdded === 1 ? 'object' : 'objects'} added to{' '}
        <b data-testid="import-annotations-matched">{counts.imagesMatched}</b>{' '}
        {counts.imagesMatched === 1 ? 'image' : 'images'}
        <span className="muted">
          {' '}
          · <b>{counts.alreadyPresent}</b> already present
        </span>
      </p>
      {counts.issues.length > 0 && <IssueList issues={counts.issues} />}
    </div>
  );
}
