// Object and label edits on a desktop or a team project (one handler set, over the async stores):
// the edit plans (engine/review/object-edit-plans.ts) run inside one transaction of the
// ObjectEditStore (read, check the version, check claims, write, audit entry), attributed to the
// reviewer, and each edit has the images it touched re-derived (graph and QA, decisions kept: the
// desktop's RederiveQueue, a team's TeamRederive). Undo and redo are the review undo's
// (review-history.ts over db/store/undo-store.ts), which writes objects back too.
import type { ApiHandlers } from '../../contract/api';
import type { AuditEntryRow, ObjectState } from '../../db/store/rows';
import type { ObjectEditReads, ObjectEditSpec } from '../../db/store/object-edit-store';
import { ReviewConflictError } from '../../db/store/review-store';
import { NotFoundError } from '../errors';
import { editedObjects, objectEditConflict } from '../review/claim-check';
import { StaleEditError } from '../review/errors';
import {
  cleanBox,
  cleanLabel,
  liveObject,
  mergeSources,
  planCreate,
  planDelete,
  planExclude,
  planMerge,
  planMergeLabels,
  planPick,
  planRenameLabel,
  planSetAttributes,
  planSetMask,
  planSplit,
  planUpdate,
  renameTarget,
  splitBoxes,
  type ObjectRef,
} from '../review/object-edit-plans';
import { toEditableObject } from './review';
import type { ReviewContext, ReviewSource } from './review-context';
import { historyOf } from './review-history';

type Objects = ApiHandlers['objects'];
type Labels = ApiHandlers['labels'];

/** The edit methods of both services (mask refinement is the desktop's alone). */
export interface ObjectEditHandlers {
  'objects.create': Objects['create'];
  'objects.update': Objects['update'];
  'objects.delete': Objects['delete'];
  'objects.exclude': Objects['exclude'];
  'objects.setAttributes': Objects['setAttributes'];
  'objects.pickReferent': Objects['pickReferent'];
  'objects.setMask': Objects['setMask'];
  'objects.split': Objects['split'];
  'objects.merge': Objects['merge'];
  'labels.rename': Labels['rename'];
  'labels.merge': Labels['merge'];
}

export const OBJECT_EDIT_METHODS = [
  'objects.create',
  'objects.update',
  'objects.delete',
  'objects.exclude',
  'objects.setAttributes',
  'objects.pickReferent',
  'objects.setMask',
  'objects.split',
  'objects.merge',
  'labels.rename',
  'labels.merge',
] as const satisfies ReadonlyArray<keyof ObjectEditHandlers>;

/** Refuses an edit of objects inside someone else's live claim, naming the holder. */
export const objectClaimGuard =
  (c: Pick<ReviewContext, 'now'>, p: ReviewSource, actor: string) =>
  async (reads: ObjectEditReads, spec: ObjectEditSpec): Promise<void> => {
    const others = (await p.claims.live(c.now(), reads.trx)).filter(
      (claim) => claim.holder !== actor,
    );
    if (others.length === 0) return;
    const places = await reads.places(editedObjects(spec));
    const refused = objectEditConflict(others, actor, spec, places);
    if (refused) throw refused;
  };

export function createObjectEditHandlers(c: ReviewContext): ObjectEditHandlers {
  const claimGuard = (p: ReviewSource, actor: string) => objectClaimGuard(c, p, actor);

  /** Runs one edit: plan, claim check and writes in one transaction, then events and re-derivation. */
  const run = async (
    projectId: string,
    actor: string,
    plan: (reads: ObjectEditReads) => Promise<ObjectEditSpec>,
  ) => {
    const p = c.sourceOf(projectId);
    let entry: AuditEntryRow;
    try {
      entry = await c.write(() => p.objectEdits.execute(actor, plan, claimGuard(p, actor)));
    } catch (err) {
      if (err instanceof ReviewConflictError) throw new StaleEditError(err.message);
      throw err;
    }
    c.announce(projectId, entry);
    c.afterStep(projectId, entry);
    return { entry, p };
  };
  const edited = async (
    { entry, p }: { entry: AuditEntryRow; p: ReviewSource },
    reviewer: string,
  ) => {
    const first = (entry.after as { objects: ObjectState[] }).objects[0];
    return {
      object: first && !first.deleted ? toEditableObject(first) : null,
      entryId: entry.id,
      history: await historyOf(p, reviewer),
    };
  };
  const labelResult = async (
    { entry, p }: { entry: AuditEntryRow; p: ReviewSource },
    reviewer: string,
    merged?: boolean,
  ) => ({
    changed: (entry.after as { objects: unknown[] }).objects.length,
    merged: merged ?? entry.command === 'label.merge',
    entryId: entry.id,
    history: await historyOf(p, reviewer),
  });
  const live = async (reads: ObjectEditReads, ref: ObjectRef) =>
    liveObject(await reads.object(ref.objectId), ref);
  const imageOf = async (reads: ObjectEditReads, imageId: number) => {
    const image = await reads.image(imageId);
    if (!image) throw new NotFoundError(`image not found: ${imageId}`);
    return image;
  };

  return {
    'objects.create': async ({ projectId, imageId, box, label, reviewer }) => {
      const entry = await run(projectId, reviewer, async (reads) => {
        const image = await imageOf(reads, imageId);
        const clean = cleanBox(box, image.width, image.height);
        const made = await reads.insertHumanObject({
          imageId,
          label: cleanLabel(label),
          box: clean,
        });
        return planCreate(made);
      });
      return edited(entry, reviewer);
    },
    'objects.update': async ({ projectId, objectId, expectedVersion, box, label, reviewer }) => {
      const entry = await run(projectId, reviewer, async (reads) => {
        const before = await live(reads, { objectId, expectedVersion });
        return planUpdate(before, await imageOf(reads, before.imageId), { box, label });
      });
      return edited(entry, reviewer);
    },
    'objects.delete': async ({ projectId, objectId, expectedVersion, reviewer }) => {
      const entry = await run(projectId, reviewer, async (reads) =>
        planDelete(await live(reads, { objectId, expectedVersion })),
      );
      return edited(entry, reviewer);
    },
    'objects.exclude': async ({ projectId, objectId, expectedVersion, reason, reviewer }) => {
      const entry = await run(projectId, reviewer, async (reads) =>
        planExclude(await live(reads, { objectId, expectedVersion }), reason),
      );
      return edited(entry, reviewer);
    },
    'objects.setAttributes': async ({
      projectId,
      objectId,
      expectedVersion,
      attributes,
      reviewer,
    }) => {
      const entry = await run(projectId, reviewer, async (reads) =>
        planSetAttributes(await live(reads, { objectId, expectedVersion }), attributes),
      );
      return edited(entry, reviewer);
    },
    'objects.pickReferent': async ({
      projectId,
      objectId,
      expectedVersion,
      attribute,
      others,
      reviewer,
    }) => {
      const entry = await run(projectId, reviewer, async (reads) => {
        const meant = await live(reads, { objectId, expectedVersion });
        const imageObjects = await reads.imageObjects(meant.imageId);
        const rows = [];
        for (const ref of others) rows.push({ ref, now: await reads.object(ref.objectId) });
        return planPick(meant, imageObjects, attribute, rows);
      });
      return edited(entry, reviewer);
    },
    'objects.setMask': async ({ projectId, objectId, expectedVersion, mask, tool, reviewer }) => {
      const entry = await run(projectId, reviewer, async (reads) => {
        const before = await live(reads, { objectId, expectedVersion });
        return planSetMask(before, await imageOf(reads, before.imageId), { mask, tool });
      });
      return edited(entry, reviewer);
    },
    'objects.split': async ({ projectId, objectId, expectedVersion, boxes, reviewer }) => {
      const entry = await run(projectId, reviewer, async (reads) => {
        const before = await live(reads, { objectId, expectedVersion });
        const [first, second] = splitBoxes(boxes, await imageOf(reads, before.imageId));
        const made = await reads.insertHumanObject({
          imageId: before.imageId,
          label: before.label,
          box: second,
        });
        return planSplit(before, made, first);
      });
      return edited(entry, reviewer);
    },
    'objects.merge': async ({ projectId, kept, merged, reviewer }) => {
      const entry = await run(projectId, reviewer, async (reads) =>
        planMerge(await live(reads, kept), await live(reads, merged)),
      );
      return edited(entry, reviewer);
    },
    'labels.rename': async ({ projectId, from, to, reviewer }) => {
      const entry = await run(projectId, reviewer, async (reads) => {
        const target = renameTarget(from, to);
        const objects = await reads.withLabels([from]);
        const merging = objects.length > 0 && (await reads.labelInUse(target));
        return planRenameLabel(from, target, objects, merging);
      });
      return labelResult(entry, reviewer);
    },
    'labels.merge': async ({ projectId, from, into, reviewer }) => {
      const entry = await run(projectId, reviewer, async (reads) => {
        const m = mergeSources(from, into);
        return planMergeLabels(m.into, await reads.withLabels(m.sources));
      });
      return labelResult(entry, reviewer, true);
    },
  };
}
