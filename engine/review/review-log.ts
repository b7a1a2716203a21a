// A desktop object or label edit as a command: a named change from a `before` to an `after` state of
// the objects it touches, written to the audit log (who, when, what, before/after) in the same
// transaction as the change, in the format every undo reads. Undo and redo of these and of QA
// decisions are one per-reviewer history, stepped by engine/services/review-history.ts over
// db/store/undo-store.ts; decisions themselves are engine/services/review-decisions.ts.
import type { ProjectStore } from '../../db/project-store';
import type {
  AuditEntryRow,
  ObjectState,
  ReviewEditRepository,
} from '../../db/repositories/annotations';
import { NotFoundError } from '../errors';
import { StaleEditError } from './errors';
import { describeObject } from './object-edit-plans';

/** The rows a command changes; `qa` is the audit format's place for a decision's QA (none here). */
export interface Snapshot {
  objects: ObjectState[];
  qa: [];
}

export interface CommandSpec {
  /** e.g. `object.move`, `label.rename`. */
  command: string;
  /** e.g. `object:12`, `label:chair`. */
  target: string;
  actor: string;
  /** The rows as the client last saw them: their versions/revisions must still be current. */
  before: Snapshot;
  /** The rows as they should be afterwards (versions/revisions are ignored). */
  after: Snapshot;
  /** Runs in the transaction before any write; throwing refuses the command (a claim). */
  guard?: () => void;
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
      const after = this.write(spec.after, spec.before);
      return this.edits.appendAudit({
        actor: spec.actor,
        command: spec.command,
        target: spec.target,
        before: spec.before,
        after,
        op: 'do',
        refId: null,
        imageIds: imagesOf(spec.before, after),
      });
    });
    this.notify(entry);
    return entry;
  }

  /** Writes `target` over objects still at the versions in `expected`; returns them as written. */
  private write(target: Snapshot, expected: Snapshot): Snapshot {
    const out: Snapshot = { objects: [], qa: [] };
    for (const next of target.objects) {
      const seen = expected.objects.find((o) => o.id === next.id);
      const now = this.edits.objectState(next.id);
      if (!now) throw new NotFoundError(`object not found: ${next.id}`);
      // An edit names the version it was made against.
      const version = seen?.version ?? now.version;
      if (this.edits.writeObjectState(next, version) === null)
        throw new StaleEditError(
          `${describeObject(now)} was changed in another window (you edited version ${version}, it is now at version ${now.version}); reload the image and edit again`,
        );
      out.objects.push(this.edits.objectState(next.id)!);
    }
    return out;
  }

  private notify(entry: AuditEntryRow): void {
    // A command may run inside a caller's transaction (a referent edit's checks); a microtask runs after
    // that synchronous transaction has committed, so listeners never hear of uncommitted work.
    queueMicrotask(() => this.onEntry(entry));
    const after = entry.after as Snapshot;
    const images = [...new Set(after.objects.map((o) => o.imageId))];
    if (images.length > 0) this.onObjectsChanged(images);
  }
}

function imagesOf(a: Snapshot, b: Snapshot): number[] {
  return [...new Set([...a.objects, ...b.objects].map((r) => r.imageId))].sort((x, y) => x - y);
}
