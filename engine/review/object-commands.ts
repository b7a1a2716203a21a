// Reviewer edits of objects and labels on a desktop project, as review-log commands: draw a box
// (its mask is derived from depth by the graph stage on re-derivation), move/resize, delete,
// relabel, set the mask (brush, eraser, polygon, a refined SAM mask), and rename or merge a label
// across the project. What each edit changes is planned in object-edit-plans.ts (shared with team
// projects); this reads the rows from the synchronous repositories and runs the plan through the
// review log. A reviewer's mask is kept by re-derivation and re-runs (provenance 'human'); undo
// puts the old box and mask back.
import type { ProjectStore } from '../../db/project-store';
import type { AuditEntryRow, ObjectState } from '../../db/repositories/annotations';
import type { CocoRle } from '../../spatial/geometry/mask-rle';
import { NotFoundError } from '../errors';
import {
  cleanBox,
  cleanLabel,
  liveObject,
  mergeSources,
  planCreate,
  planDelete,
  planMergeLabels,
  planRenameLabel,
  planSetMask,
  planUpdate,
  renameTarget,
  type Box,
  type MaskTool,
  type EditPlan,
} from './object-edit-plans';
import { objectClaimGuard } from './claim-check';
import type { ReviewLog } from './review-log';

export {
  cleanBox,
  cleanLabel,
  cleanMask,
  MAX_LABEL_LENGTH,
  MIN_MASK_PIXELS,
  type Box,
  type MaskTool,
} from './object-edit-plans';

export class ObjectCommands {
  constructor(
    private readonly store: ProjectStore,
    private readonly log: ReviewLog,
    /** The clock claims are judged by. */
    private readonly now: () => number = Date.now,
  ) {}

  create(a: { imageId: number; box: Box; label: string; actor: string }): AuditEntryRow {
    const image = this.store.images.get(a.imageId);
    if (!image) throw new NotFoundError(`image not found: ${a.imageId}`);
    const box = cleanBox(a.box, image.width, image.height);
    const label = cleanLabel(a.label);
    const edits = this.store.annotations.edits;
    return edits.transaction(() => {
      const made = edits.insertHumanObject({ imageId: a.imageId, label, box });
      return this.run(planCreate(made), a.actor);
    });
  }

  update(a: {
    objectId: number;
    expectedVersion: number;
    box?: Box;
    label?: string;
    actor: string;
  }): AuditEntryRow {
    const before = this.live(a.objectId, a.expectedVersion);
    const plan = planUpdate(before, this.imageOf(before), a);
    return this.run(plan, a.actor);
  }

  /**
   * Replaces the object's mask with the reviewer's. The box becomes the mask's extent (a COCO box
   * bounds its segmentation); provenance 'human' keeps re-derivation from replacing it.
   */
  setMask(a: {
    objectId: number;
    expectedVersion: number;
    mask: CocoRle;
    tool: MaskTool;
    actor: string;
  }): AuditEntryRow {
    const before = this.live(a.objectId, a.expectedVersion);
    const plan = planSetMask(before, this.imageOf(before), a);
    return this.run(plan, a.actor);
  }

  delete(a: { objectId: number; expectedVersion: number; actor: string }): AuditEntryRow {
    const before = this.live(a.objectId, a.expectedVersion);
    return this.run(planDelete(before), a.actor);
  }

  /**
   * Renames every live object labelled `from` to `to` across the project. When `to` is already in
   * use this merges the two labels (reported as a merge).
   */
  renameLabel(a: { from: string; to: string; actor: string }): AuditEntryRow {
    const to = renameTarget(a.from, a.to);
    const edits = this.store.annotations.edits;
    const objects = edits.objectStatesWithLabel(a.from);
    const merging = objects.length > 0 && edits.objectStatesWithLabel(to).length > 0;
    return this.run(planRenameLabel(a.from, to, objects, merging), a.actor);
  }

  /** Merges several labels into one, as one undoable command. */
  mergeLabels(a: { from: string[]; into: string; actor: string }): AuditEntryRow {
    const { into, sources } = mergeSources(a.from, a.into);
    const edits = this.store.annotations.edits;
    const objects = sources.flatMap((l) => edits.objectStatesWithLabel(l));
    return this.run(planMergeLabels(into, objects), a.actor);
  }

  /** Runs a plan through the review log, refused inside someone else's claim. */
  private run(plan: EditPlan, actor: string): AuditEntryRow {
    return this.log.execute({
      ...plan,
      actor,
      guard: objectClaimGuard(this.store, actor, plan, this.now),
    });
  }

  private live(objectId: number, expectedVersion: number): ObjectState {
    return liveObject(this.store.annotations.edits.objectState(objectId), {
      objectId,
      expectedVersion,
    });
  }

  private imageOf(o: ObjectState) {
    const image = this.store.images.get(o.imageId);
    if (!image) throw new NotFoundError(`image not found: ${o.imageId}`);
    return image;
  }
}
