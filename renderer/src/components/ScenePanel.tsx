// The image's scene graph as text: the gravity frame, each object's size and place in metres, its
// quality flags when the lift is doubtful, and the objects the QA engine found ambiguous.
import type { SceneGraphView } from '../../../contract/entities';
import { formatMeters } from '../lib/format';
import { sceneNoteLines } from './scene-notes';

type SceneNode = SceneGraphView['nodes'][number];

/** Metres with exactly two decimals (sizes are compared at centimetre level). */
function m2(v: number | null): string {
  return v === null || !Number.isFinite(v) ? '—' : v.toFixed(2);
}

interface Props {
  scene: SceneGraphView | null | undefined;
  colors: ReadonlyMap<number, string>;
  error: string | null;
}

export function ScenePanel({ scene, colors, error }: Props) {
  return (
    <section className="scene-panel" aria-labelledby="scene-title" data-testid="scene-section">
      <h3 id="scene-title">
        Scene
        {scene && (
          <span className={`tag${scene.frame.aligned ? '' : ' tag-warn'}`}>
            {scene.frame.aligned ? 'aligned' : 'not aligned'}
          </span>
        )}
      </h3>
      {error ? (
        <p className="error-text small">{error}</p>
      ) : scene === undefined ? (
        <p className="muted small">Loading…</p>
      ) : scene === null ? (
        <p className="muted small" data-testid="scene-missing">
          No scene graph yet. Run the pipeline to build one.
        </p>
      ) : (
        <>
          <dl>
            <div className="meta-row">
              <dt>Gravity</dt>
              <dd data-testid="scene-gravity">{scene.frame.gravitySource}</dd>
            </div>
            <div className="meta-row">
              <dt>Aligned</dt>
              <dd data-testid="scene-aligned">{scene.frame.aligned ? 'yes' : 'no'}</dd>
            </div>
            <div className="meta-row">
              <dt>
                {scene.frame.heightAbove === 'support-plane'
                  ? 'Camera height (above the support plane)'
                  : 'Camera height'}
              </dt>
              <dd data-testid="scene-camera-height">{formatMeters(scene.frame.cameraHeight)}</dd>
            </div>
            <div className="meta-row">
              <dt>Relations</dt>
              <dd>{scene.relationCount}</dd>
            </div>
          </dl>
          <ul className="scene-nodes">
            {scene.nodes.map((n) => (
              <NodeRow key={n.id} node={n} color={colors.get(n.id)} />
            ))}
          </ul>
          {scene.ambiguities.length > 0 && (
            <>
              <h4>Ambiguous</h4>
              <ul className="ambiguities" data-testid="scene-ambiguities">
                {scene.ambiguities.map((a) => (
                  <li key={a.nodeId} data-testid="scene-ambiguity">
                    <b>
                      {a.label} #{a.nodeId}
                    </b>
                    {a.group.length > 1 && (
                      <span className="muted">
                        {' '}
                        (with{' '}
                        {a.group
                          .filter((id) => id !== a.nodeId)
                          .map((id) => `#${id}`)
                          .join(', ')}
                        )
                      </span>
                    )}
                    : {a.reason}
                  </li>
                ))}
              </ul>
            </>
          )}
          {scene.notes.length > 0 && (
            <ul className="scene-notes muted small">
              {sceneNoteLines(scene.notes).map((line) => (
                <li key={line.text}>
                  {line.text}
                  {line.count > 1 ? ` (×${line.count})` : ''}
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </section>
  );
}

function NodeRow({ node: n, color }: { node: SceneNode; color: string | undefined }) {
  return (
    <li
      className="scene-node"
      data-testid="scene-node"
      data-node-id={n.id}
      data-label={n.label}
      data-height-m={n.extent.height}
    >
      <div className="scene-node-title">
        <span
          className="swatch"
          style={{ background: color ?? 'transparent' }}
          aria-hidden="true"
        />
        <b>{n.label}</b>
        <span className="muted small">#{n.id}</span>
        {!n.quality.ok &&
          n.quality.flags.map((f) => (
            <span key={f} className="badge badge-warning" data-testid="scene-node-flag">
              {f}
            </span>
          ))}
      </div>
      <div className="scene-dims" title="width × height × depth, metres">
        <span>
          W <b data-testid="scene-node-width">{m2(n.extent.width)}</b>
        </span>
        <span>
          H <b data-testid="scene-node-height">{m2(n.extent.height)}</b>
        </span>
        <span>
          D <b data-testid="scene-node-depth">{m2(n.extent.depth)}</b>
        </span>
        <span className="muted">m</span>
      </div>
      <div className="scene-facts muted small">
        <span>elevation {formatMeters(n.elevation)}</span>
        <span>{formatMeters(n.distanceFromCamera)} from camera</span>
        <span>{n.numPoints.toLocaleString('en-US')} points</span>
      </div>
    </li>
  );
}
