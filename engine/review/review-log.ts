// Every human edit and decision is a command: a named change from a `before` to an `after` state of
// the rows it touches (objects, QA pairs), written to the audit log (who, when, what, before/after)
// in the same transaction as the change. Undo writes `before` back, redo writes `after` back, each
// only when the rows are still exactly as the last entry left them (otherwise another window has
// edited them and the undo is refused rather than overwriting that work). Each reviewer has their
// own undo and redo stacks: undo reverts your own last command, never a colleague's.
import type { ProjectStore } from '../../db/project-store';
import type {
  AuditEntryRow,
  ObjectState,
  QaState,
  ReviewEditRepository,
} from '../../db/repositories/annotations';
import { sameReviewerObject } from '../../db/repositories/object-undo-rules';
import { NotFoundError } from '../errors';
import { StaleEditError } from './errors';
import { describeObject } from './object-edit-plans';
import { deriveStacks, type UndoStacks } from './undo-stack';

export interface Snapshot {
  objects: ObjectState[];
  qa: QaState[];
}

export interface CommandSpec {
  /** e.g. `object.move`, `label.rename`, `review.approve`. */
  command: string;
  /** e.g. `object:12`, `label:chair`, `qa:40`. */
  target: string;
  actor: string;
  /** The rows as the client last saw them: their versions/revisions must still be current. */
  before: Snapshot;
  /** The rows as they should be afterwards (versions/revisions are ignored). */
  after: Snapshot;
  /** Runs in the transaction before any write; throwing refuses the command (a claim). */
  guard?: () => void;
  /** Extra writes in the same transaction (e.g. the review_decisions row). */
  alongside?: () => void;
  /** False for decisions that change nothing (skip): logged, but not on the undo stack. */
  undoable?: boolean;
}

export interface HistoryState {
  canUndo: boolean;
  canRedo: boolean;
  /** What undo / redo would revert or re-apply next. */
  nextUndo: { id: number; command: string; target: string } | null;
  nextRedo: { id: number; command: string; target: string } | null;
}

export class ReviewLog {
  private readonly edits: ReviewEditRepository;

  constructor(
    store: ProjectStore,
    /** Called after a change to objects commits, with the images whose objects changed. */
    private readonly onObjectsChanged: (imageIds: number[]) => void = () => {},
    /** Called with every audit entry written (who did what), once the outermost transaction ends. */
    private readonly onEntry: (entry: AuditEntryRow) => void = () => {},
  ) {
    this.edits = store.annotations.edits;
  }

  execute(spec: CommandSpec): AuditEntryRow {
    const entry = this.edits.transaction(() => {
      spec.guard?.();
      const after = this.write(spec.after, spec.before, 'edit');
      spec.alongside?.();
      return this.edits.appendAudit({
        actor: spec.actor,
        command: spec.command,
        target: spec.target,
        before: spec.before,
        after,
        op: spec.undoable === false ? 'log' : 'do',
        refId: null,
        imageIds: imagesOf(spec.before, after),
      });
    });
    this.notify(entry);
    return entry;
  }

  /** Reverts `actor`'s newest undoable command; null when there is nothing to undo. */
  undo(actor: string): AuditEntryRow | null {
    return this.step(actor, 'undo');
  }

  /** Re-applies `actor`'s newest undone command; null when there is nothing to redo. */
  redo(actor: string): AuditEntryRow | null {
    return this.step(actor, 'redo');
  }

  stacks(actor: string): UndoStacks {
    return deriveStacks(this.edits.undoHistory(actor));
  }

  history(actor: string): HistoryState {
    const { undo, redo } = this.stacks(actor);
    const brief = (id: number | undefined) => {
      const e = id === undefined ? undefined : this.edits.auditEntry(id);
      return e ? { id: e.id, command: e.command, target: e.target } : null;
    };
    return {
      canUndo: undo.length > 0,
      canRedo: redo.length > 0,
      nextUndo: brief(undo.at(-1)?.commandId),
      nextRedo: brief(redo.at(-1)?.commandId),
    };
  }

  private step(actor: string, op: 'undo' | 'redo'): AuditEntryRow | null {
    const entry = this.edits.transaction(() => {
      const stacks = this.stacks(actor);
      const item = (op === 'undo' ? stacks.undo : stacks.redo).at(-1);
      if (!item) return null;
      const command = this.edits.auditEntry(item.commandId);
      const last = this.edits.auditEntry(item.lastId);
      if (!command || !last) throw new NotFoundError(`audit entry ${item.commandId} is missing`);
      const current = last.after as Snapshot;
      const target = (op === 'undo' ? command.before : command.after) as Snapshot;
      const after = this.write(target, current, op, { actor, entryId: last.id });
      return this.edits.appendAudit({
        actor,
        command: command.command,
        target: command.target,
        before: current,
        after,
        op,
        refId: command.id,
        imageIds: imagesOf(current, after),
      });
    });
    if (entry) this.notify(entry);
    return entry;
  }

  /**
   * Writes `target` over rows that must still match `expected`; returns the rows as written. An
   * undo/redo names whose step it is and the entry that left the rows as `expected`.
   */
  private write(
    target: Snapshot,
    expected: Snapshot,
    why: 'edit' | 'undo' | 'redo',
    step?: { actor: string; entryId: number },
  ): Snapshot {
    const out: Snapshot = { objects: [], qa: [] };
    for (const next of target.objects) {
      const seen = expected.objects.find((o) => o.id === next.id);
      const now = this.edits.objectState(next.id);
      if (!now) throw new NotFoundError(`object not found: ${next.id}`);
      // An edit names the version it was made against. Undo/redo compare what a reviewer controls
      // (label, box, attributes, exclusion, deleted, their own mask), so re-derived masks and undone
      // later commands do not block them.
      const version =
        why === 'edit'
          ? (seen?.version ?? now.version)
          : sameReviewerObject(seen, now)
            ? now.version
            : -1;
      if (this.edits.writeObjectState(next, version) === null)
        throw new StaleEditError(
          why === 'edit'
            ? `${describeObject(now)} was changed in another window (you edited version ${version}, it is now at version ${now.version}); reload the image and edit again`
            : `cannot ${why}: ${describeObject(now)} was changed since${this.changedBy('object', now, step)}; reload to see the change`,
        );
      out.objects.push(this.edits.objectState(next.id)!);
    }
    for (const next of target.qa) {
      const seen = expected.qa.find((q) => q.id === next.id);
      const now = this.edits.qaState(next.id);
      if (!now) throw new NotFoundError(`QA pair not found: ${next.id}`);
      const revision =
        why === 'edit'
          ? (seen?.revision ?? now.revision)
          : seen && seen.status === now.status && seen.answer === now.answer
            ? now.revision
            : '';
      if (!this.edits.writeQaState(next, revision))
        throw new StaleEditError(
          why === 'edit'
            ? `QA #${next.id} was changed in another window or by re-derivation (now ${now.status}); reload and review it again`
            : `cannot ${why}: QA #${next.id} (now ${now.status}) was changed since${this.changedBy('qa', now, step)}`,
        );
      out.qa.push(this.edits.qaState(next.id)!);
    }
    return out;
  }

  /** ' by bob (review.reject)' when a later command of someone else changed the row; else ''. */
  private changedBy(
    kind: 'object' | 'qa',
    row: { id: number; imageId: number },
    step: { actor: string; entryId: number } | undefined,
  ): string {
    if (!step) return '';
    const later = this.edits.lastChangeOf(kind, row, step.entryId);
    if (!later) return ' (by re-derivation or another program)';
    return later.actor === step.actor
      ? ` by your own later ${later.command}`
      : ` by ${later.actor.slice(0, 60)} (${later.command}); it stays as they left it`;
  }

  private notify(entry: AuditEntryRow): void {
    // A command may run inside a caller's transaction (a decision's checks); a microtask runs after
    // that synchronous transaction has committed, so listeners never hear of uncommitted work.
    queueMicrotask(() => this.onEntry(entry));
    const after = entry.after as Snapshot;
    const images = [...new Set(after.objects.map((o) => o.imageId))];
    if (images.length > 0) this.onObjectsChanged(images);
  }
}

function imagesOf(a: Snapshot, b: Snapshot): number[] {
  return [...new Set([...a.objects, ...b.objects, ...a.qa, ...b.qa].map((r) => r.imageId))].sort(
    (x, y) => x - y,
  );
}
