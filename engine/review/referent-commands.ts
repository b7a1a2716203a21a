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
import type {
  AuditEntryRow,
  ObjectExclusion,
  ObjectState,
} from '../../db/repositories/annotations';
import { decodeRle, encodeRle, type CocoRle } from '../../spatial/geometry/mask-rle';
import { headNoun } from '../../spatial/qa/labels';
import { NotFoundError, UserInputError } from '../errors';
import { StaleEditError } from './errors';
import { cleanBox, cleanLabel, type Box } from './object-commands';
import type { ReviewLog } from './review-log';

/** Longest attribute accepted (QA synthesis ignores longer ones). */
export const MAX_ATTRIBUTE_LENGTH = 32;
/** Attributes per object: a name with more than this stops being a name. */
export const MAX_ATTRIBUTES = 3;

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

export interface ObjectRef {
  objectId: number;
  expectedVersion: number;
}

/** What happens to each other object of the group when a reviewer picks the referent. */
export type OtherObject = ObjectRef & ({ exclude: ObjectExclusion } | { attribute: string });

export class ReferentCommands {
  constructor(
    private readonly store: ProjectStore,
    private readonly log: ReviewLog,
  ) {}

  /** Takes an object out of QA (reason given) or, with `reason` null, puts it back. */
  exclude(a: ObjectRef & { reason: ObjectExclusion | null; actor: string }): AuditEntryRow {
    const before = this.live(a);
    if ((before.excluded ?? null) === a.reason)
      throw new UserInputError(
        a.reason === null
          ? `${describe(before)} is not excluded`
          : `${describe(before)} is already excluded as ${a.reason}`,
      );
    return this.log.execute({
      command: a.reason === null ? 'object.include' : 'object.exclude',
      target: `object:${before.id}`,
      actor: a.actor,
      before: { objects: [before], qa: [] },
      after: { objects: [{ ...before, excluded: a.reason }], qa: [] },
    });
  }

  /** Replaces an object's distinguishing attributes (an empty list removes them). */
  setAttributes(a: ObjectRef & { attributes: string[]; actor: string }): AuditEntryRow {
    const before = this.live(a);
    const attributes = cleanAttributes(a.attributes, before.label);
    if (JSON.stringify(attributes) === JSON.stringify(before.attributes))
      throw new UserInputError('nothing to change: the attributes are as they were');
    return this.log.execute({
      command: 'object.attributes',
      target: `object:${before.id}`,
      actor: a.actor,
      before: { objects: [before], qa: [] },
      after: { objects: [{ ...before, attributes }], qa: [] },
    });
  }

  /**
   * The reviewer says which object a shared name means: every other object of its group (same
   * image, same head noun) must be excluded or get a distinguishing attribute, in one command.
   */
  pick(a: ObjectRef & { attribute?: string; others: OtherObject[]; actor: string }): AuditEntryRow {
    const meant = this.live(a);
    const head = headNoun(meant.label);
    const group = this.store.annotations.edits
      .objectStates(meant.imageId)
      .filter((o) => o.id !== meant.id && !o.excluded && headNoun(o.label) === head);
    const named = new Map(a.others.map((o) => [o.objectId, o]));
    const missing = group.filter((o) => !named.has(o.id));
    if (missing.length > 0)
      throw new UserInputError(
        `say what the other ${head} objects are (${missing.map((o) => `#${o.id}`).join(', ')}): exclude them or give each an attribute`,
      );
    const before: ObjectState[] = [meant];
    const after: ObjectState[] = [
      a.attribute === undefined
        ? meant
        : {
            ...meant,
            attributes: cleanAttributes([...meant.attributes, a.attribute], meant.label),
          },
    ];
    for (const other of a.others) {
      const o = this.live(other);
      if (o.id === meant.id) throw new UserInputError('the meant object cannot also be an other');
      if (o.imageId !== meant.imageId)
        throw new UserInputError(`object #${o.id} is in another image`);
      before.push(o);
      after.push(
        'exclude' in other
          ? { ...o, excluded: other.exclude }
          : { ...o, attributes: cleanAttributes([...o.attributes, other.attribute], o.label) },
      );
    }
    return this.log.execute({
      command: 'referent.pick',
      target: `object:${meant.id}`,
      actor: a.actor,
      before: { objects: before, qa: [] },
      after: { objects: after, qa: [] },
    });
  }

  /**
   * Merges `merged` into `kept` (two detections of one thing): the kept object's box becomes the
   * union of both, its mask the union of both masks when both were given; `merged` is deleted.
   */
  merge(a: { kept: ObjectRef; merged: ObjectRef; actor: string }): AuditEntryRow {
    if (a.kept.objectId === a.merged.objectId)
      throw new UserInputError('an object cannot be merged with itself');
    const kept = this.live(a.kept);
    const merged = this.live(a.merged);
    if (kept.imageId !== merged.imageId)
      throw new UserInputError('only objects of the same image can be merged');
    const box: ObjectState['box'] = [
      Math.min(kept.box[0], merged.box[0]),
      Math.min(kept.box[1], merged.box[1]),
      Math.max(kept.box[2], merged.box[2]),
      Math.max(kept.box[3], merged.box[3]),
    ];
    const mask = unionMask(kept, merged);
    const attributes = [...kept.attributes];
    for (const x of merged.attributes) if (!attributes.includes(x)) attributes.push(x);
    return this.log.execute({
      command: 'object.merge',
      target: `object:${kept.id}`,
      actor: a.actor,
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
    });
  }

  /**
   * Splits an object that is two things: it keeps `boxes[0]`, a new object with the same label
   * (and attributes) takes `boxes[1]`. Masks are dropped so the graph stage derives each from depth.
   */
  split(a: ObjectRef & { boxes: [Box, Box]; actor: string }): AuditEntryRow {
    const before = this.live(a);
    const image = this.store.images.get(before.imageId);
    if (!image) throw new NotFoundError(`image not found: ${before.imageId}`);
    const [first, second] = a.boxes.map((b) => cleanBox(b, image.width, image.height)) as [
      Box,
      Box,
    ];
    const edits = this.store.annotations.edits;
    return edits.transaction(() => {
      const made = edits.insertHumanObject({
        imageId: before.imageId,
        label: before.label,
        box: second,
      });
      return this.log.execute({
        command: 'object.split',
        target: `object:${before.id}`,
        actor: a.actor,
        before: { objects: [before, { ...made, deleted: true }], qa: [] },
        after: {
          objects: [
            { ...before, box: first, maskRle: null, maskProvenance: null },
            { ...made, attributes: before.attributes },
          ],
          qa: [],
        },
      });
    });
  }

  private live(ref: ObjectRef): ObjectState {
    const now = this.store.annotations.edits.objectState(ref.objectId);
    if (!now || now.deleted) throw new NotFoundError(`object not found: ${ref.objectId}`);
    if (now.version !== ref.expectedVersion)
      throw new StaleEditError(
        `${describe(now)} was changed in another window (you edited version ${ref.expectedVersion}, it is now at version ${now.version}); reload the image and edit again`,
      );
    return now;
  }
}

function describe(o: ObjectState): string {
  return `object #${o.id} (${o.label.slice(0, 60)})`;
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
