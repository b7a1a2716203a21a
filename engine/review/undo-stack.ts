// The undo and redo stacks, rebuilt from the audit log alone (so they survive restarts): a new
// command clears the redo stack; undoing moves a command to the redo stack, redoing moves it back.

export interface HistoryEntry {
  id: number;
  op: 'do' | 'undo' | 'redo';
  refId: number | null;
}

/** A command on a stack: `commandId` is its original 'do' entry, `lastId` the entry whose `after` is current. */
export interface StackItem {
  commandId: number;
  lastId: number;
}

export interface UndoStacks {
  /** Top last. */
  undo: StackItem[];
  /** Top last. */
  redo: StackItem[];
}

export function deriveStacks(history: readonly HistoryEntry[]): UndoStacks {
  const undo: StackItem[] = [];
  let redo: StackItem[] = [];
  for (const e of history) {
    if (e.op === 'do') {
      undo.push({ commandId: e.id, lastId: e.id });
      redo = [];
    } else if (e.op === 'undo') {
      const at = undo.findLastIndex((s) => s.commandId === e.refId);
      if (at < 0) continue;
      const [item] = undo.splice(at, 1);
      redo.push({ commandId: item!.commandId, lastId: e.id });
    } else {
      const at = redo.findLastIndex((s) => s.commandId === e.refId);
      if (at < 0) continue;
      const [item] = redo.splice(at, 1);
      undo.push({ commandId: item!.commandId, lastId: e.id });
    }
  }
  return { undo, redo };
}
