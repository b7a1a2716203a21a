// Reviewer actions that resolve an ambiguous name, as review-log commands (undoable, audited, each
// re-derives the image's graph and QA through ReviewLog's onObjectsChanged):
// - exclude / include an object in QA ('background', 'unsure'): its QA are no longer generated, so
//   re-derivation orphans its reviewed QA (decisions held) and they come back on include;
// - set an object's distinguishing attributes ("red", "on the left"): referring expressions use them;
// - pick the referent a phrase means: the other objects of its group are excluded or get attributes;
// - merge two objects that are one: the kept object gets the union of boxes (and of masks), the
//   other is deleted (its reviewed QA are held as orphaned, never deleted);
// - split one object that is two by box: it keeps the first box, a new object with its label gets
//   the second; both masks are derived again from depth (no segmentation model needed).
import type { ProjectStore } from '../../db/project-store';
import type { AuditEntryRow, ObjectExclusion } from '../../db/repositories/annotations';
import { NotFoundError } from '../errors';
import {
  liveObject,
  planExclude,
  planMerge,
  planPick,
  planSetAttributes,
  planSplit,
  splitBoxes,
  type Box,
  type ObjectRef,
  type OtherObject,
  type EditPlan,
} from './object-edit-plans';
import { objectClaimGuard } from './claim-check';
import type { ReviewLog } from './review-log';

export {
  cleanAttribute,
  MAX_ATTRIBUTE_LENGTH,
  MAX_ATTRIBUTES,
  type ObjectRef,
  type OtherObject,
} from './object-edit-plans';

/** Reads the rows each edit needs and runs its plan (object-edit-plans.ts) through the review log. */
export class ReferentCommands {
  constructor(
    private readonly store: ProjectStore,
    private readonly log: ReviewLog,
    /** The clock claims are judged by. */
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes an object out of QA (reason given) or, with `reason` null, puts it back. */
  exclude(a: ObjectRef & { reason: ObjectExclusion | null; actor: string }): AuditEntryRow {
    return this.run(planExclude(this.live(a), a.reason), a.actor);
  }

  /** Replaces an object's distinguishing attributes (an empty list removes them). */
  setAttributes(a: ObjectRef & { attributes: string[]; actor: string }): AuditEntryRow {
    return this.run(planSetAttributes(this.live(a), a.attributes), a.actor);
  }

  /**
   * The reviewer says which object a shared name means: every other object of its group (same
   * image, same head noun) must be excluded or get a distinguishing attribute, in one command.
   */
  pick(a: ObjectRef & { attribute?: string; others: OtherObject[]; actor: string }): AuditEntryRow {
    const meant = this.live(a);
    const edits = this.store.annotations.edits;
    const plan = planPick(
      meant,
      edits.objectStates(meant.imageId),
      a.attribute,
      a.others.map((ref) => ({ ref, now: edits.objectState(ref.objectId) })),
    );
    return this.run(plan, a.actor);
  }

  /**
   * Merges `merged` into `kept` (two detections of one thing): the kept object's box becomes the
   * union of both, its mask the union of both masks when both were given; `merged` is deleted.
   */
  merge(a: { kept: ObjectRef; merged: ObjectRef; actor: string }): AuditEntryRow {
    const plan = planMerge(this.live(a.kept), this.live(a.merged));
    return this.run(plan, a.actor);
  }

  /**
   * Splits an object that is two things: it keeps `boxes[0]`, a new object with the same label
   * (and attributes) takes `boxes[1]`. Masks are dropped so the graph stage derives each from depth.
   */
  split(a: ObjectRef & { boxes: [Box, Box]; actor: string }): AuditEntryRow {
    const before = this.live(a);
    const image = this.store.images.get(before.imageId);
    if (!image) throw new NotFoundError(`image not found: ${before.imageId}`);
    const [first, second] = splitBoxes(a.boxes, image);
    const edits = this.store.annotations.edits;
    return edits.transaction(() => {
      const made = edits.insertHumanObject({
        imageId: before.imageId,
        label: before.label,
        box: second,
      });
      return this.run(planSplit(before, made, first), a.actor);
    });
  }

  /** Runs a plan through the review log, refused inside someone else's claim. */
  private run(plan: EditPlan, actor: string): AuditEntryRow {
    return this.log.execute({
      ...plan,
      actor,
      guard: objectClaimGuard(this.store, actor, plan, this.now),
    });
  }

  private live(ref: ObjectRef) {
    return liveObject(this.store.annotations.edits.objectState(ref.objectId), ref);
  }
}
