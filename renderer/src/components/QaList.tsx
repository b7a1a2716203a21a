// The image's QA review queue: each pair's question (with `<regionN>` shown as the subject's
// coloured label), answer, status, family and kind, the machine value with its unit (object
// answers as chips), the measured numbers (EvidenceCard: one line on every card, in full on the
// selected one) and the measurement behind it. The selected pair (its subjects are highlighted on the canvas and in 3D)
// gets the actions: approve, reject with a reason, edit the answer, skip — each with its key.
// Warnings from the engine show under the pair until confirmed (Enter) or dropped (Esc). Bulk
// approve/reject by family acts on the family's open pairs. All text is rendered as text.
import { useEffect, useMemo, useRef, useState } from 'react';
import type { SceneObject } from '../../../contract/entities';
import type { ReviewQa, ReviewWarning } from '../../../contract/review';
import { afterNextFrame } from '../app/hooks';
import { formatNumber } from '../lib/format';
import { formatQaValue, idList } from '../lib/objects';
import { QaNaming } from '../review/QaNaming';
import type { Decision, DecisionRequest } from '../review/useReviewSession';
import { EvidenceCard } from './EvidenceCard';
import { QaValue, RegionText } from './ObjectChip';

export type InputMode =
  { kind: 'reject' | 'edit'; qaId: number } | { kind: 'bulk-reject'; family: string } | null;

interface Props {
  qa: readonly ReviewQa[] | undefined;
  objects: readonly SceneObject[];
  colors: ReadonlyMap<number, string>;
  selectedId: number | null;
  onSelect: (id: number | null) => void;
  inputMode: InputMode;
  onInputMode: (mode: InputMode) => void;
  onDecide: (req: DecisionRequest) => void;
  onBulk: (family: string, decision: 'approve' | 'reject', reason?: string) => void;
  warnings: ReviewWarning[] | null;
  onConfirmWarnings: () => void;
  onCancelWarnings: () => void;
  busy: boolean;
  error: string | null;
  /** Exported expression per object id, and the action that opens an object's naming tools. */
  names: ReadonlyMap<number, string | null>;
  onResolve: (objectId: number) => void;
}

/** QA rows rendered beyond the selected one (the rest on demand). */
const ROW_WINDOW = 200;
/**
 * Rows in the first render after the list arrives (its box shows about five): the rest follow once
 * that frame is on screen, so opening an image does not wait for ~140 rows of DOM.
 */
const FIRST_ROWS = 10;

const ACTIONS: Array<{ decision: Decision; label: string; key: string }> = [
  { decision: 'approve', label: 'Approve', key: 'a' },
  { decision: 'reject', label: 'Reject', key: 'r' },
  { decision: 'edit', label: 'Edit', key: 'e' },
  { decision: 'skip', label: 'Skip', key: 's' },
];

/** Decisions an ambiguous name blocks (the engine refuses them too). */
const BLOCKABLE = new Set<Decision>(['approve', 'edit']);

export function QaList({
  qa,
  objects,
  colors,
  selectedId,
  onSelect,
  inputMode,
  onInputMode,
  onDecide,
  onBulk,
  warnings,
  onConfirmWarnings,
  onCancelWarnings,
  busy,
  error,
  names,
  onResolve,
}: Props) {
  const listRef = useRef<HTMLUListElement | null>(null);
  useEffect(() => {
    if (selectedId === null) return;
    listRef.current
      ?.querySelector(`[data-qa-id="${selectedId}"]`)
      ?.scrollIntoView({ block: 'nearest' });
  }, [selectedId]);

  const families = useMemo(() => [...new Set((qa ?? []).map((q) => q.family))].sort(), [qa]);
  const [family, setFamily] = useState('');
  const bulkFamily = families.includes(family) ? family : (families[0] ?? '');
  const open = (qa ?? []).filter(
    (q) => q.family === bulkFamily && (q.status === 'proposed' || q.status === 'changed'),
  ).length;
  const counts = useMemo(() => {
    const c = { open: 0, changed: 0, done: 0 };
    for (const q of qa ?? []) {
      if (q.status === 'changed') c.changed++;
      else if (q.status === 'proposed') c.open++;
      else c.done++;
    }
    return c;
  }, [qa]);

  // Only the rows up to a little past the selected one are in the DOM: layout and paint stay
  // cheap when an image has hundreds of pairs; moving down the list extends the window.
  const [extra, setExtra] = useState(0);
  const selectedIndex = qa ? qa.findIndex((q) => q.id === selectedId) : -1;
  const limit = Math.max(ROW_WINDOW + extra, selectedIndex + ROW_WINDOW / 2);
  const hasQa = qa !== undefined;
  const [firstFrame, setFirstFrame] = useState(true);
  useEffect(() => {
    if (!hasQa) {
      setFirstFrame(true);
      return;
    }
    return afterNextFrame(() => setFirstFrame(false));
  }, [hasQa]);
  const shown = firstFrame ? Math.min(limit, Math.max(FIRST_ROWS, selectedIndex + 4)) : limit;
  const rows = qa ? qa.slice(0, shown) : [];

  const labelOf = (id: number) => objects.find((o) => o.id === id)?.label;
  return (
    <section className="qa-panel" aria-labelledby="qa-title" data-testid="qa-section">
      <h3 id="qa-title">
        QA review {qa && <span className="count">{qa.length}</span>}
        {qa && (
          <span className="muted small qa-counts" data-testid="qa-counts">
            {counts.changed > 0 && (
              <span className="qa-changed-count">{counts.changed} changed · </span>
            )}
            {counts.open} open · {counts.done} decided
          </span>
        )}
        <span className="h3-hint">
          <kbd>n</kbd>/<kbd>p</kbd> <kbd>?</kbd>
        </span>
      </h3>
      {qa && qa.length > 0 && (
        <div className="qa-bulk" data-testid="qa-bulk">
          <select
            value={bulkFamily}
            onChange={(e) => setFamily(e.target.value)}
            aria-label="Family for bulk decisions"
            data-testid="qa-bulk-family"
          >
            {families.map((f) => (
              <option key={f} value={f}>
                {f}
              </option>
            ))}
          </select>
          <button
            type="button"
            className="btn btn-small"
            disabled={busy || open === 0}
            onClick={() => onBulk(bulkFamily, 'approve')}
            data-testid="qa-bulk-approve"
          >
            Approve {open} open
          </button>
          <button
            type="button"
            className="btn btn-small"
            disabled={busy || open === 0}
            onClick={() => onInputMode({ kind: 'bulk-reject', family: bulkFamily })}
            data-testid="qa-bulk-reject"
          >
            Reject…
          </button>
          {inputMode?.kind === 'bulk-reject' && (
            <ReasonInput
              placeholder={`Why reject every open ${inputMode.family} pair?`}
              initial=""
              emptyMessage="Type a reason first: every rejection records why."
              testid="qa-bulk-reason"
              onSubmit={(reason) => {
                onBulk(inputMode.family, 'reject', reason);
                onInputMode(null);
              }}
              onCancel={() => onInputMode(null)}
            />
          )}
        </div>
      )}
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
          {rows.map((q) => {
            const selected = q.id === selectedId;
            return (
              <li key={q.id} className={`qa-row${selected ? ' selected' : ''}`}>
                <button
                  type="button"
                  className={`qa-item${selected ? ' selected' : ''}`}
                  aria-pressed={selected}
                  onClick={() => onSelect(selected ? null : q.id)}
                  data-testid="qa-item"
                  data-qa-id={q.id}
                  data-fact-id={q.factId ?? undefined}
                  data-status={q.status}
                  data-family={q.family}
                  data-unit={q.unit ?? ''}
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
                  <span className="qa-answer" data-testid="qa-answer">
                    <RegionText
                      text={q.answer}
                      subjects={q.subjects}
                      colors={colors}
                      labelOf={labelOf}
                    />
                  </span>
                  <span className="qa-meta">
                    <span
                      className={`badge qa-status qa-status-${q.status}`}
                      data-testid="qa-status"
                    >
                      {q.status}
                    </span>
                    <span className="qa-family">{q.family}</span>
                    {q.kind && <span className="muted">· {q.kind}</span>}
                    {(q.phrasings ?? 1) > 1 && (
                      <span
                        className="muted"
                        data-testid="qa-phrasings"
                        title="One fact: the decision applies to all its phrasings; an export writes phrasings rendered from it"
                      >
                        · {q.phrasings} phrasings
                      </span>
                    )}
                  </span>
                  <span className="qa-value muted small" data-testid="qa-value">
                    value{' '}
                    <QaValue
                      value={q.value}
                      unit={q.unit}
                      colors={colors}
                      labelOf={labelOf}
                      format={(v, u) => formatQaValue(v, u, labelOf)}
                    />
                  </span>
                  {q.evidence && (
                    <EvidenceCard
                      evidence={q.evidence}
                      colors={colors}
                      labelOf={labelOf}
                      compact={!selected}
                    />
                  )}
                  {selected && q.measurement && <Measurement m={q.measurement} />}
                </button>
                <QaNaming
                  qa={q}
                  selected={selected}
                  names={names}
                  labelOf={labelOf}
                  onResolve={onResolve}
                />
                {selected && (
                  <div className="qa-actions" data-testid="qa-actions">
                    {ACTIONS.map((a) => (
                      <button
                        key={a.decision}
                        type="button"
                        className={`btn btn-small qa-action-${a.decision}`}
                        disabled={busy || (q.blocked !== null && BLOCKABLE.has(a.decision))}
                        title={
                          q.blocked !== null && BLOCKABLE.has(a.decision) ? q.blocked : undefined
                        }
                        onClick={() =>
                          a.decision === 'reject' || a.decision === 'edit'
                            ? onInputMode({ kind: a.decision, qaId: q.id })
                            : onDecide({ qaId: q.id, decision: a.decision })
                        }
                        data-testid={`qa-${a.decision}`}
                      >
                        {a.label} <kbd>{a.key}</kbd>
                      </button>
                    ))}
                  </div>
                )}
                {selected && inputMode && 'qaId' in inputMode && inputMode.qaId === q.id && (
                  <ReasonInput
                    key={inputMode.kind}
                    placeholder={
                      inputMode.kind === 'reject'
                        ? 'Reason for rejecting (Enter)'
                        : 'Corrected answer (Enter)'
                    }
                    initial={inputMode.kind === 'edit' ? q.answer : ''}
                    emptyMessage={
                      inputMode.kind === 'reject'
                        ? 'Type a reason first: every rejection records why (Esc cancels).'
                        : 'Type the corrected answer first (Esc cancels).'
                    }
                    testid={inputMode.kind === 'reject' ? 'qa-reject-reason' : 'qa-edit-answer'}
                    onSubmit={(text) =>
                      onDecide(
                        inputMode.kind === 'reject'
                          ? { qaId: q.id, decision: 'reject', reason: text }
                          : { qaId: q.id, decision: 'edit', editedAnswer: text },
                      )
                    }
                    onCancel={() => onInputMode(null)}
                    confirming={warnings !== null}
                    onConfirm={onConfirmWarnings}
                  />
                )}
                {selected && warnings && (
                  <div className="qa-warnings" role="alert" data-testid="review-warnings">
                    <ul>
                      {warnings.map((w, i) => (
                        <li key={i} data-code={w.code}>
                          {w.message}
                        </li>
                      ))}
                    </ul>
                    <div className="qa-warning-actions">
                      <button
                        type="button"
                        className="btn btn-small"
                        onClick={onConfirmWarnings}
                        data-testid="review-confirm"
                      >
                        Apply anyway <kbd>Enter</kbd>
                      </button>
                      <button type="button" className="btn btn-small" onClick={onCancelWarnings}>
                        Cancel <kbd>Esc</kbd>
                      </button>
                    </div>
                  </div>
                )}
              </li>
            );
          })}
          {!firstFrame && qa.length > rows.length && (
            <li>
              <button
                type="button"
                className="link-btn small qa-more"
                onClick={() => setExtra((n) => n + ROW_WINDOW * 4)}
                data-testid="qa-more"
              >
                {qa.length - rows.length} more (or keep pressing <kbd>n</kbd>)
              </button>
            </li>
          )}
        </ul>
      )}
    </section>
  );
}

function Measurement({ m }: { m: NonNullable<ReviewQa['measurement']> }) {
  return (
    <span className="qa-measurement small" data-testid="qa-measurement">
      <span>
        measured as <b>{m.type}</b>
        {m.spoken && (
          <>
            {' '}
            · said “{m.spoken}”{m.step !== null && ` (rounded to ${formatNumber(m.step, 3)} m)`}
          </>
        )}
        {m.dependsOn.length > 0 &&
          ` · uses objects ${m.dependsOn.map((id) => `#${id}`).join(', ')}`}
      </span>
      {m.steps.map((s, i) => (
        <span key={i} className="qa-step">
          {i + 1}. {s}
        </span>
      ))}
    </span>
  );
}

/** A one-line text input that submits on Enter and cancels on Escape (keys stay inside it). */
function ReasonInput({
  placeholder,
  initial,
  emptyMessage,
  testid,
  onSubmit,
  onCancel,
  confirming = false,
  onConfirm,
}: {
  placeholder: string;
  initial: string;
  /** Said under the input when Enter is pressed with nothing typed (never ignored silently). */
  emptyMessage: string;
  testid: string;
  onSubmit: (text: string) => void;
  onCancel: () => void;
  confirming?: boolean;
  onConfirm?: () => void;
}) {
  const [text, setText] = useState(initial);
  const [empty, setEmpty] = useState(false);
  const ref = useRef<HTMLInputElement | null>(null);
  useEffect(() => {
    ref.current?.focus();
    ref.current?.select();
  }, []);
  return (
    <>
      <input
        ref={ref}
        className="qa-input"
        type="text"
        value={text}
        maxLength={2000}
        placeholder={placeholder}
        aria-invalid={empty}
        onChange={(e) => {
          setText(e.target.value);
          if (e.target.value.trim()) setEmpty(false);
        }}
        onKeyDown={(e) => {
          e.stopPropagation();
          if (e.key === 'Enter') {
            e.preventDefault();
            if (confirming && onConfirm) onConfirm();
            else if (text.trim()) onSubmit(text.trim());
            else setEmpty(true);
          } else if (e.key === 'Escape') {
            e.preventDefault();
            onCancel();
          }
        }}
        data-testid={testid}
      />
      {empty && (
        <p className="qa-input-error error-text small" role="alert" data-testid={`${testid}-empty`}>
          {emptyMessage}
        </p>
      )}
    </>
  );
}
