// What each reviewer edit of objects and labels changes, with no database: from the rows as read
// (inside the edit's transaction) to the command the audit log records — its name, target and the
// objects' `before` and `after` states. The object-edit handlers of both services
// (engine/services/object-edits.ts, over the async stores) plan every edit here: one set of rules
// for what an edit is allowed to do and what it writes.
import type { ObjectExclusion, ObjectState } from '../../db/store/rows';
import {
  countsFromString,
  countsToString,
  decodeRle,
  encodeRle,
  MaskError,
  maskBounds,
  type CocoRle,
} from '../../spatial/geometry/mask-rle';
import { headNoun } from '../../spatial/qa/labels';
import { NotFoundError, UserInputError } from '../errors';
import { StaleEditError } from './errors';

export type Box = [number, number, number, number];

/** The rows an edit changes, before and after (QA rows: none for object edits). */
export interface EditPlan {
  /** e.g. `object.move`, `label.rename`. */
  command: string;
  /** e.g. `object:12`, `label:chair`. */
  target: string;
  before: { objects: ObjectState[]; qa: [] };
  after: { objects: ObjectState[]; qa: [] };
}

export interface ImageSize {
  width: number;
  height: number;
}

/** Longest label accepted from a reviewer (QA synthesis rejects longer ones anyway). */
export const MAX_LABEL_LENGTH = 64;
/** Longest attribute accepted (QA synthesis ignores longer ones). */
export const MAX_ATTRIBUTE_LENGTH = 32;
/** Attributes per object: a name with more than this stops being a name. */
export const MAX_ATTRIBUTES = 3;
/** Fewest pixels a reviewer's mask may have (an empty mask would fall back to the box). */
export const MIN_MASK_PIXELS = 4;

/** How the reviewer made a mask, named in the audit log's command. */
export type MaskTool = 'brush' | 'eraser' | 'polygon' | 'refine';

export interface ObjectRef {
  objectId: number;
  expectedVersion: number;
}

/** What happens to each other object of the group when a reviewer picks the referent. */
export type OtherObject = ObjectRef & ({ exclude: ObjectExclusion } | { attribute: string });

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

/** Lower-case, single-spaced, no markup: what a referring expression can carry. */
export function cleanAttribute(raw: string): string {
  const text = cleanLabel(raw).toLowerCase();
  if (text.length > MAX_ATTRIBUTE_LENGTH)
    throw new UserInputError(`an attribute is at most ${MAX_ATTRIBUTE_LENGTH} characters`);
  if (/[<>{}[\]`&]/.test(text))
    throw new UserInputError('an attribute cannot contain < > { } [ ] ` or &');
  if (!/[\p{L}\p{N}]/u.test(text)) throw new UserInputError('an attribute needs a letter');
  return text;
}

export function describeObject(o: ObjectState): string {
  return `object #${o.id} (${o.label.slice(0, 60)})`;
}

/** The object as read, when it is live and still at the version the reviewer edited. */
export function liveObject(now: ObjectState | undefined, ref: ObjectRef): ObjectState {
  if (!now || now.deleted) throw new NotFoundError(`object not found: ${ref.objectId}`);
  if (now.version !== ref.expectedVersion)
    throw new StaleEditError(
      `${describeObject(now)} was changed in another window (you edited version ${ref.expectedVersion}, it is now at version ${now.version}); reload the image and edit again`,
    );
  return now;
}

const one = (
  command: string,
  before: ObjectState,
  after: ObjectState,
  target = `object:${before.id}`,
): EditPlan => ({
  command,
  target,
  before: { objects: [before], qa: [] },
  after: { objects: [after], qa: [] },
});

/** A box the reviewer drew, as stored by the caller (`made`): undo deletes it again. */
export function planCreate(made: ObjectState): EditPlan {
  return one('object.create', { ...made, deleted: true }, made, `object:${made.id}`);
}

/**
 * Move/resize and/or relabel. A moved box drops the object's mask (it no longer fits): the graph
 * stage derives a new one from depth on re-derivation.
 */
export function planUpdate(
  before: ObjectState,
  image: ImageSize,
  a: { box?: Box; label?: string },
): EditPlan {
  const box = a.box ? cleanBox(a.box, image.width, image.height) : before.box;
  const label = a.label === undefined ? before.label : cleanLabel(a.label);
  const moved = box.some((v, i) => v !== before.box[i]);
  if (!moved && label === before.label)
    throw new UserInputError('nothing to change: the box and label are as they were');
  const after: ObjectState = {
    ...before,
    box,
    label,
    ...(moved ? { maskRle: null, maskProvenance: null } : {}),
  };
  const command =
    moved && label !== before.label ? 'object.edit' : moved ? 'object.move' : 'object.relabel';
  return one(command, before, after);
}

/**
 * The reviewer's mask replaces the object's. The box becomes the mask's extent (a COCO box bounds
 * its segmentation); provenance 'human' keeps re-derivation from replacing it.
 */
export function planSetMask(
  before: ObjectState,
  image: ImageSize,
  a: { mask: CocoRle; tool: MaskTool },
): EditPlan {
  const mask = cleanMask(a.mask, image.width, image.height);
  const maskRle = JSON.stringify(mask.rle);
  if (maskRle === before.maskRle && before.maskProvenance === 'human')
    throw new UserInputError('nothing to change: the mask is as it was');
  return one(`object.mask-${a.tool}`, before, {
    ...before,
    box: mask.box,
    maskRle,
    maskProvenance: 'human',
  });
}

/** Soft delete: the row stays for undo and never reaches an export. */
export function planDelete(before: ObjectState): EditPlan {
  return one('object.delete', before, { ...before, deleted: true });
}

/** The cleaned new name of a project-wide rename. */
export function renameTarget(from: string, rawTo: string): string {
  const to = cleanLabel(rawTo);
  if (from === to) throw new UserInputError('the new label is the same as the old one');
  return to;
}

/**
 * Renames every live object labelled `from` (`objects`) to `to`; `merging` when `to` is in use
 * already (reported as a merge of the two labels).
 */
export function planRenameLabel(
  from: string,
  to: string,
  objects: ObjectState[],
  merging: boolean,
): EditPlan {
  if (objects.length === 0) throw new NotFoundError(`no object is labelled "${from.slice(0, 80)}"`);
  return {
    command: merging ? 'label.merge' : 'label.rename',
    target: `label:${from.slice(0, 200)}`,
    before: { objects, qa: [] },
    after: { objects: objects.map((o) => ({ ...o, label: to })), qa: [] },
  };
}

/** The cleaned target label and the distinct other labels merged into it. */
export function mergeSources(from: string[], rawInto: string): { into: string; sources: string[] } {
  const into = cleanLabel(rawInto);
  const sources = [...new Set(from)].filter((l) => l !== into);
  if (sources.length === 0) throw new UserInputError('nothing to merge: name other labels');
  return { into, sources };
}

/** Several labels into one (`objects`: the live objects carrying any of the sources). */
export function planMergeLabels(into: string, objects: ObjectState[]): EditPlan {
  if (objects.length === 0) throw new NotFoundError('no object carries any of those labels');
  return {
    command: 'label.merge',
    target: `label:${into.slice(0, 200)}`,
    before: { objects, qa: [] },
    after: { objects: objects.map((o) => ({ ...o, label: into })), qa: [] },
  };
}

/** Takes an object out of QA (reason given) or, with `reason` null, puts it back. */
export function planExclude(before: ObjectState, reason: ObjectExclusion | null): EditPlan {
  if ((before.excluded ?? null) === reason)
    throw new UserInputError(
      reason === null
        ? `${describeObject(before)} is not excluded`
        : `${describeObject(before)} is already excluded as ${reason}`,
    );
  return one(reason === null ? 'object.include' : 'object.exclude', before, {
    ...before,
    excluded: reason,
  });
}

/** Replaces an object's distinguishing attributes (an empty list removes them). */
export function planSetAttributes(before: ObjectState, raw: string[]): EditPlan {
  const attributes = cleanAttributes(raw, before.label);
  if (JSON.stringify(attributes) === JSON.stringify(before.attributes))
    throw new UserInputError('nothing to change: the attributes are as they were');
  return one('object.attributes', before, { ...before, attributes });
}

/**
 * The reviewer says which object a shared name means: every other object of its group (same
 * image, same head noun; `imageObjects` are the image's live objects) must be excluded or get a
 * distinguishing attribute, in one command. `others` come with their rows as read.
 */
export function planPick(
  meant: ObjectState,
  imageObjects: readonly ObjectState[],
  attribute: string | undefined,
  others: ReadonlyArray<{ ref: OtherObject; now: ObjectState | undefined }>,
): EditPlan {
  const head = headNoun(meant.label);
  const group = imageObjects.filter(
    (o) => o.id !== meant.id && !o.excluded && headNoun(o.label) === head,
  );
  const named = new Set(others.map((o) => o.ref.objectId));
  const missing = group.filter((o) => !named.has(o.id));
  if (missing.length > 0)
    throw new UserInputError(
      `say what the other ${head} objects are (${missing.map((o) => `#${o.id}`).join(', ')}): exclude them or give each an attribute`,
    );
  const before: ObjectState[] = [meant];
  const after: ObjectState[] = [
    attribute === undefined
      ? meant
      : { ...meant, attributes: cleanAttributes([...meant.attributes, attribute], meant.label) },
  ];
  for (const { ref, now } of others) {
    const o = liveObject(now, ref);
    if (o.id === meant.id) throw new UserInputError('the meant object cannot also be an other');
    if (o.imageId !== meant.imageId)
      throw new UserInputError(`object #${o.id} is in another image`);
    before.push(o);
    after.push(
      'exclude' in ref
        ? { ...o, excluded: ref.exclude }
        : { ...o, attributes: cleanAttributes([...o.attributes, ref.attribute], o.label) },
    );
  }
  return {
    command: 'referent.pick',
    target: `object:${meant.id}`,
    before: { objects: before, qa: [] },
    after: { objects: after, qa: [] },
  };
}

/**
 * Merges `merged` into `kept` (two detections of one thing): the kept object's box becomes the
 * union of both, its mask the union of both masks when both were given; `merged` is deleted.
 */
export function planMerge(kept: ObjectState, merged: ObjectState): EditPlan {
  if (kept.id === merged.id) throw new UserInputError('an object cannot be merged with itself');
  if (kept.imageId !== merged.imageId)
    throw new UserInputError('only objects of the same image can be merged');
  const box: Box = [
    Math.min(kept.box[0], merged.box[0]),
    Math.min(kept.box[1], merged.box[1]),
    Math.max(kept.box[2], merged.box[2]),
    Math.max(kept.box[3], merged.box[3]),
  ];
  const mask = unionMask(kept, merged);
  const attributes = [...kept.attributes];
  for (const x of merged.attributes) if (!attributes.includes(x)) attributes.push(x);
  return {
    command: 'object.merge',
    target: `object:${kept.id}`,
    before: { objects: [kept, merged], qa: [] },
    after: {
      objects: [
        {
          ...kept,
          box,
          attributes: attributes.slice(0, MAX_ATTRIBUTES),
          maskRle: mask ? JSON.stringify(mask) : null,
          maskProvenance: mask ? 'human' : null,
        },
        { ...merged, deleted: true },
      ],
      qa: [],
    },
  };
}

/** The two boxes of a split, checked against the image. */
export function splitBoxes(boxes: [Box, Box], image: ImageSize): [Box, Box] {
  return boxes.map((b) => cleanBox(b, image.width, image.height)) as [Box, Box];
}

/**
 * Splits an object that is two things: it keeps `first`, the new object `made` (stored by the
 * caller with the same label at `second`) gets its attributes. Masks are dropped so the graph
 * stage derives each from depth.
 */
export function planSplit(before: ObjectState, made: ObjectState, first: Box): EditPlan {
  return {
    command: 'object.split',
    target: `object:${before.id}`,
    before: { objects: [before, { ...made, deleted: true }], qa: [] },
    after: {
      objects: [
        { ...before, box: first, maskRle: null, maskProvenance: null },
        { ...made, attributes: before.attributes },
      ],
      qa: [],
    },
  };
}

function cleanAttributes(raw: readonly string[], label: string): string[] {
  const out: string[] = [];
  const words = label.toLowerCase().split(/\s+/);
  for (const r of raw) {
    const a = cleanAttribute(r);
    // "red" on a "red chair" distinguishes nothing: QA synthesis drops it too.
    if (words.includes(a)) throw new UserInputError(`"${a}" is already part of the label`);
    if (!out.includes(a)) out.push(a);
  }
  if (out.length > MAX_ATTRIBUTES)
    throw new UserInputError(`at most ${MAX_ATTRIBUTES} attributes per object`);
  return out;
}

/**
 * The union of both objects' masks when both were given (model, imported or drawn); otherwise null,
 * so the graph stage derives one from depth for the union box (a depth-derived mask of one half
 * says nothing about the other).
 */
function unionMask(a: ObjectState, b: ObjectState): CocoRle | null {
  const given = (o: ObjectState) => o.maskRle !== null && o.maskProvenance !== 'depth-cluster';
  if (!given(a) || !given(b)) return null;
  const ma = decodeRle(JSON.parse(a.maskRle!) as CocoRle);
  const mb = decodeRle(JSON.parse(b.maskRle!) as CocoRle);
  if (ma.width !== mb.width || ma.height !== mb.height) return null;
  const out = new Uint8Array(ma.mask.length);
  for (let i = 0; i < out.length; i++) out[i] = ma.mask[i]! | mb.mask[i]!;
  return encodeRle(out, ma.width, ma.height);
}
