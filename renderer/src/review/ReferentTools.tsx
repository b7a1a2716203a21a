// Naming tools for the selected object: the referring expression QA export uses for it (updated
// after every re-derivation), and the ways to resolve an ambiguous name — say this is the one the
// name means, add a distinguishing attribute (colour, "on the left", free text), merge it with
// another object that is the same thing, split it in two by box, or exclude it from QA ('background', 'unsure'). Each is
// one undoable command; the engine re-derives the image's QA. All text is rendered as text.
import { useState } from 'react';
import type { AmbiguousObject, EditableObject, ObjectExclusion } from '../../../contract/review';
import type { ReviewSession } from './useReviewSession';

interface Props {
  object: EditableObject | null;
  objects: readonly EditableObject[];
  /** Exported expression per object id (null: none is unique). */
  names: ReadonlyMap<number, string | null>;
  ambiguous: readonly AmbiguousObject[];
  colors: ReadonlyMap<number, string>;
  busy: boolean;
  onExclude: (id: number, reason: ObjectExclusion | null) => void;
  onAttributes: (id: number, attributes: string[]) => void;
  onPick: (id: number, others: number[]) => void;
  onMerge: (kept: number, merged: number) => void;
  onSplit: (id: number, boxes: [Box, Box]) => void;
}

type Box = EditableObject['box'];

/** The box cut in two at its middle, side by side or one above the other. */
export function halves(box: Box, across: 'vertical' | 'horizontal'): [Box, Box] {
  const [x0, y0, x1, y1] = box;
  if (across === 'vertical') {
    const mid = Math.round(((x0 + x1) / 2) * 100) / 100;
    return [
      [x0, y0, mid, y1],
      [mid, y0, x1, y1],
    ];
  }
  const mid = Math.round(((y0 + y1) / 2) * 100) / 100;
  return [
    [x0, y0, x1, mid],
    [x0, mid, x1, y1],
  ];
}

export function ReferentTools({
  object,
  objects,
  names,
  ambiguous,
  colors,
  busy,
  onExclude,
  onAttributes,
  onPick,
  onMerge,
  onSplit,
}: Props) {
  const [attribute, setAttribute] = useState('');
  if (!object)
    return (
      <section className="control-card referent-tools" data-testid="referent-tools">
        <p className="muted small">
          {ambiguous.length > 0
            ? `${ambiguous.length} object(s) have no unique name: select one to resolve it.`
            : 'Select an object to see the name QA uses for it.'}
        </p>
      </section>
    );
  const amb = ambiguous.find((a) => a.nodeId === object.id);
  const others = (amb?.group ?? []).filter(
    (id) => id !== object.id && objects.some((o) => o.id === id && !o.excluded),
  );
  const expression = names.get(object.id) ?? null;
  const labelOf = (id: number) => objects.find((o) => o.id === id)?.label ?? 'object';
  const addAttribute = () => {
    const text = attribute.trim();
    if (!text) return;
    onAttributes(object.id, [...object.attributes, text]);
    setAttribute('');
  };

  return (
    <section
      className="control-card referent-tools"
      aria-label="Naming"
      data-testid="referent-tools"
      data-object-id={object.id}
    >
      <p className="small" data-testid="referent-expression">
        <span className="swatch" style={{ background: colors.get(object.id) ?? '#fff' }} />{' '}
        {object.excluded ? (
          <span className="muted">
            #{object.id} is excluded from QA ({object.excluded})
          </span>
        ) : expression ? (
          <>
            QA call #{object.id} <b>“{expression}”</b>
          </>
        ) : (
          <span className="error-text">
            #{object.id} has no unique name
            {amb ? `: ${amb.group.length} objects could be called “${amb.label}”` : ''}
          </span>
        )}
      </p>
      {object.excluded ? (
        <button
          type="button"
          className="btn btn-small"
          disabled={busy}
          onClick={() => onExclude(object.id, null)}
          data-testid="referent-include"
        >
          Put back in QA
        </button>
      ) : (
        <>
          {others.length > 0 && (
            <div className="referent-group" data-testid="referent-group">
              <button
                type="button"
                className="btn btn-small"
                disabled={busy}
                onClick={() => onPick(object.id, others)}
                title={`“the ${object.label}” means #${object.id}; ${others.map((id) => `#${id}`).join(', ')} leave QA as background`}
                data-testid="referent-pick"
              >
                This is the {object.label} meant
              </button>
              {others.map((id) => (
                <button
                  key={id}
                  type="button"
                  className="btn btn-small"
                  disabled={busy}
                  onClick={() => onMerge(object.id, id)}
                  title={`#${id} is the same thing: one object with both boxes`}
                  data-testid="referent-merge"
                  data-merge-id={id}
                >
                  Merge with {labelOf(id)} #{id}
                </button>
              ))}
            </div>
          )}
          <div className="referent-attributes">
            {object.attributes.map((a) => (
              <span key={a} className="badge" data-testid="referent-attribute">
                {a}{' '}
                <button
                  type="button"
                  className="link-btn"
                  aria-label={`Remove ${a}`}
                  disabled={busy}
                  onClick={() =>
                    onAttributes(
                      object.id,
                      object.attributes.filter((x) => x !== a),
                    )
                  }
                >
                  ×
                </button>
              </span>
            ))}
            <input
              type="text"
              className="qa-input"
              value={attribute}
              maxLength={32}
              placeholder="Attribute: red, on the left…"
              onChange={(e) => setAttribute(e.target.value)}
              onKeyDown={(e) => {
                // Keys typed here are text, not review shortcuts.
                e.stopPropagation();
                if (e.key === 'Enter') {
                  e.preventDefault();
                  addAttribute();
                  // Back to the review keys (a, n, …) once the attribute is in.
                  e.currentTarget.blur();
                } else if (e.key === 'Escape') {
                  setAttribute('');
                  e.currentTarget.blur();
                }
              }}
              data-testid="referent-attribute-input"
            />
            <button
              type="button"
              className="btn btn-small"
              disabled={busy || !attribute.trim() || object.attributes.length >= 3}
              onClick={addAttribute}
              data-testid="referent-attribute-add"
            >
              Add
            </button>
          </div>
          <div className="referent-split">
            <span className="muted small">Two things? Split:</span>
            <button
              type="button"
              className="btn btn-small"
              disabled={busy}
              onClick={() => onSplit(object.id, halves(object.box, 'vertical'))}
              title="Two objects side by side: left and right halves (then adjust each box)"
              data-testid="referent-split-vertical"
            >
              left | right
            </button>
            <button
              type="button"
              className="btn btn-small"
              disabled={busy}
              onClick={() => onSplit(object.id, halves(object.box, 'horizontal'))}
              title="Two objects one above the other: top and bottom halves (then adjust each box)"
              data-testid="referent-split-horizontal"
            >
              top / bottom
            </button>
          </div>
          <div className="referent-exclude">
            <span className="muted small">Exclude from QA:</span>
            {(['background', 'unsure'] as const).map((reason) => (
              <button
                key={reason}
                type="button"
                className="btn btn-small"
                disabled={busy}
                onClick={() => onExclude(object.id, reason)}
                data-testid={`referent-exclude-${reason}`}
              >
                {reason}
              </button>
            ))}
          </div>
        </>
      )}
    </section>
  );
}

/** ReferentTools bound to the image's review session (the image view's one line). */
export function NamingTools({
  review,
  objectId,
  names,
  ambiguous,
  colors,
}: {
  review: ReviewSession;
  objectId: number | null;
  names: ReadonlyMap<number, string | null>;
  ambiguous: readonly AmbiguousObject[];
  colors: ReadonlyMap<number, string>;
}) {
  const objects = review.data?.objects ?? NO_OBJECTS;
  return (
    <ReferentTools
      object={objects.find((o) => o.id === objectId) ?? null}
      objects={objects}
      names={names}
      ambiguous={ambiguous}
      colors={colors}
      busy={review.busy}
      onExclude={(id, reason) => void review.excludeObject(id, reason)}
      onAttributes={(id, attributes) => void review.setAttributes(id, attributes)}
      onPick={(id, others) => void review.pickReferent(id, others)}
      onMerge={(kept, merged) => void review.mergeObjects(kept, merged)}
      onSplit={(id, boxes) => void review.splitObject(id, boxes)}
    />
  );
}

const NO_OBJECTS: readonly EditableObject[] = [];
