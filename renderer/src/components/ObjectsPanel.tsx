// The objects layer's switches (boxes, masks with opacity) and the image's objects as text rows:
// colour swatch, label, score, where box and mask came from. Clicking a row selects the object;
// the selected row offers relabel (autocomplete from the project vocabulary) and delete. Objects
// the QA engine found ambiguous carry a badge and the expressions that do single out the others.
import { useEffect, useRef, useState } from 'react';
import type { AmbiguousObject, EditableObject } from '../../../contract/review';
import { objectCaption } from '../lib/objects';
import { LabelInput } from '../review/LabelInput';

interface Props {
  objects: readonly EditableObject[] | undefined;
  colors: ReadonlyMap<number, string>;
  visible: boolean;
  onVisibleChange: (visible: boolean) => void;
  masksVisible: boolean;
  onMasksVisibleChange: (visible: boolean) => void;
  maskOpacity: number;
  onMaskOpacityChange: (opacity: number) => void;
  ambiguous: readonly AmbiguousObject[];
  selectedId: number | null;
  onSelect: (id: number | null) => void;
  relabeling: boolean;
  onRelabeling: (on: boolean) => void;
  /** `version` is the object's version when relabelling started (a later edit makes it stale). */
  onRelabel: (id: number, label: string, version: number) => void;
  onDelete: (id: number) => void;
  vocabulary: readonly { label: string; count: number }[];
  busy: boolean;
  error: string | null;
}

export function ObjectsPanel({
  objects,
  colors,
  visible,
  onVisibleChange,
  masksVisible,
  onMasksVisibleChange,
  maskOpacity,
  onMaskOpacityChange,
  ambiguous,
  selectedId,
  onSelect,
  relabeling,
  onRelabeling,
  onRelabel,
  onDelete,
  vocabulary,
  busy,
  error,
}: Props) {
  const count = objects?.length ?? 0;
  const withMask = objects?.filter((o) => o.mask).length ?? 0;
  const listRef = useRef<HTMLUListElement | null>(null);
  useEffect(() => {
    if (selectedId === null) return;
    listRef.current
      ?.querySelector(`[data-object-id="${selectedId}"]`)
      ?.scrollIntoView({ block: 'nearest' });
  }, [selectedId]);
  const ambiguity = (id: number) => ambiguous.find((a) => a.nodeId === id);
  const labelOf = (id: number) => objects?.find((o) => o.id === id)?.label ?? 'object';

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
      <label className={`switch${withMask === 0 ? ' disabled' : ''}`}>
        <input
          type="checkbox"
          checked={masksVisible}
          disabled={withMask === 0}
          onChange={(e) => onMasksVisibleChange(e.target.checked)}
          data-testid="masks-toggle"
        />
        <span className="switch-track" aria-hidden="true" />
        <span>
          Masks <kbd>m</kbd>
        </span>
        <span className="count">{withMask}</span>
      </label>
      <label className="field slider">
        <span>
          Mask opacity <b>{Math.round(maskOpacity * 100)}%</b>
        </span>
        <input
          type="range"
          min={0}
          max={1}
          step={0.05}
          value={maskOpacity}
          disabled={withMask === 0}
          onChange={(e) => onMaskOpacityChange(Number(e.target.value))}
          data-testid="mask-opacity"
        />
      </label>
      {error ? (
        <p className="error-text small">{error}</p>
      ) : !objects ? (
        <p className="muted small">Loading…</p>
      ) : count === 0 ? (
        <p className="muted small">
          No objects yet. Import COCO annotations with the images, or draw a box (<kbd>w</kbd>).
        </p>
      ) : (
        <ul className="object-list" ref={listRef}>
          {objects.map((o) => {
            const selected = o.id === selectedId;
            const amb = ambiguity(o.id);
            return (
              <li
                key={o.id}
                className={`object-row${selected ? ' selected' : ''}${amb ? ' ambiguous' : ''}`}
                data-testid="object-item"
                data-object-id={o.id}
                data-label={o.label}
                data-selected={selected ? 'true' : 'false'}
                onClick={() => onSelect(selected ? null : o.id)}
              >
                <span
                  className="swatch"
                  style={{ background: colors.get(o.id) ?? '#fff' }}
                  aria-hidden="true"
                />
                <span className="object-label" title={objectCaption(o)} data-testid="object-label">
                  {objectCaption(o)}
                </span>
                <span className="muted small object-id">#{o.id}</span>
                {amb && (
                  <span
                    className="badge badge-warning"
                    data-testid="object-ambiguous"
                    title={amb.reason}
                  >
                    ambiguous
                  </span>
                )}
                {o.excluded && (
                  <span
                    className="badge"
                    data-testid="object-excluded"
                    title="Excluded from QA: no QA is generated or exported about it"
                  >
                    {o.excluded}
                  </span>
                )}
                <span
                  className="muted small object-prov"
                  title={`box: ${o.provenance}${o.maskProvenance ? `, mask: ${o.maskProvenance}` : ''}`}
                >
                  {o.provenance}
                  {o.maskProvenance ? ` · mask ${o.maskProvenance}` : ' · no mask yet'}
                </span>
                {selected && amb && (
                  <div className="ambiguity-detail small" data-testid="object-candidates">
                    <span className="muted">{amb.reason}. Names that single out the group:</span>
                    <ul>
                      {amb.candidates.map((c) => (
                        <li key={c.objectId}>
                          #{c.objectId} {labelOf(c.objectId)}:{' '}
                          {c.expression ? `“${c.expression}”` : <i>no unique expression</i>}
                        </li>
                      ))}
                    </ul>
                  </div>
                )}
                {selected && (
                  <div className="object-actions" onClick={(e) => e.stopPropagation()}>
                    {relabeling ? (
                      <RelabelField
                        object={o}
                        vocabulary={vocabulary}
                        onSubmit={(label, version) => {
                          onRelabel(o.id, label, version);
                          onRelabeling(false);
                        }}
                        onCancel={() => onRelabeling(false)}
                      />
                    ) : (
                      <>
                        <button
                          type="button"
                          className="btn btn-small"
                          disabled={busy}
                          onClick={() => onRelabeling(true)}
                          data-testid="object-relabel"
                        >
                          Relabel <kbd>l</kbd>
                        </button>
                        <button
                          type="button"
                          className="btn btn-small btn-danger"
                          disabled={busy}
                          onClick={() => onDelete(o.id)}
                          data-testid="object-delete"
                        >
                          Delete <kbd>Del</kbd>
                        </button>
                      </>
                    )}
                  </div>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

/** The relabel field; it keeps the version the object had when it opened. */
function RelabelField({
  object,
  vocabulary,
  onSubmit,
  onCancel,
}: {
  object: EditableObject;
  vocabulary: readonly { label: string; count: number }[];
  onSubmit: (label: string, version: number) => void;
  onCancel: () => void;
}) {
  const [opened] = useState(() => ({ label: object.label, version: object.version }));
  return (
    <LabelInput
      initial={opened.label}
      vocabulary={vocabulary}
      placeholder="Label"
      submitLabel="Relabel"
      testid="relabel-input"
      onSubmit={(label) => onSubmit(label, opened.version)}
      onCancel={onCancel}
    />
  );
}
