// Reviewer edits of objects and labels, as review-log commands: draw a box (its mask is derived
// from depth by the graph stage on re-derivation), move/resize, delete, relabel, set the mask
// (brush, eraser, polygon, a refined SAM mask), and rename or merge a label across the project.
// Box edits drop the object's mask so it is derived again for the new box; a reviewer's mask is
// kept by re-derivation and re-runs (provenance 'human'); undo puts the old box and mask back.
import type { ProjectStore } from '../../db/project-store';
import {
  countsFromString,
  countsToString,
  decodeRle,
  encodeRle,
  MaskError,
  maskBounds,
  type CocoRle,
} from '../../spatial/geometry/mask-rle';
import type { AuditEntryRow, ObjectState } from '../../db/repositories/annotations';
import { NotFoundError, UserInputError } from '../errors';
import { StaleEditError } from './errors';
import type { ReviewLog } from './review-log';

export type Box = [number, number, number, number];

/** Longest label accepted from a reviewer (QA synthesis rejects longer ones anyway). */
export const MAX_LABEL_LENGTH = 64;

/** Trims and checks a label: non-empty, printable, at most MAX_LABEL_LENGTH characters. */
export function cleanLabel(raw: string): string {
  const label = raw.replace(/\s+/g, ' ').trim();
  if (label.length === 0) throw new UserInputError('label is empty');
  if (label.length > MAX_LABEL_LENGTH)
    throw new UserInputError(`label is longer than ${MAX_LABEL_LENGTH} characters`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(label))
    throw new UserInputError('label contains control characters');
  return label;
}

/** A box inside the image, corners ordered, at least 2 px on each side. */
export function cleanBox(box: Box, width: number, height: number): Box {
  if (!box.every(Number.isFinite)) throw new UserInputError('box has a non-finite coordinate');
  const x0 = Math.max(0, Math.min(box[0], box[2]));
  const x1 = Math.min(width, Math.max(box[0], box[2]));
  const y0 = Math.max(0, Math.min(box[1], box[3]));
  const y1 = Math.min(height, Math.max(box[1], box[3]));
  if (x1 - x0 < 2 || y1 - y0 < 2)
    throw new UserInputError(
      `box must lie inside the ${width}x${height} image and be at least 2 px wide and tall`,
    );
  const r = (v: number) => Math.round(v * 100) / 100;
  return [r(x0), r(y0), r(x1), r(y1)];
}

/** Fewest pixels a reviewer's mask may have (an empty mask would fall back to the box). */
export const MIN_MASK_PIXELS = 4;

/** How the reviewer made a mask, named in the audit log's command. */
export type MaskTool = 'brush' | 'eraser' | 'polygon' | 'refine';

/**
 * Checks a reviewer's mask against the image (COCO RLE, size [height, width]) and returns it in
 * compressed form with its tight box.
 */
export function cleanMask(
  rle: CocoRle,
  width: number,
  height: number,
): { rle: CocoRle; box: Box; pixels: number } {
  const [h, w] = rle.size;
  if (w !== width || h !== height)
    throw new UserInputError(`mask is ${w}x${h}, the image is ${width}x${height}`);
  let bitmap: Uint8Array;
  try {
    // Runs must cover the image exactly (decoding alone pads short counts with background).
    const runs = typeof rle.counts === 'string' ? countsFromString(rle.counts) : rle.counts;
    const total = runs.reduce((n, r) => n + r, 0);
    if (total !== width * height)
      throw new MaskError(`its runs cover ${total} pixels, the image has ${width * height}`);
    bitmap = decodeRle(rle).mask;
  } catch (err) {
    if (err instanceof MaskError)
      throw new UserInputError(`mask is not valid COCO RLE: ${err.message}`);
    throw err;
  }
  let pixels = 0;
  for (let i = 0; i < bitmap.length; i++) if (bitmap[i]) pixels++;
  const box = maskBounds(bitmap, width, height);
  if (!box || pixels < MIN_MASK_PIXELS)
    throw new UserInputError(
      `mask has ${pixels} pixel(s); keep at least ${MIN_MASK_PIXELS}, or delete the object`,
    );
  const counts = encodeRle(bitmap, width, height).counts as number[];
  return { rle: { size: [height, width], counts: countsToString(counts) }, box, pixels };
}

export class ObjectCommands {
  constructor(
    private readonly store: ProjectStore,
    private readonly log: ReviewLog,
  ) {}

  create(a: { imageId: number; box: Box; label: string; actor: string }): AuditEntryRow {
    const image = this.store.images.get(a.imageId);
    if (!image) throw new NotFoundError(`image not found: ${a.imageId}`);
    const box = cleanBox(a.box, image.width, image.height);
    const label = cleanLabel(a.label);
    const edits = this.store.annotations.edits;
    return edits.transaction(() => {
      const made = edits.insertHumanObject({ imageId: a.imageId, label, box });
      return this.log.execute({
        command: 'object.create',
        target: `object:${made.id}`,
        actor: a.actor,
        before: { objects: [{ ...made, deleted: true }], qa: [] },
        after: { objects: [made], qa: [] },
      });
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
    const image = this.store.images.get(before.imageId);
    if (!image) throw new NotFoundError(`image not found: ${before.imageId}`);
    const box = a.box ? cleanBox(a.box, image.width, image.height) : before.box;
    const label = a.label === undefined ? before.label : cleanLabel(a.label);
    const moved = box.some((v, i) => v !== before.box[i]);
    if (!moved && label === before.label)
      throw new UserInputError('nothing to change: the box and label are as they were');
    const after: ObjectState = {
      ...before,
      box,
      label,
      // A moved box no longer fits its mask: the graph stage derives a new one from depth.
      ...(moved ? { maskRle: null, maskProvenance: null } : {}),
    };
    return this.log.execute({
      command:
        moved && label !== before.label ? 'object.edit' : moved ? 'object.move' : 'object.relabel',
      target: `object:${before.id}`,
      actor: a.actor,
      before: { objects: [before], qa: [] },
      after: { objects: [after], qa: [] },
    });
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
    const image = this.store.images.get(before.imageId);
    if (!image) throw new NotFoundError(`image not found: ${before.imageId}`);
    const mask = cleanMask(a.mask, image.width, image.height);
    const maskRle = JSON.stringify(mask.rle);
    if (maskRle === before.maskRle && before.maskProvenance === 'human')
      throw new UserInputError('nothing to change: the mask is as it was');
    return this.log.execute({
      command: `object.mask-${a.tool}`,
      target: `object:${before.id}`,
      actor: a.actor,
      before: { objects: [before], qa: [] },
      after: { objects: [{ ...before, box: mask.box, maskRle, maskProvenance: 'human' }], qa: [] },
    });
  }

  delete(a: { objectId: number; expectedVersion: number; actor: string }): AuditEntryRow {
    const before = this.live(a.objectId, a.expectedVersion);
    return this.log.execute({
      command: 'object.delete',
      target: `object:${before.id}`,
      actor: a.actor,
      before: { objects: [before], qa: [] },
      after: { objects: [{ ...before, deleted: true }], qa: [] },
    });
  }

  /**
   * Renames every live object labelled `from` to `to` across the project. When `to` is already in
   * use this merges the two labels (reported as a merge).
   */
  renameLabel(a: { from: string; to: string; actor: string }): AuditEntryRow {
    const to = cleanLabel(a.to);
    if (a.from === to) throw new UserInputError('the new label is the same as the old one');
    const objects = this.store.annotations.edits.objectStatesWithLabel(a.from);
    if (objects.length === 0)
      throw new NotFoundError(`no object is labelled "${a.from.slice(0, 80)}"`);
    const merging = this.store.annotations.edits.objectStatesWithLabel(to).length > 0;
    return this.log.execute({
      command: merging ? 'label.merge' : 'label.rename',
      target: `label:${a.from.slice(0, 200)}`,
      actor: a.actor,
      before: { objects, qa: [] },
      after: { objects: objects.map((o) => ({ ...o, label: to })), qa: [] },
    });
  }

  /** Merges several labels into one, as one undoable command. */
  mergeLabels(a: { from: string[]; into: string; actor: string }): AuditEntryRow {
    const into = cleanLabel(a.into);
    const sources = [...new Set(a.from)].filter((l) => l !== into);
    if (sources.length === 0) throw new UserInputError('nothing to merge: name other labels');
    const edits = this.store.annotations.edits;
    const objects = sources.flatMap((l) => edits.objectStatesWithLabel(l));
    if (objects.length === 0) throw new NotFoundError('no object carries any of those labels');
    return this.log.execute({
      command: 'label.merge',
      target: `label:${into.slice(0, 200)}`,
      actor: a.actor,
      before: { objects, qa: [] },
      after: { objects: objects.map((o) => ({ ...o, label: into })), qa: [] },
    });
  }

  private live(objectId: number, expectedVersion: number): ObjectState {
    const now = this.store.annotations.edits.objectState(objectId);
    if (!now || now.deleted) throw new NotFoundError(`object not found: ${objectId}`);
    if (now.version !== expectedVersion)
      throw new StaleEditError(
        `object #${now.id} (${now.label.slice(0, 60)}) was changed in another window (you edited version ${expectedVersion}, it is now at version ${now.version}); reload the image and edit again`,
      );
    return now;
  }
}
