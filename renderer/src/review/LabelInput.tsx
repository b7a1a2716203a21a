// A label text field with autocomplete from the project's vocabulary (a <datalist>, so labels are
// options' text, never markup). Enter submits, Escape cancels; keys stay inside the field.
import { useEffect, useId, useRef, useState } from 'react';

interface Props {
  initial: string;
  vocabulary: readonly { label: string; count: number }[];
  placeholder: string;
  submitLabel: string;
  testid: string;
  onSubmit: (label: string) => void;
  onCancel: () => void;
}

export function LabelInput({
  initial,
  vocabulary,
  placeholder,
  submitLabel,
  testid,
  onSubmit,
  onCancel,
}: Props) {
  const [text, setText] = useState(initial);
  const listId = useId();
  const ref = useRef<HTMLInputElement | null>(null);
  useEffect(() => {
    ref.current?.focus();
    ref.current?.select();
  }, []);
  const submit = () => {
    if (text.trim()) onSubmit(text.trim());
  };
  return (
    <div className="label-input">
      <input
        ref={ref}
        type="text"
        list={listId}
        value={text}
        maxLength={64}
        placeholder={placeholder}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          e.stopPropagation();
          if (e.key === 'Enter') {
            e.preventDefault();
            submit();
          } else if (e.key === 'Escape') {
            e.preventDefault();
            onCancel();
          }
        }}
        data-testid={testid}
      />
      <datalist id={listId}>
        {vocabulary.map((v) => (
          <option key={v.label} value={v.label}>
            {`${v.label} (${v.count})`}
          </option>
        ))}
      </datalist>
      <button type="button" className="btn btn-small" onClick={submit} disabled={!text.trim()}>
        {submitLabel}
      </button>
      <button type="button" className="btn btn-small" onClick={onCancel}>
        Cancel
      </button>
    </div>
  );
}
