// Tests' handle on a desktop project's decisions, object and label edits and undo/redo: the shared
// review handlers (engine/services/review-decisions.ts, object-edits.ts, review-history.ts) over
// the project's own connection, as engine/services/review.ts serves them, called with the reviewer
// as `actor`; an edit answers with its audit entry.
import type { HistoryState, ReviewWarning } from '../../../contract/review';
import { retryWhenBusy } from '../../../db/busy';
import type { ProjectStore } from '../../../db/project-store';
import type { AuditEntryRow, ObjectState } from '../../../db/store/rows';
import { createObjectEditHandlers, type ObjectEditHandlers } from '../../services/object-edits';
import { desktopReviewSource, type ReviewContext } from '../../services/review-context';
import { createDecisionHandlers } from '../../services/review-decisions';
import { createHistoryHandlers } from '../../services/review-history';
import type { DecisionKind } from '../qa-checks';

export interface DecisionRequest {
  qaId: number;
  decision: DecisionKind;
  reason?: string;
  editedAnswer?: string;
  expectedRevision?: string;
  confirmWarnings: boolean;
  actor: string;
}

export interface DesktopReview {
  decide(d: DecisionRequest): Promise<{
    applied: boolean;
    warnings: ReviewWarning[];
    blocked: string | null;
    entry: AuditEntryRow | null;
  }>;
  bulk(b: {
    family: string;
    imageId?: number;
    batchId?: number;
    decision: Exclude<DecisionKind, 'edit'>;
    reason?: string;
    confirmWarnings: boolean;
    actor: string;
  }): Promise<{
    applied: number;
    warnings: Array<{ qaId: number; warnings: ReviewWarning[] }>;
    entry: AuditEntryRow | null;
  }>;
  undo(actor: string): Promise<AuditEntryRow | null>;
  redo(actor: string): Promise<AuditEntryRow | null>;
  history(actor: string): Promise<HistoryState>;
  objects: DesktopObjectEdits;
}

/** An edit method's input, with the reviewer as `actor` and no project. */
type EditInput<M extends keyof ObjectEditHandlers> = Omit<
  Parameters<ObjectEditHandlers[M]>[0],
  'projectId' | 'reviewer'
> & { actor: string };
type Edit<M extends keyof ObjectEditHandlers> = (a: EditInput<M>) => Promise<AuditEntryRow>;

/** Object and label edits, each answering with its audit entry. */
export interface DesktopObjectEdits {
  create: Edit<'objects.create'>;
  update: Edit<'objects.update'>;
  delete: Edit<'objects.delete'>;
  setMask: Edit<'objects.setMask'>;
  exclude: Edit<'objects.exclude'>;
  setAttributes: Edit<'objects.setAttributes'>;
  pick: Edit<'objects.pickReferent'>;
  split: Edit<'objects.split'>;
  merge: Edit<'objects.merge'>;
  renameLabel: Edit<'labels.rename'>;
  mergeLabels: Edit<'labels.merge'>;
}

export function desktopReview(
  store: ProjectStore,
  opts: {
    /** Images whose objects an edit, undo or redo wrote (the service re-derives them). */
    onObjectsChanged?: (imageIds: number[]) => void;
    /** Retry a write that finds the project locked, as the service does (default true). */
    retry?: boolean;
  } = {},
): DesktopReview {
  const source = desktopReviewSource(store.db);
  const context: ReviewContext = {
    sourceOf: () => source,
    announce: () => {},
    afterStep: (_projectId, entry) => {
      const after = (entry.after as { objects?: ObjectState[] } | null)?.objects ?? [];
      const images = [...new Set(after.map((o) => o.imageId))];
      if (images.length > 0) opts.onObjectsChanged?.(images);
    },
    now: Date.now,
    write: (work) => (opts.retry === false ? work() : retryWhenBusy(work)),
  };
  const decisions = createDecisionHandlers(context);
  const steps = createHistoryHandlers(context);
  const edits = createObjectEditHandlers(context);
  const projectId = 'desktop';
  const entry = async (id: number | null) =>
    id === null ? null : ((await source.undo.entry(id)) ?? null);
  const edit =
    <M extends keyof ObjectEditHandlers>(method: M): Edit<M> =>
    async ({ actor, ...a }) => {
      const call = edits[method] as (input: unknown) => Promise<{ entryId: number }>;
      const out = await call({ ...a, projectId, reviewer: actor });
      return (await entry(out.entryId))!;
    };
  return {
    objects: {
      create: edit('objects.create'),
      update: edit('objects.update'),
      delete: edit('objects.delete'),
      setMask: edit('objects.setMask'),
      exclude: edit('objects.exclude'),
      setAttributes: edit('objects.setAttributes'),
      pick: edit('objects.pickReferent'),
      split: edit('objects.split'),
      merge: edit('objects.merge'),
      renameLabel: edit('labels.rename'),
      mergeLabels: edit('labels.merge'),
    },
    decide: async ({ actor, ...d }) => {
      const out = await decisions.decide({ ...d, projectId, reviewer: actor });
      return { ...out, entry: await entry(out.entryId) };
    },
    bulk: async ({ actor, ...b }) => {
      const out = await decisions.bulk({ ...b, projectId, reviewer: actor });
      return { ...out, entry: await entry(out.entryId) };
    },
    undo: async (actor) => (await steps.undo({ projectId, reviewer: actor })).entry,
    redo: async (actor) => (await steps.redo({ projectId, reviewer: actor })).entry,
    history: (actor) => steps.history({ projectId, reviewer: actor }),
  };
}
