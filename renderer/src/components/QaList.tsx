// The image's QA pairs: question (with `<regionN>` shown as the subject's coloured label), answer,
// status, family and kind, and the machine value in a small muted line. Clicking one selects it
// (the stage then highlights its subjects); the selected row is kept scrolled into view.
import { useEffect, useRef } from 'react';
import type { QaPair, SceneObject } from '../../../contract/entities';
import { formatQaValue, idList, splitRegions } from '../lib/objects';

interface Props {
  qa: readonly QaPair[] | undefined;
  objects: readonly SceneObject[];
  colors: ReadonlyMap<number, string>;
  selectedId: number | null;
  onSelect: (id: number | null) => void;
  error: string | null;
}

export function QaList({ qa, objects, colors, selectedId, onSelect, error }: Props) {
  const listRef = useRef<HTMLUListElement | null>(null);
  useEffect(() => {
    if (selectedId === null) return;
    listRef.current
      ?.querySelector(`[data-qa-id="${selectedId}"]`)
      ?.scrollIntoView({ block: 'nearest' });
  }, [selectedId]);

  const labelOf = (id: number) => objects.find((o) => o.id === id)?.label;
  return (
    <section className="qa-panel" aria-labelledby="qa-title" data-testid="qa-section">
      <h3 id="qa-title">
        QA {qa && <span className="count">{qa.length}</span>}
        <span className="h3-hint">
          <kbd>n</kbd>/<kbd>p</kbd>
        </span>
      </h3>
      {error ? (
        <p className="error-text small">{error}</p>
      ) : !qa ? (
        <p className="muted small">Loading…</p>
      ) : qa.length === 0 ? (
        <p className="muted small" data-testid="qa-empty">
          No QA pairs yet. Run the pipeline to generate them.
        </p>
      ) : (
        <ul className="qa-list" ref={listRef} data-testid="qa-list">
          {qa.map((q) => {
            const selected = q.id === selectedId;
            return (
              <li key={q.id}>
                <button
                  type="button"
                  className={`qa-item${selected ? ' selected' : ''}`}
                  aria-pressed={selected}
                  onClick={() => onSelect(selected ? null : q.id)}
                  data-testid="qa-item"
                  data-qa-id={q.id}
                  data-subjects={idList(q.subjects)}
                >
                  <span className="qa-question">
                    <RegionText
                      text={q.question}
                      subjects={q.subjects}
                      colors={colors}
                      labelOf={labelOf}
                    />
                  </span>
                  <span className="qa-answer">
                    <RegionText
                      text={q.answer}
                      subjects={q.subjects}
                      colors={colors}
                      labelOf={labelOf}
                    />
                  </span>
                  <span className="qa-meta">
                    <span className={`badge qa-status qa-status-${q.status}`}>{q.status}</span>
                    <span className="qa-family">{q.family}</span>
                    {q.kind && <span className="muted">· {q.kind}</span>}
                  </span>
                  <span className="qa-value muted small">
                    value {formatQaValue(q.value, q.unit, labelOf)}
                  </span>
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

function RegionText({
  text,
  subjects,
  colors,
  labelOf,
}: {
  text: string;
  subjects: readonly number[];
  colors: ReadonlyMap<number, string>;
  labelOf: (id: number) => string | undefined;
}) {
  return (
    <>
      {splitRegions(text).map((part, i) => {
        if ('text' in part) return <span key={i}>{part.text}</span>;
        const id = subjects[part.region];
        if (id === undefined) return <span key={i}>{`<region${part.region}>`}</span>;
        return (
          <span
            key={i}
            className="region-chip"
            style={{ borderColor: colors.get(id) ?? 'currentColor' }}
            title={`<region${part.region}> = object #${id}`}
          >
            <span className="swatch" style={{ background: colors.get(id) ?? 'transparent' }} />
            {labelOf(id) ?? 'object'} #{id}
          </span>
        );
      })}
    </>
  );
}
