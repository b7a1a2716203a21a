// Rename a label on every object of the project; naming a label that is already in use merges the
// two. One undoable command either way.
import { useState } from 'react';
import { LabelInput } from './LabelInput';

interface Props {
  vocabulary: readonly { label: string; count: number }[];
  onRename: (from: string, to: string) => void;
  busy: boolean;
}

export function LabelTools({ vocabulary, onRename, busy }: Props) {
  const [from, setFrom] = useState<string | null>(null);
  if (vocabulary.length === 0) return null;
  return (
    <details className="label-tools" data-testid="label-tools">
      <summary>Project labels ({vocabulary.length})</summary>
      <ul className="vocab-list">
        {vocabulary.map((v) => (
          <li key={v.label} data-testid="vocab-item" data-label={v.label}>
            <span className="vocab-label" title={v.label}>
              {v.label}
            </span>
            <span className="muted small">{v.count}</span>
            <button
              type="button"
              className="link-btn small"
              disabled={busy}
              onClick={() => setFrom(v.label)}
              data-testid="vocab-rename"
            >
              rename / merge
            </button>
          </li>
        ))}
      </ul>
      {from !== null && (
        <LabelInput
          key={from}
          initial={from}
          vocabulary={vocabulary.filter((v) => v.label !== from)}
          placeholder="New name (an existing label merges)"
          submitLabel="Apply"
          testid="vocab-rename-input"
          onSubmit={(to) => {
            onRename(from, to);
            setFrom(null);
          }}
          onCancel={() => setFrom(null)}
        />
      )}
    </details>
  );
}
