// The keyboard help overlay (?): every binding of review/keymap.ts, grouped.
import { useEffect, useRef } from 'react';
import { KEYMAP, keyLabel, type KeyBinding } from './keymap';

const GROUPS: KeyBinding['group'][] = ['Review', 'Navigate', 'Edit', 'View'];

export function KeyHelp({ onClose }: { onClose: () => void }) {
  const ref = useRef<HTMLDivElement | null>(null);
  useEffect(() => ref.current?.focus(), []);
  return (
    <div className="key-help-backdrop" onClick={onClose}>
      <div
        ref={ref}
        className="key-help"
        role="dialog"
        aria-modal="true"
        aria-label="Keyboard shortcuts"
        tabIndex={-1}
        onClick={(e) => e.stopPropagation()}
        data-testid="key-help"
      >
        <h2>Keyboard</h2>
        <div className="key-help-groups">
          {GROUPS.map((g) => (
            <section key={g}>
              <h3>{g}</h3>
              <dl>
                {KEYMAP.filter((b) => b.group === g).map((b) => (
                  <div key={b.action} className="key-row">
                    <dt>
                      {b.keys.map((k) => (
                        <kbd key={k}>{keyLabel(k)}</kbd>
                      ))}
                    </dt>
                    <dd>{b.label}</dd>
                  </div>
                ))}
              </dl>
            </section>
          ))}
        </div>
        <p className="muted small">
          Press <kbd>?</kbd> or <kbd>Esc</kbd> to close. In a text field, <kbd>Enter</kbd> submits
          and <kbd>Esc</kbd> cancels.
        </p>
      </div>
    </div>
  );
}
