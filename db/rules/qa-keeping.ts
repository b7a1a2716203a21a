// What a re-derivation may do to a stored QA pair, as pure decisions (no I/O): the QA stage
// regenerates an image's QA from its current objects and labels, and a machine step must never
// delete or overwrite a human decision.
// - Same key, same facts, same way of naming the subjects: the decision stands and the text is
//   re-rendered from the current labels (a relabel that only renames keeps an approval).
// - Same key, other facts or another referring-expression form: reviewed pairs go back to review
//   as 'changed'; the decision they had is held, and restored if the facts come back.
// - Key no longer generated (an object deleted, a subject now ambiguous): a pair anyone decided on
//   is kept as 'orphaned' (never exported, not decidable) with its decision held; only pairs nobody
//   ever decided on are deleted.

export type QaStatus = 'proposed' | 'approved' | 'rejected' | 'edited' | 'changed' | 'orphaned';

const REVIEWED: ReadonlySet<string> = new Set(['approved', 'rejected', 'edited']);

/** A decision a machine step displaced, with the text and facts it was made on. */
export interface HeldDecision {
  status: 'proposed' | 'approved' | 'rejected' | 'edited';
  answer: string;
  question: string;
  factHash: string | null;
  /** null for pairs generated before naming was hashed: then the question text is compared. */
  namingHash: string | null;
}

export interface StoredQa {
  status: QaStatus;
  question: string;
  answer: string;
  factHash: string | null;
  namingHash: string | null;
  held: HeldDecision | null;
  /** Whether review_decisions has any row for the pair (skips and undone decisions count). */
  hasDecisions: boolean;
}

export interface RegeneratedQa {
  question: string;
  answer: string;
  factHash: string;
  namingHash: string | null;
}

export interface Kept {
  status: QaStatus;
  answer: string;
  held: HeldDecision | null;
}

function asHeld(old: StoredQa): HeldDecision {
  return {
    status: old.status as HeldDecision['status'],
    answer: old.answer,
    question: old.question,
    factHash: old.factHash,
    namingHash: old.namingHash,
  };
}

/** The decision that stands for a pair: its own when reviewed, the held one when displaced. */
function standing(old: StoredQa): HeldDecision | null {
  if (REVIEWED.has(old.status)) return asHeld(old);
  if (old.status === 'changed' || old.status === 'orphaned') return old.held;
  return null;
}

function sameMeaning(d: HeldDecision, next: RegeneratedQa): boolean {
  if (d.factHash !== next.factHash) return false;
  if (d.namingHash !== null && next.namingHash !== null) return d.namingHash === next.namingHash;
  return d.question === next.question;
}

/** Words of `before` that `after` no longer has (a renamed label's old words). */
function droppedWords(before: string, after: string): string[] {
  const words = (t: string) => t.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  const kept = new Set(words(after));
  return [...new Set(words(before))].filter((w) => !kept.has(w));
}

/** A reviewer's own answer that still says a name the question no longer uses. */
function editNamesOldLabel(d: HeldDecision, next: RegeneratedQa): boolean {
  const dropped = droppedWords(d.question, next.question);
  if (dropped.length === 0) return false;
  const said = new Set(d.answer.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []);
  return dropped.some((w) => said.has(w));
}

/** The pair's key was generated again with `next`'s facts and text. */
export function keepOnRegenerate(old: StoredQa, next: RegeneratedQa): Kept {
  const decision = standing(old);
  if (decision && sameMeaning(decision, next)) {
    if (decision.status === 'edited') {
      // The reviewer's answer is kept, unless it names an object by a label it no longer has.
      if (editNamesOldLabel(decision, next))
        return { status: 'changed', answer: next.answer, held: decision };
      return { status: 'edited', answer: decision.answer, held: null };
    }
    return { status: decision.status, answer: next.answer, held: null };
  }
  if (decision && decision.status !== 'proposed') {
    // Facts or naming changed under a decision: re-review, and hold the decision in case they return.
    return { status: 'changed', answer: next.answer, held: decision };
  }
  // 'changed' or 'orphaned' with nothing held: written before decisions were held; keep it open.
  if (!decision && (old.status === 'changed' || old.status === 'orphaned'))
    return { status: 'changed', answer: next.answer, held: null };
  return { status: 'proposed', answer: next.answer, held: null };
}

/** The pair's key was not generated again: delete it only if no one ever decided on it. */
export function keepOnVanish(old: StoredQa): Kept | 'delete' {
  if (old.status === 'orphaned') return { status: 'orphaned', answer: old.answer, held: old.held };
  if (old.status === 'proposed' && !old.hasDecisions && old.held === null) return 'delete';
  const held = old.status === 'changed' ? old.held : asHeld(old);
  return { status: 'orphaned', answer: old.answer, held };
}

export function parseHeld(json: string | null): HeldDecision | null {
  if (!json) return null;
  try {
    const h = JSON.parse(json) as HeldDecision;
    return h && typeof h.status === 'string' && typeof h.answer === 'string' ? h : null;
  } catch {
    return null;
  }
}
