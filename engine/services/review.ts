// The review API on a desktop project: the handler sets shared with the team service (object and
// label edits: object-edits.ts; QA decisions: review-decisions.ts; undo/redo: review-history.ts;
// the queue and image view: review-evidence.ts) over the async stores on project.sqlite, plus the
// click-to-refine (mask-refine.ts, with the team service). Object edits, undo and redo have the image's graph and QA re-derived
// in the background (RederiveQueue). A write that finds the project locked by another process is
// retried (db/busy.ts), never shown as a lock error.
import type { ApiHandlers } from '../../contract/api';
import type { EditableObject, ReviewQa } from '../../contract/review';
import { retryWhenBusy } from '../../db/busy';
import type { ProjectStore } from '../../db/project-store';
import type { AuditEntryRow, ObjectState, QaReviewRow } from '../../db/store/rows';
import { MaskRefiner } from '../review/mask-refiner';
import type { EvidenceReader } from '../scene-view/qa-evidence';
import type { ServiceContext } from '../service';
import { createRefineHandlers, desktopRefineProject } from './mask-refine';
import { createObjectEditHandlers } from './object-edits';
import { createEvidenceHandlers } from './review-evidence';
import { desktopReviewSource, reviewEvent, type ReviewContext } from './review-context';
import { createDecisionHandlers } from './review-decisions';
import { createHistoryHandlers } from './review-history';

/** The review API's edits and queue; its reads of the catalog are services/catalog.ts's. */
type ReviewHandlers = {
  objects: Omit<ApiHandlers['objects'], 'list'>;
  qa: Omit<ApiHandlers['qa'], 'list'>;
  reviews: Omit<ApiHandlers['reviews'], 'list'>;
  labels: Omit<ApiHandlers['labels'], 'vocabulary'>;
};

export function toEditableObject(s: ObjectState): EditableObject {
  return {
    id: s.id,
    imageId: s.imageId,
    label: s.label,
    score: s.score,
    box: s.box,
    provenance: s.provenance,
    maskProvenance: s.maskProvenance,
    version: s.version,
    mask: parseMask(s.maskRle),
    attributes: s.attributes,
    excluded: s.excluded,
  };
}

function parseMask(json: string | null): EditableObject['mask'] {
  if (!json) return null;
  try {
    const m = JSON.parse(json) as EditableObject['mask'];
    return m && Array.isArray(m.size) && m.counts !== undefined ? m : null;
  } catch {
    return null;
  }
}

export function toReviewQa(
  q: QaReviewRow,
  evidence: EvidenceReader = () => null,
  blocked: string | null = null,
): ReviewQa {
  const r = q.record ?? {};
  const display = r.display as { text?: string; step?: number } | undefined;
  const steps = Array.isArray(r.steps) ? (r.steps as Array<{ text?: unknown }>) : [];
  return {
    id: q.id,
    imageId: q.imageId,
    family: q.family,
    question: q.question,
    answer: q.answer,
    status: q.status,
    kind: q.kind,
    subjects: Array.isArray(r.subjects) ? (r.subjects as number[]) : [],
    value: q.value,
    unit: typeof r.unit === 'string' ? r.unit : null,
    revision: q.revision,
    batchId: q.batchId,
    fileName: q.fileName,
    naming: typeof r.naming === 'string' ? r.naming : null,
    blocked,
    measurement: q.record
      ? {
          type: typeof r.type === 'string' ? r.type : q.family,
          valueType: typeof r.valueType === 'string' ? r.valueType : null,
          spoken: display?.text ?? null,
          step: typeof display?.step === 'number' ? display.step : null,
          steps: steps.map((s) => String(s.text ?? '')),
          dependsOn: Array.isArray(r.dependsOn) ? (r.dependsOn as number[]) : [],
        }
      : null,
    evidence: evidence(q),
    factId: q.factId,
    phrasings: q.phrasings,
  };
}

export function createReviewHandlers(
  ctx: ServiceContext,
  refiner: MaskRefiner = new MaskRefiner(),
): ReviewHandlers {
  const announce = (projectId: string, entry: AuditEntryRow) =>
    ctx.events.emit(reviewEvent(projectId, entry));
  const rederive = (store: ProjectStore, imageIds: number[]) => {
    for (const id of imageIds) ctx.rederive.enqueue(store, id);
  };
  const review: ReviewContext = {
    sourceOf: (projectId) => desktopReviewSource(ctx.projects.get(projectId).db),
    announce,
    afterStep: (projectId, entry) => {
      const after = (entry.after as { objects?: ObjectState[] } | null)?.objects ?? [];
      rederive(ctx.projects.get(projectId), [...new Set(after.map((o) => o.imageId))]);
    },
    now: Date.now,
    write: (work) => retryWhenBusy(work),
  };
  const decisions = createDecisionHandlers(review);
  const undoRedo = createHistoryHandlers(review);
  const edits = createObjectEditHandlers(review);
  const evidence = createEvidenceHandlers(review);
  const refine = createRefineHandlers(refiner, (projectId) =>
    desktopRefineProject(ctx.projects.get(projectId)),
  );

  return {
    objects: {
      create: edits['objects.create'],
      update: edits['objects.update'],
      delete: edits['objects.delete'],
      exclude: edits['objects.exclude'],
      setAttributes: edits['objects.setAttributes'],
      pickReferent: edits['objects.pickReferent'],
      split: edits['objects.split'],
      merge: edits['objects.merge'],
      setMask: edits['objects.setMask'],
      segmenter: refine.segmenter,
      refineMask: refine.refineMask,
    },
    qa: { queue: evidence.queue },
    labels: {
      rename: edits['labels.rename'],
      merge: edits['labels.merge'],
    },
    reviews: {
      record: decisions.record,
      image: evidence.image,
      decide: decisions.decide,
      bulk: decisions.bulk,
      undo: undoRedo.undo,
      redo: undoRedo.redo,
      history: undoRedo.history,
    },
  };
}
