// Other reviewers' review events as short lines for the activity feed: "bob approved 3 QA on
// corridor.jpg". Consecutive events of one person doing the same thing to the same image within a
// short window fold into one line with a count, so a burst of approvals is one entry, not twenty.
import type { EngineEvent } from '../../../contract/api';

export type ReviewEvent = Extract<EngineEvent, { type: 'review' }>;

export interface ActivityItem {
  /** Stable id of the line (the first event's audit entry id). */
  id: number;
  actor: string;
  command: string;
  op: ReviewEvent['op'];
  /** How many events folded into this line. */
  count: number;
  /** Targets in order (`qa:41`, `object:7`, `family:distance`, …), without repeats. */
  targets: string[];
  /** The image the events were about (the first named), or null. */
  imageId: number | null;
  /** Its file name once known. */
  imageName: string | null;
  /** When the last folded event arrived (ms since epoch). */
  at: number;
}

/** Events further apart than this start a new line even when they would fold. */
export const FOLD_WINDOW_MS = 15_000;
/** The feed keeps this many lines. */
export const FEED_LENGTH = 30;

const VERBS: Record<string, [single: string, plural: string]> = {
  'review.approve': ['approved', 'approved'],
  'review.reject': ['rejected', 'rejected'],
  'review.edit': ['edited the answer of', 'edited the answers of'],
  'review.skip': ['skipped', 'skipped'],
};

/** Adds one review event to the feed (newest first): folded into the newest line or a new line. */
export function addToFeed(
  feed: readonly ActivityItem[],
  event: ReviewEvent,
  at: number,
): ActivityItem[] {
  const imageId = event.imageIds[0] ?? null;
  const top = feed[0];
  if (
    top &&
    top.actor === event.actor &&
    top.command === event.command &&
    top.op === event.op &&
    top.imageId === imageId &&
    at - top.at <= FOLD_WINDOW_MS
  ) {
    const targets = top.targets.includes(event.target)
      ? top.targets
      : [...top.targets, event.target];
    return [{ ...top, count: top.count + 1, targets, at }, ...feed.slice(1)];
  }
  const item: ActivityItem = {
    id: event.entryId,
    actor: event.actor,
    command: event.command,
    op: event.op,
    count: 1,
    targets: [event.target],
    imageId,
    imageName: null,
    at,
  };
  return [item, ...feed].slice(0, FEED_LENGTH);
}

/** "qa:41" → "QA #41", "object:7" → "object #7", "family:distance" → "distance". */
function targetText(target: string): string {
  const [kind = '', ...rest] = target.split(':');
  const id = rest.join(':');
  if (kind === 'qa') return `QA #${id}`;
  if (kind === 'object') return `object #${id}`;
  if (kind === 'label') return `label "${id}"`;
  return id || target;
}

/** What the person did, as one line without the name: "approved 3 QA on corridor.jpg". */
export function describeActivity(item: ActivityItem): string {
  const where =
    item.imageId === null ? '' : ` on ${item.imageName ?? `image ${String(item.imageId)}`}`;
  const qaTargets = item.targets.filter((t) => t.startsWith('qa:'));
  let what: string;
  const verbs = VERBS[item.command];
  const bulk = /^review\.bulk-(\w+)$/.exec(item.command);
  if (verbs && qaTargets.length === item.targets.length) {
    const [single, plural] = verbs;
    what =
      qaTargets.length === 1
        ? `${single} ${targetText(qaTargets[0]!)}${item.count > 1 ? ` (${item.count}×)` : ''}`
        : `${plural} ${qaTargets.length} QA`;
  } else if (bulk) {
    const family = item.targets.map(targetText).join(', ');
    const done = VERBS[`review.${bulk[1]}`]?.[1] ?? bulk[1];
    what = `${done} the open QA of ${family}`;
  } else {
    // Object and label edits: the command names the kind of edit.
    const edit = item.command.replace(/^object\./, '').replace(/[.-]/g, ' ');
    const targets = item.targets.map(targetText);
    what = `${edit}: ${targets.slice(0, 3).join(', ')}${targets.length > 3 ? ` and ${targets.length - 3} more` : ''}`;
  }
  const op = item.op === 'undo' ? 'undid: ' : item.op === 'redo' ? 'redid: ' : '';
  return `${op}${what}${where}`;
}
