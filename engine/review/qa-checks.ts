// What a reviewer is warned about before a decision lands: an edited answer that disagrees with the
// measured value, a subject the QA engine could not name unambiguously, and a QA the current
// geometry no longer supports (regenerated from the stored scene graph with the same seed, so the
// same facts give the same pair; a missing pair or other facts mean the relation no longer holds).
import type { ProjectStore } from '../../db/project-store';
import type { QaReviewRow } from '../../db/repositories/annotations';
import { generateQa } from '../../spatial/qa/generate';
import type { QaPair as GeneratedPair } from '../../spatial/qa/types';
import { readCount } from '../../spatial/qa/corrections';
import { clockHour, parseLength } from '../../spatial/qa/units';
import type { SceneGraph } from '../../spatial/scene/scene-graph';
import { lastQaSeed } from '../pipeline/rederive';

export type WarningCode =
  | 'answer-disagrees'
  | 'answer-unreadable'
  | 'ambiguous-referent'
  | 'contradicts-geometry'
  | 'facts-changed'
  | 'geometry-pending';

export interface ReviewWarning {
  code: WarningCode;
  message: string;
}

function fmt(m: number): string {
  return `${m.toFixed(2)} m`;
}

/** Compares an edited answer with the machine value (QaPair.value) in the QA's unit. */
export function checkEditedAnswer(qa: QaReviewRow, edited: string): ReviewWarning | null {
  const v = qa.value;
  const unit = (qa.record?.unit as string | null | undefined) ?? null;
  const display = qa.record?.display as { step?: number } | undefined;
  if (unit === 'm' && typeof v === 'number') {
    const said = parseLength(edited);
    if (said === null)
      return {
        code: 'answer-unreadable',
        message: `the edited answer states no length (write e.g. "about 1.2 meters"); the geometry measures ${fmt(v)}`,
      };
    const tolerance = Math.max(display?.step ?? 0, 0.1 * Math.abs(v), 0.03);
    if (Math.abs(said - v) > tolerance)
      return {
        code: 'answer-disagrees',
        message: `the edited answer says ${fmt(said)} but the geometry measures ${fmt(v)} (tolerance ${fmt(tolerance)})`,
      };
    return null;
  }
  if (unit === 'count' && typeof v === 'number') {
    const said = readCount(edited);
    if (said === null)
      return {
        code: 'answer-unreadable',
        message: `the edited answer states no count; counted ${v}`,
      };
    return said === v
      ? null
      : {
          code: 'answer-disagrees',
          message: `the edited answer says ${said} but ${v} were counted`,
        };
  }
  if (unit === 'oclock' && typeof v === 'number') {
    const m = /\b(\d{1,2})\s*o'?\s*clock/i.exec(edited);
    const hour = clockHour(v);
    if (!m)
      return {
        code: 'answer-unreadable',
        message: `the edited answer states no clock hour; measured ${hour} o'clock`,
      };
    const said = clockHour(Number(m[1]));
    return said === hour
      ? null
      : {
          code: 'answer-disagrees',
          message: `the edited answer says ${said} o'clock but the geometry gives ${hour} o'clock`,
        };
  }
  if (typeof v === 'boolean') {
    const m = /^\s*(yes|no)\b/i.exec(edited);
    if (m && (m[1]!.toLowerCase() === 'yes') !== v)
      return {
        code: 'answer-disagrees',
        message: `the edited answer says "${m[1]!.toLowerCase()}" but the geometry says ${v ? 'yes' : 'no'}`,
      };
  }
  return null;
}

function subjectsOf(qa: QaReviewRow): number[] {
  const s = qa.record?.subjects;
  return Array.isArray(s) ? (s as number[]) : [];
}

/**
 * Why a QA cannot be approved (or edited) yet: a subject has no unique name, so the fact cannot be
 * exported under a referring expression a reader would resolve to the same object. The reviewer
 * resolves it (pick the referent, add an attribute, merge, exclude); rejecting or skipping stays
 * open. Null when nothing blocks it.
 */
export function approvalBlock(
  qa: QaReviewRow,
  ambiguities: ReadonlyArray<{ nodeId: number; label: string; group: number[]; reason: string }>,
): string | null {
  const subjects = subjectsOf(qa);
  const hit = ambiguities.filter((a) => subjects.includes(a.nodeId));
  if (hit.length === 0) return null;
  const names = hit.map((a) => {
    const why =
      a.reason === 'no-distinguishing-expression'
        ? `${a.group.length} objects could be called "${a.label.slice(0, 60)}"`
        : `its label is unusable (${a.reason})`;
    return `${a.label.slice(0, 60)} #${a.nodeId} has no unique name: ${why}`;
  });
  return `${names.join('; ')}. Pick the one meant, add an attribute, merge or exclude an object to approve.`;
}

/** Regenerated QA per image, computed once per request (bulk decisions touch many pairs). */
export class GeometryCheck {
  private readonly cache = new Map<number, Map<string, GeneratedPair> | null>();
  private readonly ambiguities = new Map<
    number,
    ReturnType<ProjectStore['scene']['ambiguities']>
  >();

  constructor(private readonly store: ProjectStore) {}

  private current(imageId: number): Map<string, GeneratedPair> | null {
    if (this.cache.has(imageId)) return this.cache.get(imageId)!;
    const stored = this.store.scene.graph(imageId);
    let pairs: Map<string, GeneratedPair> | null = null;
    if (stored) {
      const r = generateQa(stored.graph as SceneGraph, {
        imageId: String(imageId),
        seed: lastQaSeed(this.store, imageId),
      });
      pairs = new Map(r.pairs.map((p) => [p.id, p]));
    }
    this.cache.set(imageId, pairs);
    return pairs;
  }

  /**
   * Why the fact `qa` phrases cannot be approved yet: approving it exports every phrasing, so the
   * first of them whose name is ambiguous blocks it. Null when none is.
   */
  blockedFact(qa: QaReviewRow, siblings: readonly number[]): string | null {
    const own = this.blocked(qa);
    if (own !== null) return own;
    const edits = this.store.annotations.edits;
    for (const id of siblings) {
      const sibling = edits.qaReview(id);
      const why = sibling ? this.blocked(sibling) : null;
      if (why !== null) return why;
    }
    return null;
  }

  /** Why `qa` cannot be approved or edited yet, or null (see approvalBlock). */
  blocked(qa: QaReviewRow): string | null {
    let ambiguities = this.ambiguities.get(qa.imageId);
    if (!ambiguities) {
      ambiguities = this.store.scene.ambiguities(qa.imageId);
      this.ambiguities.set(qa.imageId, ambiguities);
    }
    return approvalBlock(qa, ambiguities);
  }

  /** Warnings before approving (or editing) `qa`. */
  warnings(qa: QaReviewRow): ReviewWarning[] {
    const out: ReviewWarning[] = [];
    const subjects = subjectsOf(qa);
    const ambiguous = this.store.scene
      .ambiguities(qa.imageId)
      .filter((a) => subjects.includes(a.nodeId));
    for (const a of ambiguous)
      out.push({
        code: 'ambiguous-referent',
        message: `${a.label.slice(0, 60)} #${a.nodeId} is ambiguous (${a.reason}; ${a.group.length} objects share the name): check that the question picks out the right one`,
      });
    if (this.store.annotations.edits.editedSinceGraph(qa.imageId)) {
      out.push({
        code: 'geometry-pending',
        message: 'objects of this image were edited and its geometry is being recomputed',
      });
      return out;
    }
    if (qa.status === 'changed')
      out.push({
        code: 'facts-changed',
        message: 'the facts behind this QA changed after an edit: read the answer again',
      });
    const current = qa.key ? this.current(qa.imageId) : null;
    if (current && qa.key) {
      const now = current.get(qa.key);
      if (!now)
        out.push({
          code: 'contradicts-geometry',
          message:
            'the current geometry no longer supports this QA: its relation is now reversed, a tie, or an object is unusable',
        });
      else if (qa.factHash && now.factHash !== qa.factHash)
        out.push({
          code: 'contradicts-geometry',
          message: `the current geometry gives another answer: "${now.answer.slice(0, 200)}"`,
        });
    }
    return out;
  }
}
