// The objects layer's switch and the image's objects as text rows (colour swatch, label, score,
// where the box and mask came from).
import type { SceneObject } from '../../../contract/entities';
import { objectCaption } from '../lib/objects';

interface Props {
  objects: readonly SceneObject[] | undefined;
  colors: ReadonlyMap<number, string>;
  visible: boolean;
  onVisibleChange: (visible: boolean) => void;
  error: string | null;
}

export function ObjectsPanel({ objects, colors, visible, onVisibleChange, error }: Props) {
  const count = objects?.length ?? 0;
  return (
    <section className="control-card" aria-label="Objects" data-testid="objects-panel">
      <label className={`switch${count === 0 ? ' disabled' : ''}`}>
        <input
          type="checkbox"
          checked={visible}
          disabled={count === 0}
          onChange={(e) => onVisibleChange(e.target.checked)}
          data-testid="objects-toggle"
        />
        <span className="switch-track" aria-hidden="true" />
        <span>
          Boxes <kbd>b</kbd>
        </span>
        <span className="count">{count}</span>
      </label>
      {error ? (
        <p className="error-text small">{error}</p>
      ) : !objects ? (
        <p className="muted small">Loading…</p>
      ) : count === 0 ? (
        <p className="muted small">No objects yet. Import COCO annotations with the images.</p>
      ) : (
        <ul className="object-list">
          {objects.map((o) => (
            <li
              key={o.id}
              className="object-row"
              data-testid="object-item"
              data-object-id={o.id}
              data-label={o.label}
            >
              <span
                className="swatch"
                style={{ background: colors.get(o.id) ?? '#fff' }}
                aria-hidden="true"
              />
              <span className="object-label" title={objectCaption(o)}>
                {objectCaption(o)}
              </span>
              <span className="muted small object-id">#{o.id}</span>
              <span
                className="muted small object-prov"
                title={`box: ${o.provenance}${o.maskProvenance ? `, mask: ${o.maskProvenance}` : ''}`}
              >
                {o.provenance}
                {o.maskProvenance ? ` · mask ${o.maskProvenance}` : ''}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
