// One line on a QA card about its names: why approval is blocked (a subject has no unique name,
// with the buttons that take the reviewer to that object's naming tools), or, on the selected
// card, the referring expressions the export uses for its subjects. Rendered as text.
import type { ReviewQa } from '../../../contract/review';

interface Props {
  qa: ReviewQa;
  selected: boolean;
  names: ReadonlyMap<number, string | null>;
  labelOf: (id: number) => string | undefined;
  onResolve: (objectId: number) => void;
}

export function QaNaming({ qa, selected, names, labelOf, onResolve }: Props) {
  const subjects = [...new Set(qa.subjects)];
  if (qa.blocked !== null) {
    const unnamed = subjects.filter((id) => (names.get(id) ?? null) === null);
    return (
      <div className="qa-blocked small" role="note" data-testid="qa-blocked">
        <span className="error-text">Approval blocked: {qa.blocked}</span>
        {selected &&
          unnamed.map((id) => (
            <button
              key={id}
              type="button"
              className="btn btn-small"
              onClick={() => onResolve(id)}
              data-testid="qa-resolve"
              data-object-id={id}
            >
              Resolve {labelOf(id) ?? 'object'} #{id}
            </button>
          ))}
      </div>
    );
  }
  if (!selected || subjects.length === 0) return null;
  return (
    <p className="qa-names muted small" data-testid="qa-names">
      Exported as{' '}
      {subjects.map((id, i) => (
        <span key={id} data-object-id={id}>
          {i > 0 && ' · '}
          {labelOf(id) ?? 'object'} #{id} = “{names.get(id) ?? 'no unique name'}”
        </span>
      ))}
    </p>
  );
}
