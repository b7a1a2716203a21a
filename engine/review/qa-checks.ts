// What a reviewer is warned about before a decision lands: an edited answer that disagrees with the
// measured value, a subject the QA engine could not name unambiguously, and a QA the current
// geometry no longer supports (regenerated from the stored scene graph with the same seed, so the
// same facts give the same pair; a missing pair or other facts mean the relation no longer holds).
// The rules read the project only through GeometryReads, loaded first through the two-database
// stores (engine/services/geometry-reads.ts), so a desktop and a team project run the same checks.
import type { QaReviewRow } from '../../db/store/rows';
import { generateQa } from '../../spatial/qa/generate';
import type { QaPair as GeneratedPair } from '../../spatial/qa/types';
import { readCount } from '../../spatial/qa/corrections';
import { clockHour, parseLength } from '../../spatial/qa/units';
import type { SceneGraph } from '../../spatial/scene/scene-graph';

export type DecisionKind = 'approve' | 'reject' | 'edit' | 'skip';

/** An object QA synthesis could not name uniquely (a row of the ambiguities table). */
export interface AmbiguityRow {
  nodeId: number;
  label: string;
  group: number[];
  reason: string;
}

/** Everything the checks read of a project; nothing else is touched. */
export interface GeometryReads {
  /** The image's stored scene graph; undefined before its graph stage ran. */
  graph(imageId: number): SceneGraph | undefined;
  /** The seed the image's QA were last generated with. */
  qaSeed(imageId: number): string;
  ambiguities(imageId: number): readonly AmbiguityRow[];
  /** An object of the image changed after its graph was built (re-derivation pending). */
  editedSinceGraph(imageId: number): boolean;
  qaReview(qaId: number): QaReviewRow | undefined;
  /** The other live phrasings of the QA's fact, by id. */
  factSiblings(qaId: number): number[];
}

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
  ambiguities: readonly AmbiguityRow[],
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
  private readonly ambiguities = new Map<number, readonly AmbiguityRow[]>();

  constructor(readonly reads: GeometryReads) {}

  private current(imageId: number): Map<string, GeneratedPair> | null {
    if (this.cache.has(imageId)) return this.cache.get(imageId)!;
    const graph = this.reads.graph(imageId);
    let pairs: Map<string, GeneratedPair> | null = null;
    if (graph) {
      const r = generateQa(graph, {
        imageId: String(imageId),
        seed: this.reads.qaSeed(imageId),
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
    for (const id of siblings) {
      const sibling = this.reads.qaReview(id);
      const why = sibling ? this.blocked(sibling) : null;
      if (why !== null) return why;
    }
    return null;
  }

  /** Why `qa` cannot be approved or edited yet, or null (see approvalBlock). */
  blocked(qa: QaReviewRow): string | null {
    let ambiguities = this.ambiguities.get(qa.imageId);
    if (!ambiguities) {
      ambiguities = this.reads.ambiguities(qa.imageId);
      this.ambiguities.set(qa.imageId, ambiguities);
    }
    return approvalBlock(qa, ambiguities);
  }

  /** Warnings before approving (or editing) `qa`. */
  warnings(qa: QaReviewRow): ReviewWarning[] {
    const out: ReviewWarning[] = [];
    const subjects = subjectsOf(qa);
    const ambiguous = this.reads.ambiguities(qa.imageId).filter((a) => subjects.includes(a.nodeId));
    for (const a of ambiguous)
      out.push({
        code: 'ambiguous-referent',
        message: `${a.label.slice(0, 60)} #${a.nodeId} is ambiguous (${a.reason}; ${a.group.length} objects share the name): check that the question picks out the right one`,
      });
    if (this.reads.editedSinceGraph(qa.imageId)) {
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

/** Whether a decision of this kind is checked against the geometry at all (reject and skip are not). */
export function checksGeometry(decision: DecisionKind): boolean {
  return decision === 'approve' || decision === 'edit';
}

/**
 * What stands between one decision on `qa` (with its fact's live `siblings`) and its write: the
 * warnings the reviewer confirms, and a block no confirmation lifts (an ambiguous name).
 */
export function judgeDecision(
  qa: QaReviewRow,
  siblings: readonly number[],
  d: { decision: DecisionKind; editedAnswer?: string },
  geometry: GeometryCheck,
): { warnings: ReviewWarning[]; blocked: string | null } {
  const warnings = decisionWarnings(qa, d, geometry);
  // Approving the fact approves every phrasing: what is wrong with any of them counts.
  if (d.decision === 'approve')
    for (const id of siblings) {
      const sibling = geometry.reads.qaReview(id);
      if (sibling) warnings.push(...geometry.warnings(sibling));
    }
  dedupeWarnings(warnings);
  // An ambiguous name is not a warning to click through: the exported text would be wrong. An
  // approval exports every phrasing of the fact, so any of them being ambiguous blocks it.
  const blocked =
    d.decision === 'approve'
      ? geometry.blockedFact(qa, siblings)
      : d.decision === 'edit'
        ? geometry.blocked(qa)
        : null;
  return { warnings, blocked };
}

/**
 * A bulk decision over the queue's open facts (one representative phrasing each): a bulk approval
 * leaves out the facts whose names are ambiguous (they stay open, blocked), and the warnings of
 * the facts it keeps, per representative QA. Nothing is kept: no warnings either.
 */
export function judgeBulk(
  items: readonly QaReviewRow[],
  decision: Exclude<DecisionKind, 'edit'>,
  geometry: GeometryCheck,
): { kept: QaReviewRow[]; warned: Array<{ qaId: number; warnings: ReviewWarning[] }> } {
  const kept =
    decision === 'approve'
      ? items.filter((qa) => geometry.blockedFact(qa, geometry.reads.factSiblings(qa.id)) === null)
      : [...items];
  if (kept.length === 0) return { kept, warned: [] };
  const warned = kept
    .map((qa) => ({ qaId: qa.id, warnings: decisionWarnings(qa, { decision }, geometry) }))
    .filter((w) => w.warnings.length > 0);
  return { kept, warned };
}

function decisionWarnings(
  qa: QaReviewRow,
  d: { decision: DecisionKind; editedAnswer?: string },
  geometry: GeometryCheck,
): ReviewWarning[] {
  if (d.decision === 'approve') return geometry.warnings(qa);
  if (d.decision === 'edit') {
    const answer = checkEditedAnswer(qa, d.editedAnswer!);
    const referents = geometry.warnings(qa).filter((w) => w.code === 'ambiguous-referent');
    return answer ? [answer, ...referents] : referents;
  }
  return [];
}

/** Drops repeated warnings (the same problem seen through several phrasings of one fact). */
function dedupeWarnings(list: ReviewWarning[]): void {
  const seen = new Set<string>();
  let w = 0;
  for (const x of list) {
    const key = JSON.stringify(x);
    if (seen.has(key)) continue;
    seen.add(key);
    list[w++] = x;
  }
  list.length = w;
}
