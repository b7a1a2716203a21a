// The review keyboard map: one table drives both the key handling and the help overlay (?), so
// what the overlay shows is what the keys do.

export type ReviewAction =
  | 'next-qa'
  | 'prev-qa'
  | 'next-image'
  | 'prev-image'
  | 'approve'
  | 'reject'
  | 'edit'
  | 'skip'
  | 'undo'
  | 'redo'
  | 'confirm'
  | 'escape'
  | 'toggle-depth'
  | 'toggle-boxes'
  | 'toggle-masks'
  | 'toggle-3d'
  | 'tool-select'
  | 'tool-draw'
  | 'relabel'
  | 'delete-object'
  | 'next-object'
  | 'zoom-fit'
  | 'zoom-actual'
  | 'zoom-in'
  | 'zoom-out'
  | 'help';

export interface KeyBinding {
  action: ReviewAction;
  /** `KeyboardEvent.key` values; a `Ctrl+` prefix means Ctrl or Cmd, `Shift+` the Shift key. */
  keys: string[];
  label: string;
  group: 'Review' | 'Navigate' | 'Edit' | 'View';
}

export const KEYMAP: readonly KeyBinding[] = [
  { action: 'next-qa', keys: ['n', 'ArrowDown'], label: 'Next QA item', group: 'Navigate' },
  { action: 'prev-qa', keys: ['p', 'ArrowUp'], label: 'Previous QA item', group: 'Navigate' },
  { action: 'next-image', keys: ['j', 'ArrowRight'], label: 'Next image', group: 'Navigate' },
  { action: 'prev-image', keys: ['k', 'ArrowLeft'], label: 'Previous image', group: 'Navigate' },
  { action: 'approve', keys: ['a'], label: 'Approve the QA item', group: 'Review' },
  { action: 'reject', keys: ['r'], label: 'Reject with a reason', group: 'Review' },
  { action: 'edit', keys: ['e'], label: 'Edit the answer', group: 'Review' },
  { action: 'skip', keys: ['s'], label: 'Skip (decide later)', group: 'Review' },
  { action: 'confirm', keys: ['Enter'], label: 'Confirm despite warnings', group: 'Review' },
  { action: 'undo', keys: ['u', 'Ctrl+z'], label: 'Undo', group: 'Edit' },
  { action: 'redo', keys: ['Shift+U', 'Ctrl+Shift+Z', 'Ctrl+y'], label: 'Redo', group: 'Edit' },
  { action: 'tool-select', keys: ['v'], label: 'Select / move tool', group: 'Edit' },
  { action: 'tool-draw', keys: ['w'], label: 'Draw a new box', group: 'Edit' },
  { action: 'next-object', keys: ['o'], label: 'Select the next object', group: 'Edit' },
  { action: 'relabel', keys: ['l'], label: 'Relabel the selected object', group: 'Edit' },
  {
    action: 'delete-object',
    keys: ['Delete', 'Backspace'],
    label: 'Delete the selected object',
    group: 'Edit',
  },
  { action: 'toggle-depth', keys: ['d'], label: 'Depth overlay', group: 'View' },
  { action: 'toggle-boxes', keys: ['b'], label: 'Boxes', group: 'View' },
  { action: 'toggle-masks', keys: ['m'], label: 'Masks', group: 'View' },
  { action: 'toggle-3d', keys: ['3'], label: '3D view', group: 'View' },
  { action: 'zoom-fit', keys: ['f'], label: 'Fit', group: 'View' },
  { action: 'zoom-actual', keys: ['1'], label: 'Actual size', group: 'View' },
  { action: 'zoom-in', keys: ['+', '='], label: 'Zoom in', group: 'View' },
  { action: 'zoom-out', keys: ['-'], label: 'Zoom out', group: 'View' },
  { action: 'help', keys: ['?'], label: 'This help', group: 'View' },
  {
    action: 'escape',
    keys: ['Escape'],
    label: 'Cancel / clear the selection (never leaves the image: ← Batch does)',
    group: 'Navigate',
  },
];

/** The binding's name of a key event: `Ctrl+Shift+Z`, `Shift+U`, `a`, `?`, `ArrowDown`. */
export function keyName(
  e: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'shiftKey' | 'altKey'>,
): string {
  const ctrl = e.ctrlKey || e.metaKey;
  const letter = e.key.length === 1 && /[a-z]/i.test(e.key);
  // Shift only matters for letters and with Ctrl; '?' and '+' already carry it in `key`.
  const shift = e.shiftKey && (letter || ctrl);
  const key = letter ? (shift ? e.key.toUpperCase() : e.key.toLowerCase()) : e.key;
  return `${ctrl ? 'Ctrl+' : ''}${shift ? 'Shift+' : ''}${key}`;
}

const BY_KEY = new Map<string, ReviewAction>(
  KEYMAP.flatMap((b) => b.keys.map((k) => [k, b.action] as const)),
);

export function actionFor(
  e: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'shiftKey' | 'altKey'>,
): ReviewAction | null {
  if (e.altKey) return null;
  return BY_KEY.get(keyName(e)) ?? null;
}

/** How a key is shown in the overlay. */
export function keyLabel(k: string): string {
  return k
    .replace('ArrowDown', '↓')
    .replace('ArrowUp', '↑')
    .replace('ArrowRight', '→')
    .replace('ArrowLeft', '←')
    .replace('Escape', 'Esc')
    .replace('Backspace', '⌫');
}
